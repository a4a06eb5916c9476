/**
 * Scenario `timers`: many instances wait on an intermediate timer catch event, all due at the
 * same wall-clock instant a few seconds after the last one was created; the engine fires them
 * through the production path (the system clock, one armed timeout for the earliest due timer,
 * due timers read from the store 1000 at a time and fired as FireTimer commands, group-committed).
 *
 * The due instant is chosen from the creation rate measured on a calibration run (instances with
 * a far-future timer, cancelled before the measured run), so that all timers are created before
 * any is due.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../../runtime/engine.ts'
import { CompletionWatch } from './completions.ts'
import { inFlight, latencyFigures, round, sleep } from './measure.ts'
import { timerModel } from './models.ts'

export interface TimerFigures {
  readonly timers: number
  /** How long before the due instant the last timer was created, s. */
  readonly leadSeconds: number
  /** From the due instant until the last instance's timer fired and its commit ended it, s. */
  readonly secondsToFireAll: number
  /** timers / secondsToFireAll. */
  readonly firedPerSecond: number
  /** How late each timer fired (its instance's completing commit minus the due instant), ms. */
  readonly p50LateMs: number
  readonly p99LateMs: number
  readonly durable: boolean
}

export async function benchTimers(options: {
  timers: number
  /** Instances created at once while setting up. */
  concurrency: number
  durable: boolean
  /** Least time between the end of creation and the due instant, ms (default 3000). */
  marginMs?: number
}): Promise<TimerFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-timers-'))
  const engine = await Engine.open({ path: join(dir, 'bench.db'), durable: options.durable })
  const watch = new CompletionWatch(engine, timerModel.id)
  try {
    await engine.deploy({ name: 'timer.bpmn', xml: timerModel.xml })
    const far = new Date(Date.UTC(2100, 0, 1)).toISOString()
    const calibration = Math.min(2000, Math.max(10, Math.floor(options.timers / 10)))
    const keys: string[] = []
    let t = performance.now()
    await inFlight(calibration, options.concurrency, async () => {
      keys.push(
        (await engine.createInstance(timerModel.id, { variables: { due: far } })).instanceKey,
      )
    })
    const perInstanceMs = (performance.now() - t) / calibration
    await inFlight(keys.length, options.concurrency, (i) =>
      engine.cancelInstance(keys[i] as string),
    )

    const margin = options.marginMs ?? 3000
    const dueAt = Date.now() + Math.ceil(options.timers * perInstanceMs * 1.25) + margin
    const due = new Date(dueAt).toISOString()
    t = performance.now()
    await inFlight(options.timers, options.concurrency, () =>
      engine.createInstance(timerModel.id, { variables: { due } }),
    )
    const lead = dueAt - Date.now()
    if (lead <= 0) {
      throw new Error(
        `timers: creating ${options.timers} instances ended ${-lead} ms after their due instant; the figure would be wrong (the machine was slower than calibrated); run again`,
      )
    }
    if (watch.count > 0) throw new Error(`timers: ${watch.count} timers fired before they were due`)
    await sleep(lead - 200)
    await watch.until(options.timers, 30_000, 'timers')
    const late = watch.times.map((time) => time - dueAt)
    const last = Math.max(...late)
    const seconds = Math.max(last, 1) / 1000
    const { p50Ms, p99Ms } = latencyFigures(late)
    return {
      timers: options.timers,
      leadSeconds: round(lead / 1000, 2),
      secondsToFireAll: round(seconds, 3),
      firedPerSecond: Math.round(options.timers / seconds),
      p50LateMs: p50Ms,
      p99LateMs: p99Ms,
      durable: options.durable,
    }
  } finally {
    watch.close()
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
