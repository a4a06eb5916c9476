/**
 * Statistics for dashboards and diagrams: per process version, per element of a version, and
 * open incidents grouped by error. Counters are kept as the engine commits, so these answer in
 * the same time whatever the size of the history.
 */
import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { keyParams, keySchema } from '../schemas.ts'

const nullableNumber = { type: ['number', 'null'] } as const

const elementStatisticsSchema = {
  type: 'object',
  required: ['elementId', 'active', 'completed', 'terminated', 'incidents'],
  properties: {
    elementId: { type: 'string' },
    active: { type: 'integer' },
    completed: { type: 'integer' },
    terminated: { type: 'integer' },
    incidents: { type: 'integer', description: 'Open incidents at the element' },
    averageDurationMs: { ...nullableNumber, description: 'Of the completed element instances' },
    p95DurationMs: { ...nullableNumber, description: 'Within about 10% (a histogram)' },
  },
} as const

const definitionStatisticsSchema = {
  type: 'object',
  properties: {
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    processDefinitionVersion: { type: 'integer' },
    name: { type: ['string', 'null'] },
    active: { type: 'integer' },
    completed: { type: 'integer' },
    terminated: { type: 'integer' },
    withIncidents: { type: 'integer', description: 'Active instances with an open incident' },
    waitingLongerThan: {
      type: 'integer',
      description: 'Active instances started more than waitingLongerThanMs ago',
    },
    averageDurationMs: { ...nullableNumber, description: 'Cycle time of completed instances' },
    p95DurationMs: nullableNumber,
  },
} as const

const incidentGroupSchema = {
  type: 'object',
  properties: {
    errorType: { type: 'string' },
    errorMessage: { type: 'string' },
    count: { type: 'integer' },
    processDefinitionKeys: { type: 'array', items: keySchema },
  },
} as const

export function registerStatisticsRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['operator'] as const

  app.get<{ Querystring: { waitingLongerThanMs?: string } }>(
    '/baton/process-definitions/statistics',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            waitingLongerThanMs: {
              type: 'string',
              pattern: '^[0-9]{1,15}$',
              description: 'What counts as waiting long, in ms (default one day)',
            },
          },
          additionalProperties: false,
        },
      },
      config: {
        access,
        doc: {
          summary: 'Instances per process version',
          description:
            'Every deployed process version with its instances active, completed, terminated, ' +
            'with incidents, and waiting longer than the threshold, and its cycle time.',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The versions',
              schema: {
                type: 'object',
                properties: { items: { type: 'array', items: definitionStatisticsSchema } },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const options =
        request.query.waitingLongerThanMs === undefined
          ? {}
          : { waitingLongerThanMs: Number(request.query.waitingLongerThanMs) }
      const items = await engine.processDefinitionStatistics(options)
      return {
        items: items.map(({ bpmnProcessId, version, ...rest }) => ({
          ...rest,
          processDefinitionId: bpmnProcessId,
          processDefinitionVersion: version,
        })),
      }
    },
  )

  app.get<{ Params: { key: string } }>(
    '/baton/process-definitions/:key/statistics',
    {
      schema: { params: keyParams },
      config: {
        access,
        doc: {
          summary: 'Per-element figures of a process version',
          description:
            'For each element: instances active, completed, terminated, open incidents, and the ' +
            'average and p95 duration of the completed ones, over the whole history.',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The elements',
              schema: {
                type: 'object',
                properties: {
                  processDefinitionKey: keySchema,
                  items: { type: 'array', items: elementStatisticsSchema },
                },
              },
            },
          },
        },
      },
    },
    async (request) => ({
      processDefinitionKey: request.params.key,
      items: await engine.elementStatistics(request.params.key),
    }),
  )

  app.get<{ Querystring: { limit?: string } }>(
    '/baton/incidents/groups',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' } },
          additionalProperties: false,
        },
      },
      config: {
        access,
        doc: {
          summary: 'Open incidents grouped by error',
          description:
            'Groups of open incidents with the same error type and message, largest first.',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The groups',
              schema: {
                type: 'object',
                properties: { items: { type: 'array', items: incidentGroupSchema } },
              },
            },
          },
        },
      },
    },
    async (request) => ({ items: await engine.incidentGroups(Number(request.query.limit ?? 100)) }),
  )
}
