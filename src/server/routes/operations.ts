/** Health, metrics and the API description. */
import type { FastifyInstance } from 'fastify'
import type { HealthResponse } from '../../client/wire-types.ts'
import type { ServerContext } from '../context.ts'
import type { HttpMetrics } from '../metrics.ts'
import { renderMetrics } from '../metrics.ts'
import type { OpenApiCollector } from '../openapi.ts'

export function registerOperationRoutes(
  app: FastifyInstance,
  context: ServerContext,
  http: HttpMetrics,
  openApi: OpenApiCollector,
): void {
  app.get(
    '/health',
    {
      config: {
        access: 'public',
        doc: {
          summary: 'Liveness: the server answers',
          tags: ['Operations'],
          responses: {
            200: {
              description: 'Up',
              schema: {
                type: 'object',
                properties: { status: { type: 'string' }, uptimeSeconds: { type: 'number' } },
              },
            },
          },
        },
      },
    },
    async (): Promise<HealthResponse> => ({ status: 'ok', uptimeSeconds: process.uptime() }),
  )

  app.get(
    '/metrics',
    {
      config: {
        access: ['operator'],
        doc: {
          summary: 'Prometheus metrics',
          tags: ['Operations'],
          responses: {
            200: {
              description: 'Text exposition format 0.0.4',
              contentType: 'text/plain',
              schema: { type: 'string' },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await renderMetrics(context.engine, http, context.activations.waitingCount)
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text)
    },
  )

  app.get(
    '/v2/openapi.json',
    {
      config: {
        access: 'authenticated',
        doc: {
          summary: 'This API as an OpenAPI 3.1 document',
          tags: ['Operations'],
          responses: { 200: { description: 'The document', schema: { type: 'object' } } },
        },
      },
    },
    async () => openApi.document(),
  )

  app.get(
    '/docs',
    {
      config: {
        access: 'authenticated',
        doc: {
          summary: 'A page describing this API',
          tags: ['Operations'],
          responses: {
            200: { description: 'HTML', contentType: 'text/html', schema: { type: 'string' } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(docsPage(openApi.document())),
  )
}

/** A self-contained page: the document is embedded, so it needs no second authenticated fetch. */
function docsPage(document: object): string {
  const json = JSON.stringify(document).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton REST API</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
details{border:1px solid #ddd;border-radius:4px;margin:.3rem 0;padding:.3rem .6rem}
summary{cursor:pointer}code.m{display:inline-block;width:4.5rem;font-weight:bold}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}h2{margin-top:2rem}
</style></head><body>
<h1>Baton REST API</h1><p>Machine-readable: <a href="/v2/openapi.json">/v2/openapi.json</a>. Send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<div id="api"></div>
<script type="application/json" id="doc">${json}</script>
<script>
const doc = JSON.parse(document.getElementById('doc').textContent)
const byTag = new Map()
for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
  const tag = (op.tags && op.tags[0]) || 'Other'
  if (!byTag.has(tag)) byTag.set(tag, [])
  byTag.get(tag).push({ path, method, op })
}
const root = document.getElementById('api')
const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e }
for (const [tag, ops] of byTag) {
  root.append(el('h2', tag))
  for (const { path, method, op } of ops) {
    const d = el('details'); const s = el('summary'); const m = el('code', method.toUpperCase()); m.className = 'm'
    s.append(m, el('code', path), ' ', op.summary || ''); d.append(s)
    if (op.description) d.append(el('p', op.description))
    const body = op.requestBody && Object.values(op.requestBody.content)[0]
    if (body) { d.append(el('h4', 'Request body')); d.append(el('pre', JSON.stringify(body.schema, null, 2))) }
    d.append(el('h4', 'Responses'))
    d.append(el('pre', Object.entries(op.responses).map(([k, v]) => k + ' ' + v.description).join('\\n')))
    root.append(d)
  }
}
</script></body></html>`
}
