/**
 * What the commands that talk to a running server share: the client from --url and --token, and
 * one-line explanations of the failures a user can fix (server down, token missing or refused).
 */
import { BatonHttpError } from '../client/http-error.ts'
import type { BatonClient } from '../client/client.ts'
import { createClient } from '../client/client.ts'
import type { SearchPage, SearchResult } from '../client/wire-types.ts'

export const DEFAULT_URL = 'http://127.0.0.1:8080'

export interface RemoteOptions {
  /** Where the server listens (--url, BATON_URL). */
  readonly url: string
  /** A bearer API token (--token, BATON_TOKEN). */
  readonly token?: string | undefined
}

/** An error whose message is the whole story: main prints it as is and exits 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

interface NetworkCause {
  readonly code?: unknown
  readonly message?: unknown
  readonly errors?: readonly { readonly code?: unknown }[]
}

/** Why fetch failed: the system error code (ECONNREFUSED...) or undici's message ('bad port'). */
function networkReason(error: TypeError): string | undefined {
  const cause = (error as { cause?: NetworkCause }).cause
  if (typeof cause?.code === 'string') return cause.code
  const first = cause?.errors?.find((e) => typeof e.code === 'string')?.code
  if (typeof first === 'string') return first
  return typeof cause?.message === 'string' ? cause.message : undefined
}

/** Refuses a --url fetch cannot use, before any request. */
export function checkUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new CliError(`--url '${url}' is not a URL; use one like ${DEFAULT_URL}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliError(`--url '${url}' must start with http:// or https://, like ${DEFAULT_URL}`)
}

/**
 * Turns a failed request into an error that says what to do. Errors that are not about reaching
 * or being let into the server come back unchanged.
 */
export function explainRemoteError(error: unknown, options: RemoteOptions): unknown {
  const { url } = options
  if (error instanceof BatonHttpError) {
    if (error.status === 401) {
      return new CliError(
        options.token === undefined
          ? `the server at ${url} needs an API token: pass --token or set BATON_TOKEN (create one on the server's host with 'baton token create operator')`
          : `the server at ${url} refused the API token (unknown or revoked): pass another with --token or BATON_TOKEN ('baton token create operator' makes one)`,
      )
    }
    if (error.status === 403) {
      return new CliError(
        `the API token may not do this at ${url}: ${error.problem?.detail ?? error.message} (use an operator or admin token: 'baton token create operator')`,
      )
    }
    return error
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const code = networkReason(error)
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : (code ?? 'network error')
    return new CliError(
      `the Baton server isn't reachable at ${url} (${reason}); start one with 'baton start', or point --url (or BATON_URL) at a running server`,
    )
  }
  return error
}

/**
 * Runs `work` with a client for the server; failures to reach it or to be let in become
 * `CliError`s that say what to do.
 */
export async function withServer<T>(
  options: RemoteOptions,
  work: (client: BatonClient) => Promise<T>,
): Promise<T> {
  checkUrl(options.url)
  const client = createClient({
    baseUrl: options.url,
    ...(options.token === undefined ? {} : { token: options.token }),
  })
  try {
    return await work(client)
  } catch (error) {
    throw explainRemoteError(error, options)
  }
}

/** Reads search pages until `limit` items or the last page. */
export async function searchAll<Item>(
  search: (page: SearchPage) => Promise<SearchResult<Item>>,
  limit: number,
): Promise<{ readonly items: Item[]; readonly totalItems: number }> {
  const items: Item[] = []
  let after: string | undefined
  let totalItems = 0
  while (items.length < limit) {
    const result = await search({
      limit: Math.min(1000, limit - items.length),
      ...(after === undefined ? {} : { after }),
    })
    items.push(...result.items)
    totalItems = result.page.totalItems
    after = result.page.endCursor
    if (after === undefined || result.items.length === 0) break
  }
  return { items, totalItems: Math.max(totalItems, items.length) }
}
