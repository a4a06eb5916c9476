/**
 * `GET /baton/stream`: server-sent events of what the engine commits, for live views. Each group
 * commit is one `events` message (the events it appended, with their instance and process), each
 * new process version one `deployment` message. Views refetch what they show when a message
 * concerns it, so the stream carries keys and event types, not whole records.
 */
import type { FastifyInstance } from 'fastify'
import type { ServerResponse } from 'node:http'
import type { EngineChange } from '../../runtime/engine.ts'
import type { ServerContext } from '../context.ts'
import { keySchema } from '../schemas.ts'

/** A comment this often keeps proxies and browsers from closing an idle stream. */
const HEARTBEAT_MS = 15_000
/** A client that has not read this much yet is too slow: it is dropped (it reconnects). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

interface StreamEvent {
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly bpmnProcessId: string
  readonly type: string
  readonly position: number
  readonly at: number
  readonly elementId?: string
  readonly elementInstanceKey?: string
}

/** The wire form of a change, for one client's filter (undefined: nothing for it). */
function messageOf(change: EngineChange, instanceFilter: string | undefined): string | undefined {
  if (change.kind === 'deployment') {
    if (instanceFilter !== undefined) return undefined
    const lines = change.processes.map((process) =>
      JSON.stringify({
        processDefinitionKey: String(process.key),
        processDefinitionId: process.bpmnProcessId,
        version: process.version,
      }),
    )
    return lines.map((line) => `event: deployment\ndata: ${line}\n\n`).join('')
  }
  const events: StreamEvent[] = []
  for (const instance of change.instances) {
    const processInstanceKey = String(instance.instanceKey)
    if (instanceFilter !== undefined && processInstanceKey !== instanceFilter) continue
    const processDefinitionKey = String(instance.processDefinitionKey)
    for (const event of instance.events) {
      const body = event as { elementId?: unknown; elementInstanceKey?: unknown }
      events.push({
        processInstanceKey,
        processDefinitionKey,
        bpmnProcessId: instance.bpmnProcessId,
        type: event.type,
        position: event.position,
        at: event.at,
        ...(typeof body.elementId === 'string' ? { elementId: body.elementId } : {}),
        ...(typeof body.elementInstanceKey === 'string'
          ? { elementInstanceKey: body.elementInstanceKey }
          : {}),
      })
    }
  }
  if (events.length === 0) return undefined
  return `event: events\ndata: ${JSON.stringify({ events })}\n\n`
}

export function registerStreamRoutes(app: FastifyInstance, context: ServerContext): void {
  const open = new Set<ServerResponse>()
  // Streams never end by themselves: closing the server ends them.
  app.addHook('preClose', async () => {
    for (const response of open) response.end()
    open.clear()
  })

  app.get<{ Querystring: { processInstanceKey?: string; access_token?: string } }>(
    '/baton/stream',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            processInstanceKey: keySchema,
            access_token: {
              type: 'string',
              description: 'The API token, for clients that cannot send headers (EventSource)',
            },
          },
          additionalProperties: false,
        },
      },
      config: {
        tokenInQuery: true,
        doc: {
          summary: 'Live changes (server-sent events)',
          description:
            'A text/event-stream: an `events` message per commit ({events: [{processInstanceKey, ' +
            'processDefinitionKey, bpmnProcessId, type, position, at, elementId?, ' +
            'elementInstanceKey?}]}) and a `deployment` message per new process version ' +
            '({processDefinitionKey, processDefinitionId, version}). processInstanceKey narrows ' +
            'it to one instance. The token may be passed as access_token.',
          tags: ['Baton'],
          responses: {
            200: { description: 'The stream', contentType: 'text/event-stream' },
          },
        },
      },
    },
    async (request, reply) => {
      const filter = request.query.processInstanceKey
      const response = reply.raw
      reply.hijack()
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      response.write(': baton stream\nretry: 2000\n\n')
      open.add(response)
      const write = (text: string): void => {
        if (response.writableLength > MAX_BUFFERED_BYTES) {
          response.destroy()
          return
        }
        response.write(text)
      }
      const stop = context.engine.onChange((change) => {
        const message = messageOf(change, filter)
        if (message !== undefined) write(message)
      })
      const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS)
      heartbeat.unref()
      response.on('close', () => {
        stop()
        clearInterval(heartbeat)
        open.delete(response)
      })
    },
  )
}
