/**
 * The OpenAPI 3.1 document, built from the routes as they are registered: their request schemas
 * (the same ones that validate requests) and the `doc` of their config. No route is described by
 * hand twice.
 */
import type { RouteOptions } from 'fastify'
import type { Access } from './auth.ts'
import type { RouteDoc } from './context.ts'
import type { JsonSchema } from './schemas.ts'
import { problemSchema } from './schemas.ts'
import { BATON_VERSION } from './version.ts'

interface Collected {
  readonly method: string
  readonly url: string
  readonly schema: { body?: JsonSchema; params?: JsonSchema; querystring?: JsonSchema }
  readonly access: Access
  readonly doc: RouteDoc | undefined
}

const problemResponse = (description: string): object => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})

/** `/v2/jobs/:key/completion` -> `/v2/jobs/{key}/completion` */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/^:/, 'by-'))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
  return [method.toLowerCase(), ...words.map((w) => w[0]?.toUpperCase() + w.slice(1))].join('')
}

export class OpenApiCollector {
  private readonly routes: Collected[] = []
  private cached: object | undefined

  /** Register as the server's onRoute hook. */
  readonly onRoute = (route: RouteOptions): void => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const config = (route.config ?? {}) as { access?: Access; doc?: RouteDoc }
    for (const method of methods) {
      if (method === 'HEAD' || !config.doc) continue
      this.routes.push({
        method,
        url: route.url,
        schema: (route.schema ?? {}) as Collected['schema'],
        access: config.access ?? 'authenticated',
        doc: config.doc,
      })
    }
    this.cached = undefined
  }

  document(): object {
    this.cached ??= this.build()
    return this.cached
  }

  private build(): object {
    const paths: Record<string, Record<string, object>> = {}
    for (const route of this.routes) {
      const doc = route.doc as RouteDoc
      const path = openApiPath(route.url)
      const parameters = Object.entries(
        (route.schema.params?.['properties'] ?? {}) as Record<string, JsonSchema>,
      ).map(([name, schema]) => ({ name, in: 'path', required: true, schema }))
      const responses: Record<string, object> = {}
      for (const [status, response] of Object.entries(doc.responses)) {
        responses[status] =
          response.schema === undefined
            ? { description: response.description }
            : {
                description: response.description,
                content: {
                  [response.contentType ?? 'application/json']: { schema: response.schema },
                },
              }
      }
      if (route.schema.body || doc.multipart || parameters.length > 0) {
        responses['400'] = problemResponse('The request is invalid (BATON_REQUEST_INVALID, ...)')
      }
      if (route.access !== 'public') {
        responses['401'] = problemResponse('No valid API token (BATON_AUTH_REQUIRED)')
        if (route.access !== 'authenticated') {
          responses['403'] = problemResponse(
            `The token's role may not call this; admitted: admin, ${route.access.join(', ')} (BATON_AUTH_FORBIDDEN)`,
          )
        }
      }
      if (parameters.length > 0) responses['404'] = problemResponse('Not found')
      responses['500'] = problemResponse('A server failure (BATON_INTERNAL)')
      responses['503'] = problemResponse(
        'Overloaded or closing; retry later (BATON_ENGINE_OVERLOADED)',
      )
      const operation: Record<string, unknown> = {
        operationId: operationId(route.method, route.url),
        summary: doc.summary,
        ...(doc.description === undefined ? {} : { description: doc.description }),
        tags: doc.tags,
        ...(parameters.length > 0 ? { parameters } : {}),
        responses,
        ...(route.access === 'public' ? { security: [] } : {}),
      }
      if (route.schema.body) {
        operation['requestBody'] = {
          required: false,
          content: { 'application/json': { schema: route.schema.body } },
        }
      } else if (doc.multipart) {
        operation['requestBody'] = {
          required: true,
          content: { 'multipart/form-data': { schema: doc.multipart } },
        }
      }
      const entry = (paths[path] ??= {})
      entry[route.method.toLowerCase()] = operation
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Baton REST API',
        version: BATON_VERSION,
        description:
          "A Camunda 8 REST v2 compatible subset under /v2, and Baton's own routes under /baton. Keys are decimal strings. Errors are RFC 9457 problems carrying a BATON_* code.",
      },
      servers: [{ url: '/' }],
      paths,
      components: {
        schemas: { Problem: problemSchema },
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearerAuth: [] }],
    }
  }
}
