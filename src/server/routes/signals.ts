/** `POST /v2/signals/broadcast`: a signal reaches every instance waiting for it, and starts some. */
import type { FastifyInstance } from 'fastify'
import type { BroadcastSignalRequest, BroadcastSignalResponse } from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import type { ServerContext } from '../context.ts'
import { keySchema, tenantSchema, variablesSchema } from '../schemas.ts'

const broadcastBody = {
  type: 'object',
  required: ['signalName'],
  additionalProperties: false,
  properties: {
    signalName: { type: 'string', minLength: 1, description: 'The signal name in the BPMN.' },
    variables: variablesSchema,
    tenantId: tenantSchema,
  },
} as const

export function registerSignalRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post<{ Body: BroadcastSignalRequest }>(
    '/v2/signals/broadcast',
    {
      schema: { body: broadcastBody },
      config: {
        access: ['operator'],
        doc: {
          summary: 'Broadcast a signal',
          description:
            'Triggers every waiting signal catch event and boundary event of that name, and starts instances at signal start events. Nothing waiting is not an error. A store without event subscriptions answers 501.',
          tags: ['Signal'],
          responses: {
            200: {
              description: 'Broadcast',
              schema: {
                type: 'object',
                properties: { signalKey: keySchema, tenantId: tenantSchema },
              },
            },
          },
        },
      },
    },
    async (request): Promise<BroadcastSignalResponse> => {
      const body = request.body
      const broadcast = await context.engine.broadcastSignal(body.signalName, body.variables ?? {})
      context.jobsMayExist()
      return { signalKey: broadcast.signalKey, tenantId: DEFAULT_TENANT }
    },
  )
}
