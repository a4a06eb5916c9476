/**
 * Measures commit() throughput of the PostgreSQL store with the same reference-shaped commands as
 * the `store-limit` bench scenario (src/cli/bench/store-limit.ts): batches of 500 commands, each an
 * instance row, its events and a job, in a throwaway schema (dropped at the end).
 * Run: node --import tsx scripts/postgres-commit-bench.ts [batches] [url]
 * (the URL defaults to BATON_TEST_POSTGRES_URL, then postgres://postgres@127.0.0.1:5432/test).
 */
import {
  eventsPerCommand,
  referenceCommandBatch,
  rowsPerCommand,
} from '../src/cli/bench/store-limit.ts'
import { openPostgresPool } from '../src/store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts'

const batchSize = 500
const batches = Number(process.argv[2] ?? 40)
const url =
  process.argv[3] ??
  process.env['BATON_TEST_POSTGRES_URL'] ??
  'postgres://postgres@127.0.0.1:5432/test'

const keysFrom = (first: number): string[] =>
  Array.from({ length: batchSize }, (_, i) => String(first + i * 10))

const schema = `baton_bench_${process.pid}`
const admin = openPostgresPool(url, 1)
try {
  const store = await openPostgresStore({ url, schema, poolSize: 2 })
  // Warm-up: connections opened, statements prepared.
  await store.commit(referenceCommandBatch(keysFrom(500_000), 0))
  // Inserts: every batch creates 500 new instances.
  const inserts = Array.from({ length: batches }, (_, b) =>
    referenceCommandBatch(keysFrom(1_000_000 + b * batchSize * 10), 0),
  )
  let start = performance.now()
  for (const batch of inserts) await store.commit(batch)
  report('insert', performance.now() - start)
  // Updates: the same 500 instances move on, one version per batch (the steady state).
  const steady = keysFrom(90_000_000)
  await store.commit(referenceCommandBatch(steady, 0))
  const updates = Array.from({ length: batches }, (_, b) => referenceCommandBatch(steady, b + 1))
  start = performance.now()
  for (const batch of updates) await store.commit(batch)
  report('update', performance.now() - start)
  await store.close()
} finally {
  await admin.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` })
  await admin.end()
}

function report(what: string, ms: number): void {
  const commands = batches * batchSize
  console.log(
    `${what}: ${batches} commits x ${batchSize} commands in ${ms.toFixed(0)} ms = ` +
      `${Math.round((commands / ms) * 1000)} commands/s, ` +
      `${Math.round(((commands * rowsPerCommand) / ms) * 1000)} rows/s, ` +
      `${Math.round(((commands * eventsPerCommand) / ms) * 1000)} events/s, ${(ms / batches).toFixed(2)} ms/commit`,
  )
}
