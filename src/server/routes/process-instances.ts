/** Start, find, read and cancel process instances. */
import type { FastifyInstance } from 'fastify'
import type {
  CreateProcessInstanceRequest,
  CreateProcessInstanceResponse,
  ProcessInstanceFilter,
  VariableFilterWire,
  ProcessInstanceWire,
  SearchRequest,
  SearchResult,
  Variables,
} from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { CreateInstanceOptions, CreatedInstance } from '../../runtime/engine.ts'
import type { JsonValue } from '../../engine/types.ts'
import type { InstanceFilter, InstanceRecord, VariableCondition } from '../../store/store.ts'
import type { ServerContext } from '../context.ts'
import {
  int64Of,
  int64Schema,
  isoDateSchema,
  keyParams,
  keySchema,
  searchBody,
  searchResult,
  tenantSchema,
  variablesSchema,
} from '../schemas.ts'
import { checkSort, keysetSearch } from '../search.ts'
import { instanceStateOf, instanceStatusOf, processInstanceWire } from '../wire.ts'

const stateSchema = { type: 'string', enum: ['ACTIVE', 'COMPLETED', 'TERMINATED'] } as const

export const processInstanceSchema = {
  type: 'object',
  properties: {
    processInstanceKey: keySchema,
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    processDefinitionName: {
      type: 'string',
      description: 'The process name, or its id when it has none.',
    },
    processDefinitionVersion: { type: 'integer' },
    state: stateSchema,
    startDate: isoDateSchema,
    endDate: { ...isoDateSchema, description: 'Absent while the instance runs.' },
    parentProcessInstanceKey: { ...keySchema, description: 'Absent for a root instance.' },
    businessKey: { type: 'string' },
    hasIncident: { type: 'boolean' },
    tenantId: tenantSchema,
  },
} as const

/** JSON text as a value; text that is not JSON is the string itself. */
function jsonValueOf(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return text
  }
}

/** The store's conditions for the wire's, checked: each names the field it fails on. */
function variableConditions(filters: readonly VariableFilterWire[]): VariableCondition[] {
  return filters.map((filter, index) => {
    const field = `filter.variables[${index}]`
    const operator = filter.operator ?? 'eq'
    for (const segment of [filter.name, ...(filter.path ?? [])]) {
      if (/["\\]/.test(segment)) {
        throw new BatonError(
          'BATON_REQUEST_INVALID',
          `${field}: variable names and path segments cannot hold quotes or backslashes`,
        )
      }
    }
    if (operator === 'in') {
      if (filter.values === undefined) {
        throw new BatonError('BATON_REQUEST_INVALID', `${field}: the in operator needs values`)
      }
    } else if (operator !== 'exists' && filter.value === undefined) {
      throw new BatonError(
        'BATON_REQUEST_INVALID',
        `${field}: the ${operator} operator needs a value`,
      )
    }
    const value = filter.value === undefined ? undefined : jsonValueOf(filter.value)
    if (['lt', 'lte', 'gt', 'gte'].includes(operator)) {
      if (typeof value !== 'number' && typeof value !== 'string') {
        throw new BatonError(
          'BATON_REQUEST_INVALID',
          `${field}: ${operator} compares numbers or strings, got ${filter.value ?? ''}`,
        )
      }
    }
    return {
      name: filter.name,
      operator,
      ...(filter.path === undefined ? {} : { path: filter.path }),
      ...(value === undefined ? {} : { value }),
      ...(filter.values === undefined ? {} : { values: filter.values.map(jsonValueOf) }),
    }
  })
}

const createBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    processDefinitionId: { type: 'string', minLength: 1, description: 'The BPMN process id.' },
    processDefinitionKey: keySchema,
    processDefinitionVersion: {
      type: 'integer',
      minimum: -1,
      description: 'A version of processDefinitionId; -1 or absent: the latest.',
    },
    variables: variablesSchema,
    tenantId: tenantSchema,
    awaitCompletion: { type: 'boolean', default: false },
    fetchVariables: { type: 'array', items: { type: 'string' } },
    requestTimeout: int64Schema({
      minimum: 0,
      description: 'With awaitCompletion: ms to wait (0: the server default, 5 minutes).',
    }),
    businessKey: { type: 'string', maxLength: 256 },
    operationReference: int64Schema({ minimum: 1, description: 'Accepted and ignored.' }),
  },
} as const

