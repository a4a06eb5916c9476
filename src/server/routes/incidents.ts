/** Incidents: find them, and resolve one (the failed step runs again). */
import type { FastifyInstance } from 'fastify'
import type {
  IncidentFilter,
  IncidentWire,
  ResolveIncidentRequest,
  SearchRequest,
  SearchResult,
} from '../../client/wire-types.ts'
import type { IncidentFilter as StoreIncidentFilter, IncidentRecord } from '../../store/store.ts'
import type { ServerContext } from '../context.ts'
import {
  int64Schema,
  isoDateSchema,
  keyParams,
  keySchema,
  searchBody,
  searchResult,
  tenantSchema,
} from '../schemas.ts'
import { checkSort, keysetSearch } from '../search.ts'
import { incidentWire } from '../wire.ts'

const stateSchema = { type: 'string', enum: ['ACTIVE', 'RESOLVED'] } as const

const incidentSchema = {
  type: 'object',
  properties: {
    incidentKey: keySchema,
    processInstanceKey: keySchema,
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    elementId: { type: 'string' },
    elementInstanceKey: keySchema,
    errorType: { type: 'string' },
    errorMessage: { type: 'string' },
    jobKey: { ...keySchema, description: 'Absent for an incident not raised by a job.' },
    state: stateSchema,
    creationTime: isoDateSchema,
    tenantId: tenantSchema,
  },
} as const

const filterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    incidentKey: keySchema,
    processInstanceKey: keySchema,
    processDefinitionId: { type: 'string' },
    state: stateSchema,
    errorType: { type: 'string' },
    elementId: { type: 'string' },
    jobKey: keySchema,
    tenantId: tenantSchema,
  },
} as const

export function registerIncidentRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['operator'] as const

  app.post<{ Body: SearchRequest<IncidentFilter> }>(
    '/v2/incidents/search',
    {
      schema: { body: searchBody(filterSchema, ['incidentKey']) },
      config: {
        access,
        doc: {
          summary: 'Search incidents',
          tags: ['Incident'],
          responses: {
            200: { description: 'Matching incidents', schema: searchResult(incidentSchema) },
          },
        },
      },
    },
    async (request): Promise<SearchResult<IncidentWire>> => {
      const body = request.body
      checkSort(body.sort, 'incidentKey')
      const filter = body.filter ?? {}
      const storeFilter: StoreIncidentFilter = {
        ...(filter.state === undefined
          ? {}
          : { status: filter.state === 'ACTIVE' ? 'active' : 'resolved' }),
        ...(filter.processInstanceKey === undefined
          ? {}
          : { instanceKey: filter.processInstanceKey }),
        ...(filter.processDefinitionId === undefined
          ? {}
          : { bpmnProcessId: filter.processDefinitionId }),
      }
      const accept = (incident: IncidentRecord): boolean =>
        (filter.incidentKey === undefined || incident.key === filter.incidentKey) &&
        (filter.errorType === undefined || incident.errorType === filter.errorType) &&
        (filter.elementId === undefined || incident.elementId === filter.elementId) &&
        (filter.jobKey === undefined || incident.jobKey === filter.jobKey) &&
        (storeFilter.status === undefined || incident.status === storeFilter.status) &&
        (storeFilter.instanceKey === undefined ||
          incident.instanceKey === storeFilter.instanceKey) &&
        (storeFilter.bpmnProcessId === undefined ||
          incident.bpmnProcessId === storeFilter.bpmnProcessId)
      if (filter.incidentKey !== undefined) {
        const incident = await engine.store.getIncident(filter.incidentKey)
        const matches = incident !== undefined && accept(incident)
        return {
          items: matches ? [incidentWire(incident)] : [],
          page: { totalItems: matches ? 1 : 0 },
        }
      }
      const postFilter =
        filter.errorType !== undefined ||
        filter.elementId !== undefined ||
        filter.jobKey !== undefined
      const found = await keysetSearch(
        body.page,
        (p) => engine.incidents(storeFilter, p),
        postFilter ? accept : undefined,
      )
      return { items: found.items.map(incidentWire), page: found.page }
    },
  )

  app.post<{ Params: { key: string }; Body: ResolveIncidentRequest }>(
    '/v2/incidents/:key/resolution',
    {
      schema: {
        params: keyParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            jobRetries: {
              type: 'integer',
              minimum: 1,
              description: 'For a job incident: the retries the job gets again (default 1).',
            },
            operationReference: int64Schema({ minimum: 1, description: 'Accepted and ignored.' }),
          },
        },
      },
      config: {
        access,
        doc: {
          summary: 'Resolve an incident',
          description: 'The step that failed runs again; a job without retries is offered again.',
          tags: ['Incident'],
          responses: { 204: { description: 'Resolved' } },
        },
      },
    },
    async (request, reply) => {
      const retries = request.body.jobRetries
      await engine.resolveIncident(
        request.params.key,
        retries === undefined ? {} : { jobRetries: retries },
      )
      context.jobsMayExist()
      return reply.code(204).send()
    },
  )
}
