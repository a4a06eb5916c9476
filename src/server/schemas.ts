/**
 * JSON Schema pieces shared by the routes: they validate requests (a failure names the field) and
 * describe the API in `/v2/openapi.json`. Written from Camunda 8 REST v2's public documentation;
 * fields Baton does not support are left out, so sending one is a 400 rather than silently ignored.
 */
import { DEFAULT_TENANT } from '../client/wire-types.ts'

export type JsonSchema = Readonly<Record<string, unknown>>

export const keySchema = {
  type: 'string',
  pattern: '^[0-9]{1,20}$',
  description: 'A key: a decimal string.',
} as const satisfies JsonSchema

export const tenantSchema = {
  type: 'string',
  enum: [DEFAULT_TENANT],
  description: 'Baton has one tenant.',
} as const satisfies JsonSchema

export const variablesSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Variables: a JSON object.',
} as const satisfies JsonSchema

export const isoDateSchema = { type: 'string', format: 'date-time' } as const
export const nullableIsoDateSchema = { type: ['string', 'null'], format: 'date-time' } as const
export const nullableStringSchema = { type: ['string', 'null'] } as const
export const nullableKeySchema = { type: ['string', 'null'] } as const

export const keyParams = {
  type: 'object',
  required: ['key'],
  properties: { key: keySchema },
  additionalProperties: false,
} as const satisfies JsonSchema

/** A search request: `{ filter, sort, page: { limit, after } }`. */
export function searchBody(filter: JsonSchema, sortFields: readonly string[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      filter,
      sort: {
        type: 'array',
        maxItems: 1,
        items: {
          type: 'object',
          required: ['field'],
          additionalProperties: false,
          properties: {
            field: { type: 'string', enum: sortFields },
            order: { type: 'string', enum: ['ASC', 'asc'] },
          },
        },
        description: 'Results come in key order; only the key, ascending, is accepted.',
      },
      page: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          after: { type: 'string', minLength: 1, description: 'The endCursor of the last page.' },
        },
      },
    },
  }
}

/** A search result: `{ items, page: { totalItems?, endCursor? } }`. */
export function searchResult(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['items', 'page'],
    properties: {
      items: { type: 'array', items: item },
      page: {
        type: 'object',
        properties: {
          totalItems: { type: 'integer' },
          endCursor: { type: 'string' },
        },
      },
    },
  }
}

export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'A BATON_* code (docs/errors.md).' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const satisfies JsonSchema
