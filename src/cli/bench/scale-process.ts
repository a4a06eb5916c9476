/**
 * The engine process of the `scale` bench: opens the SQLite file the parent prepared (durable, as
 * in production), starts `active` user-task instances (they stay active), and prints
 * `ready <json>` with its resident set size. Then, for each `sample` line on stdin, it starts one
 * more instance and prints `sample <ms>`: the createInstance call until its commit. It exits when
 * stdin closes. The parent alternates samples between an empty and a loaded process, so that both
 * see the same machine load.
 *
 * Usage: scale-process <sqlite file> <active>
 */
import { createInterface } from 'node:readline'
import { Engine } from '../../runtime/engine.ts'
import { inFlight, round } from './measure.ts'
import { userTaskModel } from './models.ts'

export interface ScaleProcessReady {
  readonly active: number
  readonly activeSeconds: number
  /** After starting the active instances and a garbage collection (when exposed), bytes. */
  readonly rss: number
  readonly heapUsed: number
  /** Opening the engine on the file, ms. */
  readonly openMs: number
}

const [path, activeArg] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: scale-process <sqlite file> <active>')
const active = Number(activeArg ?? 0)

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
const ready: ScaleProcessReady = {
  active,
  activeSeconds: round(activeSeconds, 2),
  rss: memory.rss,
  heapUsed: memory.heapUsed,
  openMs: round(openMs, 1),
}
process.stdout.write(`ready ${JSON.stringify(ready)}\n`)

let n = 0
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'sample') continue
  const t0 = performance.now()
  await engine.createInstance(userTaskModel.id, { variables: { n: -++n } })
  process.stdout.write(`sample ${performance.now() - t0}\n`)
}
await engine.close()