const createResponse = {
  type: 'object',
  properties: {
    processInstanceKey: keySchema,
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    processDefinitionVersion: { type: 'integer' },
    tenantId: tenantSchema,
    variables: {
      ...variablesSchema,
      description: 'With awaitCompletion: the root variables when the instance ended; else {}.',
    },
    state: stateSchema,
  },
} as const

const filterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    processInstanceKey: keySchema,
    processDefinitionId: { type: 'string' },
    processDefinitionKey: keySchema,
    processDefinitionVersion: { type: 'integer' },
    parentProcessInstanceKey: keySchema,
    state: stateSchema,
    hasIncident: { type: 'boolean' },
    tenantId: tenantSchema,
    startedAfter: { type: 'string', format: 'date-time', description: 'Started at or after' },
    startedBefore: { type: 'string', format: 'date-time', description: 'Started before' },
    businessKey: { type: 'string' },
    variables: {
      type: 'array',
      maxItems: 20,
      description:
        'Conditions on root variables, all of which must hold. value is JSON text ("100", ' +
        '"\\"gold\\""; text that is not JSON is a string); operator defaults to eq; path ' +
        'reaches into an object variable.',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          value: { type: 'string' },
          operator: { enum: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'exists'] },
          path: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1 } },
          values: { type: 'array', maxItems: 100, items: { type: 'string' } },
        },
      },
    },
  },
} as const

const DEFAULT_AWAIT_MS = 5 * 60_000

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BatonError('BATON_REQUEST_TIMEOUT', what)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function pick(variables: Variables, names: readonly string[] | undefined): Variables {
  if (!names || names.length === 0) return variables
  const picked: Variables = {}
  for (const name of names) {
    const value = variables[name]
    if (value !== undefined) picked[name] = value
  }
  return picked
}

