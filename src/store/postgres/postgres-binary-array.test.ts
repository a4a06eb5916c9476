import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { skipUnlessRequired } from '../../../test/support/skip-unless-required.ts'
import { binaryArray, type ArrayElement, type ArrayElementType } from './postgres-binary-array.ts'
import { openPostgresPool, type PostgresPool } from './postgres-pool.ts'

const url = process.env['BATON_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

describe('store/postgres/binary-array', () => {
  let pool: PostgresPool | undefined
  let why: string | undefined
  before(async () => {
    pool = openPostgresPool(url, 1)
    try {
      await pool.query({ text: 'SELECT 1' })
    } catch (error) {
      why = `PostgreSQL is unreachable (${String(error)}); start it or set BATON_TEST_POSTGRES_URL`
    }
  })
  after(async () => {
    await pool?.end()
  })

  /** What the server reads from the binary array, each element back as text (null stays null). */
  async function roundTrip(type: ArrayElementType, values: ArrayElement[]): Promise<unknown[]> {
    const { rows } = await (pool as PostgresPool).query<{ value: string | null }>({
      text: `SELECT v::text AS value FROM unnest($1::${type}[]) WITH ORDINALITY AS t (v, n) ORDER BY n`,
      values: [binaryArray(type, values)],
    })
    return rows.map((row) => row.value)
  }

  it('binds keys and times as bigint, up to the largest BIGINT and below zero', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    const values = ['0', '1', '9007199254740993', '9223372036854775807', 1764658800123, -5, null]
    assert.deepEqual(await roundTrip('bigint', values), [
      '0',
      '1',
      '9007199254740993',
      '9223372036854775807',
      '1764658800123',
      '-5',
      null,
    ])
  })

  it('binds integer, smallint and boolean elements', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    assert.deepEqual(await roundTrip('integer', [0, -1, 2147483647, null]), [
      '0',
      '-1',
      '2147483647',
      null,
    ])
    assert.deepEqual(await roundTrip('smallint', [3, -32768, 32767]), ['3', '-32768', '32767'])
    assert.deepEqual(await roundTrip('boolean', [true, false, null]), ['true', 'false', null])
  })

  it('binds text as UTF-8 byte for byte, quotes, backslashes and all', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    const values = [
      '',
      'plain',
      '{"a":"b\\"c"}',
      'back\\slash, comma',
      'Grüße 🚀 日本',
      'NULL',
      null,
    ]
    assert.deepEqual(await roundTrip('text', values), values)
  })

  it('binds jsonb documents the server parses', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    assert.deepEqual(await roundTrip('jsonb', ['["clerks"]', '{"a": [1, "ü"]}', null]), [
      '["clerks"]',
      '{"a": [1, "ü"]}',
      null,
    ])
  })

  it('binds an empty array as no rows', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    assert.deepEqual(await roundTrip('text', []), [])
    assert.deepEqual(await roundTrip('bigint', []), [])
  })

  it('refuses an element its type cannot hold, naming it', () => {
    assert.throws(
      () => binaryArray('bigint', ['1', '12x']),
      /cannot bind "12x" \(element 1\) as bigint/,
    )
    assert.throws(() => binaryArray('bigint', ['9223372036854775808']), /as bigint/)
    assert.throws(() => binaryArray('bigint', [1.5]), /cannot bind 1.5 \(element 0\) as bigint/)
    assert.throws(() => binaryArray('integer', [2 ** 31]), /as integer/)
    assert.throws(() => binaryArray('smallint', [40000]), /as smallint/)
    assert.throws(() => binaryArray('boolean', ['true']), /as boolean: expected a boolean/)
    assert.throws(() => binaryArray('text', [12]), /as text: expected a string/)
  })
})
