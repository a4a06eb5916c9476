/** `POST /v2/variables/search`: an instance's variables, per scope, from its state document. */
import type { FastifyInstance } from 'fastify'
import type {
  SearchRequest,
  SearchResult,
  VariableFilter,
  VariableWire,
} from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { ServerContext } from '../context.ts'
import { keySchema, searchBody, searchResult, tenantSchema } from '../schemas.ts'
import { checkSort, memorySearch } from '../search.ts'
import { compareKeys } from '../wire.ts'

const variableSchema = {
  type: 'object',
  properties: {
    variableKey: { type: 'string', description: '<scopeKey>-<name>' },
    name: { type: 'string' },
    value: { type: 'string', description: 'The value as JSON text.' },
    isTruncated: { type: 'boolean' },
    scopeKey: keySchema,
    processInstanceKey: keySchema,
    tenantId: tenantSchema,
  },
} as const

const filterSchema = {
  type: 'object',
  required: ['processInstanceKey'],
  additionalProperties: false,
  properties: {
    processInstanceKey: keySchema,
    scopeKey: keySchema,
    name: { type: 'string' },
    tenantId: tenantSchema,
  },
} as const

/** Orders `<scopeKey>-<name>` by scope key, then name. */
function compareVariableKeys(a: string, b: string): number {
  const [scopeA, nameA] = splitVariableKey(a)
  const [scopeB, nameB] = splitVariableKey(b)
  return compareKeys(scopeA, scopeB) || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0)
}

function splitVariableKey(key: string): [string, string] {
  const dash = key.indexOf('-')
  return dash < 0 ? [key, ''] : [key.slice(0, dash), key.slice(dash + 1)]
}

export function registerVariableRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context

  app.post<{ Body: SearchRequest<VariableFilter> }>(
    '/v2/variables/search',
    {
      schema: {
        body: {
          ...searchBody(filterSchema, ['variableKey']),
          required: ['filter'],
        },
      },
      config: {
        access: ['operator'],
        doc: {
          summary: "Search an instance's variables",
          description:
            'filter.processInstanceKey is required. Values are JSON text; variables are ordered by scope key, then name.',
          tags: ['Variable'],
          responses: {
            200: { description: 'Matching variables', schema: searchResult(variableSchema) },
          },
        },
      },
    },
    async (request): Promise<SearchResult<VariableWire>> => {
      const body = request.body
      checkSort(body.sort, 'variableKey')
      const filter = body.filter as VariableFilter
      const record = await engine.getInstance(filter.processInstanceKey)
      if (!record) {
        throw new BatonError(
          'BATON_INSTANCE_NOT_FOUND',
          `no process instance with key ${filter.processInstanceKey} (body.filter.processInstanceKey)`,
        )
      }
      const all: VariableWire[] = []
      for (const [scopeKey, variables] of Object.entries(record.state.variables)) {
        if (filter.scopeKey !== undefined && scopeKey !== filter.scopeKey) continue
        for (const [name, value] of Object.entries(variables)) {
          if (filter.name !== undefined && name !== filter.name) continue
          all.push({
            variableKey: `${scopeKey}-${name}`,
            name,
            value: JSON.stringify(value),
            isTruncated: false,
            scopeKey,
            processInstanceKey: record.key,
            tenantId: DEFAULT_TENANT,
          })
        }
      }
      return memorySearch(
        all,
        body.page,
        (v) => v.variableKey,
        compareVariableKeys,
        (p) => /^[0-9]{1,20}-/.test(p),
      )
    },
  )
}
