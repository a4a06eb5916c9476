/**
 * Keyset paging for the search routes: items come in key order, a page ends with a cursor (the
 * last key), and the next page starts after it. Filters the store cannot apply are applied here,
 * scanning a bounded number of store pages per request.
 */
import type { SearchPage, SearchSort } from '../client/wire-types.ts'
import { BatonError } from '../errors.ts'
import { compareKeys } from './wire.ts'

export const DEFAULT_PAGE_LIMIT = 100
/** Store pages one search may scan for a post-filter before it returns what it has. */
const MAX_SCANS = 20

export interface PageOf<T> {
  readonly items: T[]
  readonly endCursor?: string
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

export function checkKeyCursor(after: string | undefined): void {
  if (after !== undefined && !/^[0-9]{1,20}$/.test(after)) {
    throw new BatonError(
      'BATON_REQUEST_INVALID',
      `body.page.after must be the endCursor of a previous page (a key), got '${after}'`,
    )
  }
}

/** Pages through a store query, keeping only what `accept` admits. */
export async function keysetPage<T extends { readonly key: string }>(
  page: SearchPage | undefined,
  query: (page: { limit: number; after?: string }) => Promise<T[]>,
  accept?: (item: T) => boolean,
): Promise<PageOf<T>> {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT
  checkKeyCursor(page?.after)
  const items: T[] = []
  let after = page?.after
  const batch = accept ? Math.max(limit + 1, 200) : limit + 1
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

/** Pages through items already in memory, with cursors compared by `cursorOf`. */
export function memoryPage<T>(
  all: readonly T[],
  page: SearchPage | undefined,
  cursorOf: (item: T) => string,
  compare: (a: string, b: string) => number = compareKeys,
): PageOf<T> {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT
  const after = page?.after
  const sorted = [...all].sort((a, b) => compare(cursorOf(a), cursorOf(b)))
  const rest = after === undefined ? sorted : sorted.filter((i) => compare(cursorOf(i), after) > 0)
  const items = rest.slice(0, limit)
  const last = items[items.length - 1]
  return rest.length > limit && last !== undefined
    ? { items, endCursor: cursorOf(last) }
    : { items }
}
