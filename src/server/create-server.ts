/**
 * Baton's HTTP server: the Camunda 8 REST v2 subset under /v2, Baton's own routes under /baton,
 * health, metrics and the OpenAPI document. Every error is an RFC 9457 problem with a BATON_*
 * code; every route but /health needs a bearer token (unless auth mode is `none`).
 */
import multipart from '@fastify/multipart'
import Fastify from 'fastify'
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify'
import { BatonError } from '../errors.ts'
import type { Engine } from '../runtime/engine.ts'
import type { AuthOptions } from './auth.ts'
import { authenticator } from './auth.ts'
import type { ServerContext } from './context.ts'
import { JobActivations } from './job-activation.ts'
import { HttpMetrics } from './metrics.ts'
import { OpenApiCollector } from './openapi.ts'
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.ts'
import { registerBatonRoutes } from './routes/baton.ts'
import { registerStatisticsRoutes } from './routes/statistics.ts'
import { registerStreamRoutes } from './routes/stream.ts'
import { registerDecisionRoutes } from './routes/decisions.ts'
import { registerDeploymentRoutes } from './routes/deployments.ts'
import { registerElementInstanceRoutes } from './routes/element-instances.ts'
import { registerIncidentRoutes } from './routes/incidents.ts'
import { registerJobRoutes } from './routes/jobs.ts'
import { registerMessageRoutes } from './routes/messages.ts'
import { registerOperationRoutes } from './routes/operations.ts'
import { registerProcessInstanceRoutes } from './routes/process-instances.ts'
import { registerConditionalRoutes } from './routes/conditionals.ts'
import { registerSignalRoutes } from './routes/signals.ts'
import { registerTopologyRoutes } from './routes/topology.ts'
import { registerUserTaskRoutes } from './routes/user-tasks.ts'
import { registerVariableRoutes } from './routes/variables.ts'
import { registerWebApp } from './web-app.ts'

export interface ServerOptions {
  /** The engine to expose; the server does not close it. */
  readonly engine: Engine
  readonly auth: AuthOptions
  /** Fastify's logger: false (default), true, or pino options. */
  readonly logger?: boolean | object
  /** Largest JSON request body, bytes (default 4 MiB); larger ones are answered 413. */
  readonly bodyLimit?: number
  /** Largest file in a deployment, bytes (default 16 MiB). */
  readonly maxResourceBytes?: number
  /** How often waiting job activations look for new jobs, ms (default 100). */
  readonly longPollIntervalMs?: number
}

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024
const DEFAULT_RESOURCE_LIMIT = 16 * 1024 * 1024

/** The request path without its query: the `instance` of a problem. */
function instanceOf(request: FastifyRequest): string {
  const url = request.url
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

/** A JSON reviver that refuses prototype pollution attempts. */
function refuseProto(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('"__proto__" is not allowed as a member name')
  return value
}

/**
 * Creates the HTTP server for an engine. Call `listen()` on the result, or test it with
 * `inject()`; closing the server answers waiting long polls but leaves the engine open.
 *
 * @example
 * const engine = await Engine.open({ path: './.baton/baton.db' })
 * const tokens = await openFileTokenStore(tokenFilePath('./.baton'))
 * const server = await createServer({ engine, auth: { mode: 'tokens', tokens } })
 * await server.listen({ port: 8080, host: '127.0.0.1' })
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: (options.logger ?? false) as NonNullable<FastifyServerOptions['logger']>,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Requests that arrive while closing are answered by the routes (as problems), not by a
    // plain-JSON 503 of the framework.
    return503OnClosing: false,
    ajv: {
      // Types are checked, not coerced, and unknown fields are reported rather than dropped.
      // Union types: int64 fields are integers or decimal strings (see int64Schema).
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: true,
        allowUnionTypes: true,
      },
    },
  }) as unknown as FastifyInstance

  const activations = new JobActivations(options.engine, {
    ...(options.longPollIntervalMs === undefined ? {} : { intervalMs: options.longPollIntervalMs }),
  })
  const context: ServerContext = {
    engine: options.engine,
    activations,
    jobsMayExist: () => activations.wake(),
  }
  const http = new HttpMetrics()
  const openApi = new OpenApiCollector()
  const check = authenticator(options.auth)

  app.addHook('onRoute', openApi.onRoute)
  app.addHook('onRequest', async (request) => {
    await check(request, request.routeOptions.config.access ?? 'authenticated')
  })
  // A POST without a body (or with an empty one) is an empty object, so optional bodies work.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {}
  })
  app.addHook('onResponse', async (request, reply) => {
    http.record(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    )
  })
  app.addHook('preClose', async () => activations.close())

  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(text, refuseProto))
    } catch (error) {
      done(
        new BatonError(
          'BATON_REQUEST_MALFORMED',
          `the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        ),
        undefined,
      )
    }
  })

  app.setErrorHandler((error, request, reply) => {
    const { problem, unexpected } = toProblem(error, instanceOf(request))
    if (unexpected) request.log.error({ err: error }, 'request failed')
    if (problem.status === 401) void reply.header('www-authenticate', 'Bearer realm="baton"')
    if (problem.status === 503) void reply.header('retry-after', '1')
    return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem)
  })
  app.setNotFoundHandler((request) => {
    throw new BatonError(
      'BATON_ROUTE_NOT_FOUND',
      `no route ${request.method} ${instanceOf(request)}; the routes are listed at /v2/openapi.json`,
    )
  })

  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: options.maxResourceBytes ?? DEFAULT_RESOURCE_LIMIT,
      files: 100,
      fields: 10,
      parts: 110,
    },
  })

  registerOperationRoutes(app, context, http, openApi)
  registerTopologyRoutes(app)
  registerDeploymentRoutes(app, context)
  registerDecisionRoutes(app, context)
  registerProcessInstanceRoutes(app, context)
  registerJobRoutes(app, context)
  registerUserTaskRoutes(app, context)
  registerIncidentRoutes(app, context)
  registerMessageRoutes(app, context)
  registerSignalRoutes(app, context)
  registerConditionalRoutes(app, context)
  registerVariableRoutes(app, context)
  registerElementInstanceRoutes(app, context)
  registerBatonRoutes(app, context)
  registerStreamRoutes(app, context)
  registerStatisticsRoutes(app, context)
  registerWebApp(app, context, options.auth)
  return app
}
