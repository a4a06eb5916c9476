/**
 * The engine process of the `scale` bench: opens the SQLite file the parent prepared (durable, as
 * in production), starts `active` user-task instances (they stay active), prints its resident set
 * size, then measures start latency: `samples` createInstance calls one after another (low load),
 * each from the call until its commit. Prints `figures <json>` and exits.
 *
 * Usage: scale-process <sqlite file> <active> <samples>
 */
import { Engine } from '../../runtime/engine.ts'
import { inFlight, latencyFigures, round } from './measure.ts'
import { userTaskModel } from './models.ts'

export interface ScaleProcessFigures {
  readonly active: number
  readonly activeSeconds: number
  /** After creating the active instances and a garbage collection when exposed, bytes. */
  readonly rss: number
  readonly heapUsed: number
  readonly samples: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Opening the engine on the file, ms. */
  readonly openMs: number
}

const [path, activeArg, samplesArg] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: scale-process <sqlite file> <active> <samples>')
const active = Number(activeArg)
const samples = Number(samplesArg)

const o0 = performance.now()
const engine = await Engine.open({ path, durable: true })
const openMs = performance.now() - o0
await engine.deploy({ name: 'user-task.bpmn', xml: userTaskModel.xml })
const a0 = performance.now()
await inFlight(active, 1000, (i) =>
  engine.createInstance(userTaskModel.id, { variables: { n: i, note: 'waiting for a clerk' } }),
)
const activeSeconds = (performance.now() - a0) / 1000
;(globalThis as { gc?: () => void }).gc?.()
const memory = process.memoryUsage()

const latencies: number[] = []
for (let i = 0; i < samples; i++) {
  const t0 = performance.now()
  await engine.createInstance(userTaskModel.id, { variables: { n: -i } })
  latencies.push(performance.now() - t0)
}
const figures: ScaleProcessFigures = {
  active,
  activeSeconds: round(activeSeconds, 2),
  rss: memory.rss,
  heapUsed: memory.heapUsed,
  samples,
  ...latencyFigures(latencies),
  openMs: round(openMs, 1),
}
process.stdout.write(`figures ${JSON.stringify(figures)}\n`)
await engine.close()
