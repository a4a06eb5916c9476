/**
 * `baton start`: the server on the embedded SQLite store (or a PostgreSQL URL), with the example
 * processes and their demo workers on a first start, unless --no-examples.
 */
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Store } from '../store/store.ts'
import { Engine } from '../runtime/engine.ts'
import { createServer, openFileTokenStore, tokenFilePath } from '../server/index.ts'
import { deployExamples, startExampleWorkers } from './examples.ts'

export interface StartOptions {
  /** `sqlite:PATH`, a file path, `:memory:`, or a `postgres://` URL. */
  readonly db: string
  readonly port: number
  readonly host: string
  readonly auth: boolean
  readonly examples: boolean
  readonly dataDir: string
  /** PostgreSQL schema (default `baton`). */
  readonly schema?: string
  /** Shared stores: lease length, ms (see EngineOptions.leaseMs). */
  readonly leaseMs?: number
  /** Delete data of instances ended more than this many days ago. */
  readonly retentionDays?: number
}

/** How long a stopping server lets requests in flight finish before it closes their connections. */
const STOP_GRACE_MS = 3_000

async function openStore(db: string, schema: string | undefined): Promise<Store | undefined> {
  if (db.startsWith('postgres://') || db.startsWith('postgresql://')) {
    const { openPostgresStore } = await import('../store/postgres/postgres-store.ts')
    return openPostgresStore({ url: db, ...(schema === undefined ? {} : { schema }) })
  }
  return undefined
}

/** Starts the server; resolves with a function that stops it. */
export async function startServer(
  options: StartOptions,
  out: (line: string) => void = console.log,
): Promise<() => Promise<void>> {
  const path = options.db.startsWith('sqlite:') ? options.db.slice('sqlite:'.length) : options.db
  const store = await openStore(options.db, options.schema)
  if (!store && path !== ':memory:') await mkdir(dirname(resolve(path)), { recursive: true })
  const engine = await Engine.open({
    ...(store ? { store } : { path }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
  })
  for (const failed of engine.definitionsNotLoaded()) {
    out(
      `warning: process definition ${failed.key} (${failed.bpmnProcessId} version ${failed.version}) is stored but this Baton cannot compile it; its instances wait:\n${failed.reason}`,
    )
  }
  if (options.examples) {
    const firstStart = engine.processDefinitions().length === 0
    const deployed = await deployExamples(engine)
    startExampleWorkers(engine)
    if (firstStart)
      out(
        `deployed the examples: ${deployed.map((d) => d.bpmnProcessId).join(', ')} (demo workers running)`,
      )
  }
  let auth: Parameters<typeof createServer>[0]['auth'] = { mode: 'none' }
  if (options.auth) {
    const tokens = await openFileTokenStore(tokenFilePath(options.dataDir))
    auth = { mode: 'tokens', tokens }
    if ((await tokens.list()).length === 0) {
      const token = await tokens.create('admin', { label: 'created on first start' })
      out(
        `first start: an admin API token was created (shown once, stored hashed in ${tokenFilePath(options.dataDir)}):`,
      )
      out(`  ${token}`)
      out('  more: baton token create <admin|operator|worker|task-user> [--user U --groups A,B]')
    }
  }
  const server = await createServer({ engine, auth, logger: false })
  const address = await server.listen({ host: options.host, port: options.port })
  out(
    `Baton listening on ${address} (store: ${store ? `postgres schema ${options.schema ?? 'baton'}, node ${engine.nodeId}` : path}${options.auth ? '' : ', auth OFF (--no-auth)'})`,
  )
  out(`  try: curl ${address}/health    API: ${address}/v2/openapi.json`)
  return async () => {
    // A connection the HTTP server does not see as idle (one a job worker's aborted long poll left
    // behind, say) would hold close() for the whole keep-alive timeout (72 s): requests still in
    // flight get a grace period, then every connection is closed.
    const force = setTimeout(() => server.server.closeAllConnections(), STOP_GRACE_MS)
    try {
      await server.close()
    } finally {
      clearTimeout(force)
    }
    await engine.close()
  }
}
