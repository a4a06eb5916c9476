/**
 * The part of `pg` the PostgreSQL store uses, described structurally so that the rest of the
 * adapter does not depend on the library's own types (and a test could hand in a fake).
 */
import { Client, Pool, types } from 'pg'

/**
 * A value bound to a placeholder: keys and times travel as decimal strings or numbers; a Buffer
 * is sent in binary (the batch columns, see postgres-binary-array.ts).
 */
export type PostgresValue = string | number | boolean | null | Buffer | readonly PostgresValue[]

export interface PostgresQuery {
  readonly text: string
  readonly values?: readonly PostgresValue[]
  /** Prepares the statement once per connection under this name (fixed SQL only). */
  readonly name?: string
}

export interface PostgresResult<Row> {
  readonly rows: Row[]
  readonly rowCount: number | null
}

export interface PostgresQueryable {
  query<Row>(query: PostgresQuery): Promise<PostgresResult<Row>>
}

/** A connection checked out of the pool; `release` returns it (or discards it after an error). */
export interface PostgresClient extends PostgresQueryable {
  release(destroy?: boolean): void
}

export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresClient>
  end(): Promise<void>
}

/** What a failed statement carries: the SQLSTATE code (`23505` unique violation, ...). */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

const int8Oid = 20

/**
 * int8 values come back as decimal strings whatever another module set globally with
 * `pg.types.setTypeParser`: keys are strings in Baton, and times are converted where read.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === int8Oid) return (value: string) => value
    return format === 'binary'
      ? types.getTypeParser(oid, 'binary')
      : types.getTypeParser(oid, 'text')
  },
}

/** Opens a pool of at most `size` connections (connections are made on first use). */
export function openPostgresPool(url: string, size: number): PostgresPool {
  const pool = new Pool({ connectionString: url, max: size, types: typeParsers })
  // An idle connection that breaks (server restart, network) is dropped by the pool and the
  // next query opens a new one; without a listener the 'error' event would crash the process.
  pool.on('error', () => {})
  return pool
}

/**
 * LISTENs on `channel` over a connection of its own, calling `onMessage` with each payload; a
 * broken connection is reopened after a second (nodes poll meanwhile, so nothing is lost).
 * Resolves once listening; the returned function stops.
 */
export async function openPostgresListener(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
): Promise<() => Promise<void>> {
  let stopped = false
  let client: InstanceType<typeof Client> | undefined
  let retry: NodeJS.Timeout | undefined
  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: url, types: typeParsers })
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onMessage(message.payload)
    })
    const reconnect = (): void => {
      if (stopped || client !== next) return
      client = undefined
      next.end().catch(() => {})
      retry = setTimeout(() => void connect().catch(reconnect), 1000)
      retry.unref()
    }
    next.on('error', reconnect)
    next.on('end', reconnect)
    client = next
    await next.connect()
    await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`)
  }
  await connect()
  return async () => {
    stopped = true
    if (retry) clearTimeout(retry)
    const last = client
    client = undefined
    await last?.end().catch(() => {})
  }
}
