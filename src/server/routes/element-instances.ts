/**
 * `POST /v2/element-instances/search`: an instance's element instances, active ones with their
 * incidents from its state document, ended ones from its event log.
 */
import type { FastifyInstance } from 'fastify'
import type {
  ElementInstanceFilter,
  ElementInstanceState,
  ElementInstanceWire,
  SearchRequest,
  SearchResult,
} from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { EngineEvent } from '../../engine/types.ts'
import type { InstanceRecord } from '../../store/store.ts'
import type { ServerContext } from '../context.ts'
import { isoDateSchema, keySchema, searchBody, searchResult, tenantSchema } from '../schemas.ts'
import { checkSort, memorySearch, positionAfter } from '../search.ts'
import { elementTypeName, isoDate, present } from '../wire.ts'

const stateSchema = { type: 'string', enum: ['ACTIVE', 'COMPLETED', 'TERMINATED'] } as const

const elementInstanceSchema = {
  type: 'object',
  properties: {
    elementInstanceKey: keySchema,
    processInstanceKey: keySchema,
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    elementId: { type: 'string' },
    elementName: { type: 'string', description: "The element's name, or its id if it has none." },
    type: { type: 'string', description: 'SERVICE_TASK, EXCLUSIVE_GATEWAY, ...' },
    state: stateSchema,
    flowScopeKey: keySchema,
    startDate: isoDateSchema,
    endDate: isoDateSchema,
    hasIncident: { type: 'boolean' },
    incidentKey: keySchema,
    tenantId: tenantSchema,
  },
} as const

const filterSchema = {
  type: 'object',
  required: ['processInstanceKey'],
  additionalProperties: false,
  properties: {
    processInstanceKey: keySchema,
    elementInstanceKey: keySchema,
    elementId: { type: 'string' },
    state: stateSchema,
    type: { type: 'string' },
    hasIncident: { type: 'boolean' },
    tenantId: tenantSchema,
  },
} as const

interface Building {
  elementInstanceKey: string
  elementId: string
  type: string
  flowScopeKey: string
  start: number
  end: number | null
  state: ElementInstanceState
}

/** Replays the log into element instances (the log is the only record of ended ones). */
export function elementInstancesOf(
  record: InstanceRecord,
  events: readonly EngineEvent[],
  nameOf: (elementId: string) => string | undefined = () => undefined,
): ElementInstanceWire[] {
  const byKey = new Map<string, Building>()
  for (const event of events) {
    switch (event.type) {
      case 'ElementActivating':
        byKey.set(event.elementInstanceKey, {
          elementInstanceKey: event.elementInstanceKey,
          elementId: event.elementId,
          type: elementTypeName(event.elementType),
          flowScopeKey: event.flowScopeKey,
          start: event.at,
          end: null,
          state: 'ACTIVE',
        })
        break
      case 'ElementCompleted':
      case 'ElementTerminated': {
        const building = byKey.get(event.elementInstanceKey)
        if (building) {
          building.end = event.at
          building.state = event.type === 'ElementCompleted' ? 'COMPLETED' : 'TERMINATED'
        }
        break
      }
      default:
        break
    }
  }
  const active = record.state.elements
  return [...byKey.values()].map((b) => {
    const incidentKey = active[b.elementInstanceKey]?.incident?.key ?? null
    return {
      elementInstanceKey: b.elementInstanceKey,
      processInstanceKey: record.key,
      processDefinitionKey: record.processDefinitionKey,
      processDefinitionId: record.bpmnProcessId,
      elementId: b.elementId,
      elementName: nameOf(b.elementId) ?? b.elementId,
      type: b.type,
      state: b.state === 'ACTIVE' && !active[b.elementInstanceKey] ? 'TERMINATED' : b.state,
      flowScopeKey: b.flowScopeKey,
      startDate: isoDate(b.start),
      ...present('endDate', b.end === null ? null : isoDate(b.end)),
      hasIncident: incidentKey !== null,
      ...present('incidentKey', incidentKey),
      tenantId: DEFAULT_TENANT,
    }
  })
}

export function registerElementInstanceRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context

  app.post<{ Body: SearchRequest<ElementInstanceFilter> }>(
    '/v2/element-instances/search',
    {
      schema: {
        body: { ...searchBody(filterSchema, ['elementInstanceKey']), required: ['filter'] },
      },
      config: {
        access: ['operator'],
        doc: {
          summary: "Search an instance's element instances",
          description: 'filter.processInstanceKey is required; active and ended element instances.',
          tags: ['Element instance'],
          responses: {
            200: {
              description: 'Matching element instances',
              schema: searchResult(elementInstanceSchema),
            },
          },
        },
      },
    },
    async (request): Promise<SearchResult<ElementInstanceWire>> => {
      const body = request.body
      checkSort(body.sort, 'elementInstanceKey')
      // The cursor is checked before the instance is read, so a bad one costs nothing.
      positionAfter(body.page?.after)
      const filter = body.filter as ElementInstanceFilter
      const record = await engine.getInstance(filter.processInstanceKey)
      if (!record) {
        throw new BatonError(
          'BATON_INSTANCE_NOT_FOUND',
          `no process instance with key ${filter.processInstanceKey} (body.filter.processInstanceKey)`,
        )
      }
      const events = await engine.history(record.key)
      const nameOf = (id: string) => engine.elementName(record.processDefinitionKey, id)
      const all = elementInstancesOf(record, events, nameOf).filter(
        (e) =>
          (filter.elementInstanceKey === undefined ||
            e.elementInstanceKey === filter.elementInstanceKey) &&
          (filter.elementId === undefined || e.elementId === filter.elementId) &&
          (filter.state === undefined || e.state === filter.state) &&
          (filter.type === undefined || e.type === filter.type) &&
          (filter.hasIncident === undefined || e.hasIncident === filter.hasIncident),
      )
      return memorySearch(all, body.page, (e) => e.elementInstanceKey)
    },
  )
}
