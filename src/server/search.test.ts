import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BatonError } from '../errors.ts'
import { MAX_TOTAL_ITEMS, encodeCursor, keysetSearch, memorySearch } from './search.ts'
import { compareKeys } from './wire.ts'

/** Camunda's client checks cursors against this (zEndCursor). */
const camundaCursor = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=)?$/

/** A store query over keys 1..count, capped at 1000 rows a query like the real stores. */
function storeOf(count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({ key: String(i + 1) }))
  let queries = 0
  return {
    get queries() {
      return queries
    },
    query: async (page: { limit: number; after?: string }) => {
      queries++
      const after = page.after
      const rest = after === undefined ? rows : rows.filter((r) => compareKeys(r.key, after) > 0)
      return rest.slice(0, Math.min(page.limit, 1000))
    },
  }
}

describe('server/search', () => {
  it('goes on past a full page of the largest size the stores return', async () => {
    const store = storeOf(1001)
    const first = await keysetSearch({ limit: 1000 }, store.query)
    assert.equal(first.items.length, 1000)
    assert.ok(first.page.endCursor, 'a cursor to the last row')
    const second = await keysetSearch({ limit: 1000, after: first.page.endCursor }, store.query)
    assert.deepEqual(
      second.items.map((row) => row.key),
      ['1001'],
    )
  })

  it('pages with opaque base64 cursors a Camunda client accepts', async () => {
    const store = storeOf(5)

    const first = await keysetSearch({ limit: 2 }, store.query)
    const cursor = first.page.endCursor

    assert.deepEqual(
      first.items.map((r) => r.key),
      ['1', '2'],
    )
    assert.ok(cursor)
    assert.match(cursor, camundaCursor)
    assert.equal(cursor, encodeCursor('2'))
    const second = await keysetSearch({ limit: 2, after: cursor }, store.query)
    assert.deepEqual(
      second.items.map((r) => r.key),
      ['3', '4'],
    )
  })

  it('refuses a raw key as page.after', async () => {
    await assert.rejects(
      keysetSearch({ limit: 2, after: '2' }, storeOf(5).query),
      (error: unknown) =>
        error instanceof BatonError &&
        error.code === 'BATON_REQUEST_INVALID' &&
        /body\.page\.after/.test(error.message),
    )
  })

  it('counts a single first page without another query', async () => {
    const store = storeOf(3)

    const found = await keysetSearch({ limit: 10 }, store.query)

    assert.deepEqual(found.page, { totalItems: 3 })
    assert.equal(store.queries, 1)
  })

  it('counts every match when there are more pages, applying the post-filter', async () => {
    const even = (row: { key: string }): boolean => Number(row.key) % 2 === 0

    const found = await keysetSearch({ limit: 2 }, storeOf(2500).query, even)

    assert.equal(found.page.totalItems, 1250)
    assert.equal(found.page.hasMoreTotalItems, undefined)
  })

  it('caps the count and says there are more', async () => {
    const found = await keysetSearch({ limit: 1 }, storeOf(MAX_TOTAL_ITEMS + 5).query)

    assert.equal(found.page.totalItems, MAX_TOTAL_ITEMS)
    assert.equal(found.page.hasMoreTotalItems, true)
  })

  it('pages items in memory with cursors for any position text', () => {
    const all = ['9-b', '9-a', '10-a'].map((id) => ({ id }))

    const first = memorySearch(
      all,
      { limit: 2 },
      (i) => i.id,
      undefined,
      () => true,
    )

    assert.deepEqual(
      first.items.map((i) => i.id),
      ['9-a', '9-b'],
    )
    assert.equal(first.page.totalItems, 3)
    assert.match(first.page.endCursor ?? '', camundaCursor)
    const rest = memorySearch(
      all,
      { limit: 2, after: first.page.endCursor ?? '' },
      (i) => i.id,
      undefined,
      () => true,
    )
    assert.deepEqual(
      rest.items.map((i) => i.id),
      ['10-a'],
    )
  })
})
