/**
 * Converts FEEL values into what Baton stores: JSON values. Variables go into FEEL as JSON-like JS
 * values unchanged; only results need converting.
 */
import { FeelDate, FeelDateTime, FeelDuration, FeelTime } from 'feelin'

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * Converts a FEEL result into a JSON value: temporal values become their ISO-8601 text (feelin's
 * canonical form, e.g. `2024-01-02`, `2024-01-02T10:00:00Z`, `10:00:00@Europe/Berlin`, `P1DT2H`),
 * lists and contexts are converted deeply, and values JSON cannot hold (FEEL functions, ranges,
 * non-finite numbers, `undefined`) become `null`.
 *
 * @example
 * toJsonValue(evaluate('date("2024-01-01") + duration("P1D")').value) // '2024-01-02'
 */
export function toJsonValue(value: unknown): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'object':
      if (value === null) return null
      if (Array.isArray(value)) return value.map(toJsonValue)
      if (Object.getPrototypeOf(value) === Object.prototype) {
        const result: Record<string, JsonValue> = {}
        for (const [key, entry] of Object.entries(value)) result[key] = toJsonValue(entry)
        return result
      }
      if (
        value instanceof FeelDate ||
        value instanceof FeelDateTime ||
        value instanceof FeelTime ||
        value instanceof FeelDuration
      ) {
        return value.toString()
      }
      // FEEL functions, ranges, anything else that is not data
      return null
    case 'undefined':
    case 'function':
    case 'bigint':
    case 'symbol':
      return null
  }
}
