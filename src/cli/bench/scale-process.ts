/**
 * The engine process of the `scale` bench: opens the SQLite file the parent prepared (durable, as
 * in production), starts `active` user-task instances (they stay active), and prints
 * `ready <json>` with its resident set size. Then, for each `sample` line on stdin, it starts one
 * more instance and prints `sample <ms>`: the createInstance call until its commit. It exits when
 * stdin closes. The parent alternates samples between an empty and a loaded process, so that both
 * see the same machine load.
 *
 * Usage: scale-process <sqlite file> <active> [settle ms]
 */
import { createInterface } from 'node:readline'
import { Engine } from '../../runtime/engine.ts'
import { inFlight, round } from './measure.ts'
import { userTaskModel } from './models.ts'

export interface ScaleProcessReady {
  readonly active: number
  readonly activeSeconds: number
  /**
   * Resident set size, bytes, once the engine has held the active instances idle for a while
   * (the settle argument, 3 s), after a garbage collection (when exposed): what an engine
   * holding them keeps.
   */
  readonly rss: number
  /**
   * The same right after starting them and a garbage collection: V8 still holds the pages the
   * burst's garbage took (heapTotal 98-140 MB for 33 MB in use, measured), and gives them back
   * to the system within seconds.
   */
  readonly rssAfterBurst: number
  readonly heapUsed: number
  /** Opening the engine on the file, ms. */
  readonly openMs: number
}

const [path, activeArg, settleArg] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: scale-process <sqlite file> <active> [settle ms]')
const active = Number(activeArg ?? 0)
/** How long the engine holds its active instances idle before its memory is read. */
const settleMs = Number(settleArg ?? 3000)

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
const afterBurst = process.memoryUsage()
await new Promise((resolve) => setTimeout(resolve, settleMs))
;(globalThis as { gc?: () => void }).gc?.()
const memory = process.memoryUsage()
const ready: ScaleProcessReady = {
  active,
  activeSeconds: round(activeSeconds, 2),
  rss: memory.rss,
  rssAfterBurst: afterBurst.rss,
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
