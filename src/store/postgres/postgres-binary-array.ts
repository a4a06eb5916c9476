/**
 * PostgreSQL's binary array format, for binding a batch's columns (`unnest($1::text[], ...)`).
 *
 * Bound as text, an array is a literal the driver builds by escaping every element (`{"...",
 * "..."}`, each quote and backslash doubled) and the server parses back character by character;
 * for a batch of JSON documents that was the largest single cost of a commit on both sides. The
 * binary form is a header and, per element, its length and bytes: nothing to escape or parse.
 * `pg` sends a Buffer parameter in binary, and the server reads it with the receive function of
 * the type the statement casts the placeholder to, which checks the element type written here.
 *
 * Layout (src/backend/utils/adt/arrayfuncs.c, array_recv): int32 dimensions (0 for an empty
 * array, else 1), int32 flags (1 when an element is null), int32 element type oid; per dimension
 * int32 length and int32 lower bound (1); per element int32 byte length (-1 for null) and the
 * element's own binary form (big-endian integers, UTF-8 text, a version byte before jsonb text).
 */

/** The element types the store binds as arrays. */
export type ArrayElementType = 'bigint' | 'integer' | 'smallint' | 'boolean' | 'text' | 'jsonb'

/** An element as the row conversions produce it: keys and JSON as strings, times as numbers. */
export type ArrayElement = string | number | boolean | null

const oids: Readonly<Record<ArrayElementType, number>> = {
  boolean: 16,
  bigint: 20,
  smallint: 21,
  integer: 23,
  text: 25,
  jsonb: 3802,
}

const fixedSizes: Readonly<Record<ArrayElementType, number>> = {
  boolean: 1,
  bigint: 8,
  smallint: 2,
  integer: 4,
  text: -1,
  jsonb: -1,
}

const twoTo32 = 4294967296
/** Up to 15 decimal digits a string converts to a Number exactly. */
const exactDigits = 15

function invalid(type: ArrayElementType, value: unknown, index: number): TypeError {
  return new TypeError(
    `cannot bind ${JSON.stringify(value)} (element ${index}) as ${type}: ` +
      `expected ${type === 'boolean' ? 'a boolean' : type === 'text' || type === 'jsonb' ? 'a string' : 'an integer in range'}`,
  )
}

/** A bigint element as a JS number when it is one exactly, else as a BigInt. */
function int64(value: ArrayElement, index: number): number | bigint {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value
  } else if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) {
    if (value.length <= exactDigits) return Number(value)
    const big = BigInt(value)
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return big
  }
  throw invalid('bigint', value, index)
}

/**
 * The elements as one binary PostgreSQL array of `type`, for a placeholder cast to `type[]`.
 *
 * @example
 * ```ts
 * await client.query({
 *   text: 'SELECT * FROM unnest($1::bigint[], $2::text[]) AS t (key, name)',
 *   values: [binaryArray('bigint', ['1', '2']), binaryArray('text', ['a', null])],
 * })
 * ```
 */
export function binaryArray(type: ArrayElementType, values: readonly ArrayElement[]): Buffer {
  const count = values.length
  const fixed = fixedSizes[type]
  // Text lengths are measured once and kept for the write.
  let lengths: Int32Array | undefined
  let size = count === 0 ? 12 : 20 + 4 * count
  let hasNull = false
  if (fixed > 0) {
    for (let i = 0; i < count; i++) {
      if (values[i] === null) hasNull = true
      else size += fixed
    }
  } else {
    lengths = new Int32Array(count)
    const extra = type === 'jsonb' ? 1 : 0
    for (let i = 0; i < count; i++) {
      const value = values[i]
      if (value === null) {
        hasNull = true
        lengths[i] = -1
      } else if (typeof value === 'string') {
        const length = Buffer.byteLength(value, 'utf8') + extra
        lengths[i] = length
        size += length
      } else throw invalid(type, value, i)
    }
  }
  const buffer = Buffer.allocUnsafe(size)
  buffer.writeInt32BE(count === 0 ? 0 : 1, 0)
  buffer.writeInt32BE(hasNull ? 1 : 0, 4)
  buffer.writeInt32BE(oids[type], 8)
  if (count === 0) return buffer
  buffer.writeInt32BE(count, 12)
  buffer.writeInt32BE(1, 16)
  let offset = 20
  for (let i = 0; i < count; i++) {
    const value = values[i] as ArrayElement
    if (value === null) {
      buffer.writeInt32BE(-1, offset)
      offset += 4
      continue
    }
    switch (type) {
      case 'bigint': {
        const n = int64(value, i)
        buffer.writeInt32BE(8, offset)
        if (typeof n === 'bigint') buffer.writeBigInt64BE(n, offset + 4)
        else {
          const high = Math.floor(n / twoTo32)
          buffer.writeInt32BE(high, offset + 4)
          buffer.writeUInt32BE(n - high * twoTo32, offset + 8)
        }
        offset += 12
        break
      }
      case 'integer':
      case 'smallint': {
        const limit = type === 'integer' ? 2 ** 31 : 2 ** 15
        if (
          typeof value !== 'number' ||
          !Number.isInteger(value) ||
          value < -limit ||
          value >= limit
        ) {
          throw invalid(type, value, i)
        }
        if (type === 'integer') {
          buffer.writeInt32BE(4, offset)
          buffer.writeInt32BE(value, offset + 4)
          offset += 8
        } else {
          buffer.writeInt32BE(2, offset)
          buffer.writeInt16BE(value, offset + 4)
          offset += 6
        }
        break
      }
      case 'boolean':
        if (typeof value !== 'boolean') throw invalid(type, value, i)
        buffer.writeInt32BE(1, offset)
        buffer[offset + 4] = value ? 1 : 0
        offset += 5
        break
      case 'text':
      case 'jsonb': {
        const length = (lengths as Int32Array)[i] as number
        buffer.writeInt32BE(length, offset)
        offset += 4
        if (type === 'jsonb') {
          buffer[offset] = 1 // jsonb's binary format version
          buffer.write(value as string, offset + 1, length - 1, 'utf8')
        } else buffer.write(value as string, offset, length, 'utf8')
        offset += length
        break
      }
    }
  }
  return buffer
}
