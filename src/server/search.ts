/**
 * Keyset paging for the search routes: items come in key order, a page ends with a cursor (the
 * last key, base64-encoded: Camunda's cursors are opaque base64 strings, and its clients check),
 * and the next page starts after it. Filters the store cannot apply are applied here, scanning a
 * bounded number of store pages per request. Every answer says how many items match in all
 * (`totalItems`, as Camunda requires), counted up to a cap like Camunda's.
 */
import type { SearchPage, SearchSort } from '../client/wire-types.ts'
import { BatonError } from '../errors.ts'
import { compareKeys } from './wire.ts'

export const DEFAULT_PAGE_LIMIT = 100
/** Store pages one search may scan for a post-filter before it returns what it has. */
const MAX_SCANS = 20

/** Matches counted at most; beyond, `hasMoreTotalItems` says there are more. */
export const MAX_TOTAL_ITEMS = 10_000

export interface PageOf<T> {
  readonly items: T[]
  readonly endCursor?: string
}

/** The `page` of a search answer. */
export interface PageInfo {
  readonly totalItems: number
  readonly hasMoreTotalItems?: boolean
  readonly endCursor?: string
}

/** A cursor as the client sees it: opaque base64. */
export function encodeCursor(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64')
}

/** The position in a cursor from `encodeCursor`, or undefined if it is not one. */
function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return undefined
  const position = Buffer.from(cursor, 'base64').toString('utf8')
  return encodeCursor(position) === cursor ? position : undefined
}

/** The position a `page.after` cursor points at; checked with `isPosition`. */
export function positionAfter(
  after: string | undefined,
  isPosition: (position: string) => boolean = (p) => /^[0-9]{1,20}$/.test(p),
): string | undefined {
  if (after === undefined) return undefined
  const position = decodeCursor(after)
  if (position === undefined || !isPosition(position)) {
    throw new BatonError(
      'BATON_REQUEST_INVALID',
      `body.page.after must be the endCursor of a previous page of the same search, got '${after}'`,
    )
  }
  return position
}

/** The key field is the only order the store can page in. */
export function checkSort(sort: readonly SearchSort[] | undefined, keyField: string): void {
  for (const [i, entry] of (sort ?? []).entries()) {
    if (entry.field !== keyField || (entry.order ?? 'ASC').toUpperCase() !== 'ASC') {
      throw new BatonError(
        'BATON_REQUEST_INVALID',
        `body.sort.${i}: results are sorted by ${keyField} ascending only; leave sort out or use {"field":"${keyField}","order":"ASC"}`,
      )
    }
  }
}

type StoreQuery<T> = (page: { limit: number; after?: string }) => Promise<T[]>

/**
 * Pages through a store query, keeping only what `accept` admits, and says how many match in all:
 * exactly when everything fit on a first page, else from `count` or by counting (up to a cap).
 */
export async function keysetSearch<T extends { readonly key: string }>(
  page: SearchPage | undefined,
  query: StoreQuery<T>,
  accept?: (item: T) => boolean,
  count?: () => Promise<number>,
): Promise<{ readonly items: T[]; readonly page: PageInfo }> {
  const found = await keysetPage(page, query, accept)
  const cursor = found.endCursor === undefined ? {} : { endCursor: encodeCursor(found.endCursor) }
  if (page?.after === undefined && found.endCursor === undefined) {
    return { items: found.items, page: { totalItems: found.items.length } }
  }
  if (count) return { items: found.items, page: { totalItems: await count(), ...cursor } }
  const counted = await countMatching(query, accept)
  return {
    items: found.items,
    page: {
      totalItems: Math.min(counted, MAX_TOTAL_ITEMS),
      ...(counted > MAX_TOTAL_ITEMS ? { hasMoreTotalItems: true } : {}),
      ...cursor,
    },
  }
}

/** The most rows the stores return for one query (their maxPageLimit). */
const STORE_BATCH_MAX = 1000

/** Matches of a store query, counted up to one past the cap. */
async function countMatching<T extends { readonly key: string }>(
  query: StoreQuery<T>,
  accept: ((item: T) => boolean) | undefined,
): Promise<number> {
  const batch = STORE_BATCH_MAX
  let counted = 0
  let after: string | undefined
  for (;;) {
    const rows = await query({ limit: batch, ...(after === undefined ? {} : { after }) })
    counted += accept ? rows.filter(accept).length : rows.length
    const last = rows[rows.length - 1]
    if (counted > MAX_TOTAL_ITEMS || rows.length < batch || !last) return counted
    after = last.key
  }
}

/** Pages through a store query, keeping only what `accept` admits (cursors are raw keys). */
async function keysetPage<T extends { readonly key: string }>(
  page: SearchPage | undefined,
  query: StoreQuery<T>,
  accept?: (item: T) => boolean,
): Promise<PageOf<T>> {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT
  const items: T[] = []
  let after = positionAfter(page?.after)
  // Never more than a store hands back at once: a store that caps the batch would otherwise look
  // like it ran out of rows (a page of 1000 would end the search).
  const batch = Math.min(STORE_BATCH_MAX, accept ? Math.max(limit + 1, 200) : limit + 1)
  for (let scan = 0; scan < MAX_SCANS; scan++) {
    const rows = await query({ limit: batch, ...(after === undefined ? {} : { after }) })
    for (const row of rows) {
      if (!accept || accept(row)) items.push(row)
      if (items.length > limit) {
        const kept = items.slice(0, limit)
        return { items: kept, endCursor: (kept[kept.length - 1] as T).key }
      }
    }
    const last = rows[rows.length - 1]
    if (rows.length < batch || !last) return { items }
    after = last.key
  }
  // Scanned enough for one request: hand back what matched and where to go on from.
  return { items, ...(after === undefined ? {} : { endCursor: after }) }
}

/**
 * Pages through items already in memory, ordered by `positionOf` (compared by `compare`); a page
 * ends with the position of its last item as the cursor.
 */
export function memorySearch<T>(
  all: readonly T[],
  page: SearchPage | undefined,
  positionOf: (item: T) => string,
  compare: (a: string, b: string) => number = compareKeys,
  isPosition?: (position: string) => boolean,
): { readonly items: T[]; readonly page: PageInfo } {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT
  const after = positionAfter(page?.after, isPosition)
  const sorted = [...all].sort((a, b) => compare(positionOf(a), positionOf(b)))
  const rest =
    after === undefined ? sorted : sorted.filter((i) => compare(positionOf(i), after) > 0)
  const items = rest.slice(0, limit)
  const last = items[items.length - 1]
  return {
    items,
    page: {
      totalItems: all.length,
      ...(rest.length > limit && last !== undefined
        ? { endCursor: encodeCursor(positionOf(last)) }
        : {}),
    },
  }
}
