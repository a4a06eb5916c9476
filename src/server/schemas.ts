/**
 * JSON Schema pieces shared by the routes: they validate requests (a failure names the field) and
 * describe the API in `/v2/openapi.json`. Written from Camunda 8 REST v2's public documentation;
 * fields Baton does not support are left out, so sending one is a 400 rather than silently ignored.
 */
import { DEFAULT_TENANT } from '../client/wire-types.ts'
import { BatonError } from '../errors.ts'

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

/**
 * An int64 field (a duration, a timeout): a JSON integer, or a decimal string, which is how
 * Camunda's own clients send Java longs. Read it with `int64Of`.
 */
export function int64Schema(options: {
  readonly minimum?: number
  readonly description?: string
}): JsonSchema {
  const negative = options.minimum === undefined || options.minimum < 0
  return {
    type: ['integer', 'string'],
    pattern: negative ? '^-?[0-9]{1,15}$' : '^[0-9]{1,15}$',
    ...(options.minimum === undefined ? {} : { minimum: options.minimum }),
    ...(options.description === undefined ? {} : { description: options.description }),
  }
}

/** The number in an int64 field that passed `int64Schema`, checked against its minimum. */
export function int64Of(value: number | string, field: string, minimum?: number): number
export function int64Of(
  value: number | string | undefined,
  field: string,
  minimum?: number,
): number | undefined
export function int64Of(
  value: number | string | undefined,
  field: string,
  minimum?: number,
): number | undefined {
  if (value === undefined) return undefined
  const number = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(number) || (minimum !== undefined && number < minimum)) {
    throw new BatonError(
      'BATON_REQUEST_INVALID',
      `${field} must be an integer${minimum === undefined ? '' : ` >= ${minimum}`}, got ${JSON.stringify(value)}`,
    )
  }
  return number
}

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
          after: {
            type: 'string',
            minLength: 1,
            description: 'The endCursor of the previous page (opaque).',
          },
        },
      },
    },
  }
}

/** A search result: `{ items, page: { totalItems, hasMoreTotalItems?, endCursor? } }`. */
export function searchResult(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['items', 'page'],
    properties: {
      items: { type: 'array', items: item },
      page: {
        type: 'object',
        required: ['totalItems'],
        properties: {
          totalItems: { type: 'integer', description: 'Counted up to 10000.' },
          hasMoreTotalItems: { type: 'boolean', description: 'More match than totalItems.' },
          endCursor: { type: 'string', description: 'Opaque base64; absent on the last page.' },
        },
      },
    },
  }
}

/** A problem the model compiler found in a BPMN file (an error or a warning). */
export const modelProblemSchema = {
  type: 'object',
  required: ['rule', 'message'],
  properties: {
    rule: { type: 'string', description: 'Stable rule id, e.g. `start-event-required`.' },
    elementId: { type: 'string', description: 'The element it is on (absent: the whole file).' },
    line: { type: 'integer', description: 'Line in the file, when known.' },
    message: { type: 'string', description: 'What is wrong and what to change.' },
  },
} as const satisfies JsonSchema

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