export function registerProcessInstanceRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['operator'] as const
  const instanceWire = (record: InstanceRecord): ProcessInstanceWire =>
    processInstanceWire(record, engine.processDefinition(record.processDefinitionKey)?.name)

  app.post<{ Body: CreateProcessInstanceRequest }>(
    '/v2/process-instances',
    {
      schema: { body: createBody },
      config: {
        access,
        doc: {
          summary: 'Start a process instance',
          description:
            'Of the latest version of processDefinitionId (or the given version), or of processDefinitionKey. With awaitCompletion, answers once the instance ended, with its variables.',
          tags: ['Process instance'],
          responses: { 200: { description: 'The instance started', schema: createResponse } },
        },
      },
    },
    async (request): Promise<CreateProcessInstanceResponse> => {
      const body = request.body
      const hasId = body.processDefinitionId !== undefined
      const hasKey = body.processDefinitionKey !== undefined
      if (hasId === hasKey) {
        throw new BatonError(
          'BATON_REQUEST_INVALID',
          'body: give exactly one of processDefinitionId (the BPMN process id) or processDefinitionKey',
        )
      }
      if (hasKey && body.processDefinitionVersion !== undefined) {
        throw new BatonError(
          'BATON_REQUEST_INVALID',
          'body.processDefinitionVersion goes with processDefinitionId; a processDefinitionKey already names one version',
        )
      }
      const options: CreateInstanceOptions = {
        ...(body.variables === undefined ? {} : { variables: body.variables }),
        ...(body.processDefinitionVersion === undefined || body.processDefinitionVersion === -1
          ? {}
          : { version: body.processDefinitionVersion }),
        ...(body.businessKey === undefined ? {} : { businessKey: body.businessKey }),
      }
      const start = (): Promise<CreatedInstance> =>
        body.processDefinitionKey !== undefined
          ? engine.createInstanceByKey(body.processDefinitionKey, options)
          : engine.createInstance(body.processDefinitionId as string, options)
      const created = await start()
      context.jobsMayExist()
      const response: CreateProcessInstanceResponse = {
        processInstanceKey: created.instanceKey,
        processDefinitionKey: created.processDefinitionKey,
        processDefinitionId: created.bpmnProcessId,
        processDefinitionVersion: created.version,
        tenantId: DEFAULT_TENANT,
        variables: {},
      }
      if (!body.awaitCompletion) return response
      const waitMs = int64Of(body.requestTimeout, 'body.requestTimeout', 0) || DEFAULT_AWAIT_MS
      const ended = await withTimeout(
        engine.awaitInstance(created.instanceKey),
        waitMs,
        `instance ${created.instanceKey} did not end within ${waitMs} ms; it keeps running (GET /v2/process-instances/${created.instanceKey})`,
      )
      return {
        ...response,
        variables: pick(ended.state.variables[ended.key] ?? {}, body.fetchVariables),
        state: instanceStateOf[ended.status],
      }
    },
  )

  app.post<{ Body: SearchRequest<ProcessInstanceFilter> }>(
    '/v2/process-instances/search',
    {
      schema: { body: searchBody(filterSchema, ['processInstanceKey']) },
      config: {
        access,
        doc: {
          summary: 'Search process instances',
          tags: ['Process instance'],
          responses: {
            200: { description: 'Matching instances', schema: searchResult(processInstanceSchema) },
          },
        },
      },
    },
    async (request): Promise<SearchResult<ProcessInstanceWire>> => {
      const body = request.body
      checkSort(body.sort, 'processInstanceKey')
      const filter = body.filter ?? {}
      const keyOnly = filter.processInstanceKey
      const beyondWire =
        filter.variables !== undefined ||
        filter.startedAfter !== undefined ||
        filter.startedBefore !== undefined
      if (keyOnly !== undefined && !beyondWire) {
        const record = await engine.getInstance(keyOnly)
        const wire = record && instanceWire(record)
        const matches =
          wire !== undefined &&
          Object.entries(filter).every(
            ([field, value]) => wire[field as keyof ProcessInstanceWire] === value,
          )
        return { items: matches ? [wire] : [], page: { totalItems: matches ? 1 : 0 } }
      }
      const storeFilter: InstanceFilter = {
        ...(filter.state === undefined ? {} : { status: instanceStatusOf[filter.state] }),
        ...(filter.processDefinitionId === undefined
          ? {}
          : { bpmnProcessId: filter.processDefinitionId }),
        ...(filter.processDefinitionKey === undefined
          ? {}
          : { processDefinitionKey: filter.processDefinitionKey }),
        ...(filter.parentProcessInstanceKey === undefined
          ? {}
          : { parentKey: filter.parentProcessInstanceKey }),
        ...(filter.hasIncident === undefined ? {} : { hasIncident: filter.hasIncident }),
        ...(filter.startedAfter === undefined
          ? {}
          : { startedAfter: Date.parse(filter.startedAfter) }),
        ...(filter.startedBefore === undefined
          ? {}
          : { startedBefore: Date.parse(filter.startedBefore) }),
        ...(filter.businessKey === undefined ? {} : { businessKey: filter.businessKey }),
        ...(filter.processDefinitionVersion === undefined
          ? {}
          : { version: filter.processDefinitionVersion }),
        ...(filter.variables === undefined
          ? {}
          : { variables: variableConditions(filter.variables) }),
      }
      const found = await keysetSearch(
        body.page,
        (p) => engine.instances(storeFilter, p),
        keyOnly === undefined ? undefined : (record) => record.key === keyOnly,
        keyOnly === undefined ? () => engine.store.countInstances(storeFilter) : undefined,
      )
      return { items: found.items.map(instanceWire), page: found.page }
    },
  )

  app.get<{ Params: { key: string } }>(
    '/v2/process-instances/:key',
    {
      schema: { params: keyParams },
      config: {
        access,
        doc: {
          summary: 'Get a process instance',
          tags: ['Process instance'],
          responses: { 200: { description: 'The instance', schema: processInstanceSchema } },
        },
      },
    },
    async (request): Promise<ProcessInstanceWire> => {
      const record = await engine.getInstance(request.params.key)
      if (!record) {
        throw new BatonError(
          'BATON_INSTANCE_NOT_FOUND',
          `no process instance with key ${request.params.key}`,
        )
      }
      return instanceWire(record)
    },
  )

  app.post<{ Params: { key: string } }>(
    '/v2/process-instances/:key/cancellation',
    {
      schema: {
        params: keyParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            operationReference: int64Schema({ minimum: 1, description: 'Accepted and ignored.' }),
          },
        },
      },
      config: {
        access,
        doc: {
          summary: 'Cancel a process instance',
          description:
            'Terminates every active element; a called instance is cancelled through its root.',
          tags: ['Process instance'],
          responses: { 204: { description: 'Cancelled' } },
        },
      },
    },
    async (request, reply) => {
      await engine.cancelInstance(request.params.key)
      return reply.code(204).send()
    },
  )
}
