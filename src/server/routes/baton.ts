/** Baton's own routes under /baton: audit trails and deployed definitions. */
import type { FastifyInstance } from 'fastify'
import type {
  HistoryEventWire,
  HistoryResponse,
  ProcessDefinitionsResponse,
} from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { ServerContext } from '../context.ts'
import { keyParams, keySchema, tenantSchema } from '../schemas.ts'
import { processDefinitionWire } from '../wire.ts'

const definitionSchema = {
  type: 'object',
  properties: {
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    processDefinitionVersion: { type: 'integer' },
    resourceName: { type: 'string' },
    name: { type: ['string', 'null'] },
    deployedAt: { type: 'string', format: 'date-time' },
    tenantId: tenantSchema,
  },
} as const

export function registerBatonRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['operator'] as const

  app.get<{ Params: { key: string } }>(
    '/baton/process-instances/:key/history',
    {
      schema: { params: keyParams },
      config: {
        access,
        doc: {
          summary: "A process instance's audit trail",
          description: 'Every event the instance produced, oldest first.',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The events',
              schema: {
                type: 'object',
                properties: {
                  processInstanceKey: keySchema,
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['type', 'position', 'at'],
                      properties: {
                        type: { type: 'string' },
                        position: { type: 'integer' },
                        at: { type: 'integer', description: 'ms since the epoch' },
                      },
                      additionalProperties: true,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request): Promise<HistoryResponse> => {
      const events = await engine.history(request.params.key)
      return {
        processInstanceKey: request.params.key,
        items: events as unknown as HistoryEventWire[],
      }
    },
  )

  app.get(
    '/baton/process-definitions',
    {
      config: {
        access,
        doc: {
          summary: 'Deployed process definitions, every version',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The definitions by process id, then version',
              schema: {
                type: 'object',
                properties: { items: { type: 'array', items: definitionSchema } },
              },
            },
          },
        },
      },
    },
    async (): Promise<ProcessDefinitionsResponse> => ({
      items: engine.processDefinitions().map(processDefinitionWire),
    }),
  )

  app.get<{ Params: { key: string } }>(
    '/baton/process-definitions/:key/xml',
    {
      schema: { params: keyParams },
      config: {
        access,
        doc: {
          summary: 'The BPMN XML of a process definition, as deployed',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The BPMN XML',
              contentType: 'text/xml',
              schema: { type: 'string' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const record = engine.processDefinition(request.params.key)
      if (!record) {
        throw new BatonError(
          'BATON_PROCESS_NOT_FOUND',
          `no process definition with key ${request.params.key}; list them with GET /baton/process-definitions`,
        )
      }
      return reply.type('text/xml; charset=utf-8').send(record.xml)
    },
  )
}
