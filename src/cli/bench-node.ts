/**
 * One engine node of the PostgreSQL bench (`npm run bench -- --db postgres://...`): a process of
 * its own, so that two nodes use two cores. It opens the schema the parent prepared, warms up,
 * prints `ready`, runs its share of reference instances when it reads `go` on stdin, prints
 * its figures as one JSON line, and closes when it reads another line (or stdin ends).
 *
 * Usage: bench-node <postgres url> <schema> <instances> <concurrency> <warmup>
 */
import { createInterface } from 'node:readline'
import { Engine } from '../runtime/engine.ts'
import { openPostgresStore } from '../store/postgres/postgres-store.ts'

export interface NodeFigures {
  readonly instances: number
  readonly seconds: number
  readonly latencies: readonly number[]
  readonly batches: number
  readonly commands: number
  readonly commitMs: number
  readonly conflicts: number
  /** CPU time (user + system) of this node process during the measured run, ms. */
  readonly cpuMs: number
}

const [url, schema, totalArg, concurrencyArg, warmupArg] = process.argv.slice(2)
if (url === undefined || schema === undefined) {
  throw new Error('usage: bench-node <postgres url> <schema> <instances> <concurrency> <warmup>')
}
const total = Number(totalArg)
const concurrency = Number(concurrencyArg)
const warmup = Number(warmupArg)

const engine = await Engine.open({ store: await openPostgresStore({ url, schema, poolSize: 8 }) })
const maxActive = concurrency * 2
engine.worker('validate', () => ({ valid: true }), { maxActive })
engine.worker('charge', () => ({ charged: true }), { maxActive })
engine.worker('reserve', () => ({ reserved: true }), { maxActive })

async function run(count: number, latencies: number[] | undefined): Promise<void> {
  let started = 0
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++
      const t0 = performance.now()
      const result = await engine.createInstance('reference', {
        variables: { amount: started },
        awaitCompletion: true,
      })
      if (result.status !== 'completed')
        throw new Error(`instance ${result.instanceKey} ${result.status}`)
      latencies?.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
}

await run(warmup, undefined)
process.stdout.write('ready\n')
const lines = createInterface({ input: process.stdin })
await new Promise<void>((resolve) => lines.once('line', () => resolve()))
const before = engine.stats()
const latencies: number[] = []
const cpuBefore = process.cpuUsage()
const t0 = performance.now()
await run(total, latencies)
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpuBefore)
const after = engine.stats()
const figures: NodeFigures = {
  instances: total,
  seconds,
  latencies,
  batches: after.batches - before.batches,
  commands: after.commands - before.commands,
  commitMs: after.commitMs - before.commitMs,
  conflicts: after.conflicts - before.conflicts,
  cpuMs: (cpu.user + cpu.system) / 1000,
}
process.stdout.write(`${JSON.stringify(figures)}\n`)
// The parent reads the server's CPU time while this node's connections are still open.
await new Promise<void>((resolve) => {
  lines.once('line', () => resolve())
  lines.once('close', () => resolve())
})
lines.close()
await engine.close()
