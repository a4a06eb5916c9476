/**
 * Serves the built web app (`npm run build` writes it to dist/web): its files, and index.html for
 * every other GET outside the API, so the app's own routes (/tasks, /instances/123) survive a
 * reload. Paths under /v2, /baton, /metrics and /health stay the API's: unknown ones answer a
 * 404 problem. Also registers the routes the web app needs beyond the REST API.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { BatonError } from '../errors.ts'
import type { AuthOptions } from './auth.ts'
import { authenticator } from './auth.ts'
import type { ServerContext } from './context.ts'
import { registerWebSupportRoutes } from './routes/web-support.ts'

const apiPrefixes = ['/v2', '/baton', '/metrics', '/health']

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
  '.map': 'application/json',
  '.bpmn': 'text/xml; charset=utf-8',
}

/** Where the built app is: dist/web next to dist/server, or from src/server (tsx). */
export function webAppRoot(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('../web/', import.meta.url)),
    fileURLToPath(new URL('../../dist/web/', import.meta.url)),
  ]
  return candidates.find((dir) => existsSync(join(dir, 'index.html')))
}

function isApiPath(path: string): boolean {
  return apiPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
}

export function registerWebApp(
  app: FastifyInstance,
  context: ServerContext,
  auth: AuthOptions,
  root: string | undefined = webAppRoot(),
): void {
  registerWebSupportRoutes(app, context)
  const check = authenticator(auth)

  const send = async (reply: FastifyReply, file: string, immutable: boolean): Promise<boolean> => {
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return false
    }
    void reply
      .type(contentTypes[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    await reply.send(body)
    return true
  }

  app.get('/*', { config: { access: 'public' } }, async (request, reply) => {
    const query = request.url.indexOf('?')
    const path = decodeURIComponent(query < 0 ? request.url : request.url.slice(0, query))
    if (isApiPath(path)) {
      // As for any unknown API route: a token first, then the 404.
      await check(request, 'authenticated')
      throw new BatonError(
        'BATON_ROUTE_NOT_FOUND',
        `no route ${request.method} ${path}; the routes are listed at /v2/openapi.json`,
      )
    }
    if (!root) {
      throw new BatonError(
        'BATON_ROUTE_NOT_FOUND',
        `no route ${request.method} ${path}: the web app is not built (run npm run build)`,
      )
    }
    const file = normalize(join(root, path))
    if (path !== '/' && file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      // Built assets carry a content hash in their name: cache them for good.
      if (await send(reply, file, path.startsWith('/assets/'))) return reply
      if (extname(path) !== '') {
        throw new BatonError('BATON_ROUTE_NOT_FOUND', `no file ${path} in the web app`)
      }
    }
    await send(reply, join(root, 'index.html'), false)
    return reply
  })
}
