/**
 * Scenario `timers`: many instances wait on an intermediate timer catch event, all due at the
 * same wall-clock instant; an engine opened as in production (system clock, its own scheduler:
 * one armed timeout for the earliest due timer, due timers read from the store 1000 at a time and
 * fired as FireTimer commands, group-committed) fires them.
 *
 * The instances are created beforehand by a setup engine on the same file whose clock stands
 * still at the setup's start, so that it never finds a timer due however long the creation takes
 * on a loaded machine; it is closed before the measured engine opens. The due instant is set
 * from the creation rate measured on a calibration run (instances with a far-future timer,
 * cancelled after), so that it is normally a few seconds after the measured engine opened; if the
 * creation took longer, the timers are already due when it opens and the time is counted from its
 * opening (`overdueAtOpen`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../../runtime/engine.ts'
import { CompletionWatch } from './completions.ts'
import { cpuMs, inFlight, latencyFigures, round, sleep } from './measure.ts'
import { timerModel } from './models.ts'

export interface TimerFigures {
  readonly timers: number
  /** How long before the due instant the measured engine opened, s. */
  readonly leadSeconds: number
  /** The creation took longer than calibrated: the timers were due when the engine opened. */
  readonly overdueAtOpen: boolean
  /**
   * From the due instant (or the engine's opening, when overdue) until the last instance's timer
   * fired and the commit that ended its instance, s.
   */
  readonly secondsToFireAll: number
  /** timers / secondsToFireAll. */
  readonly firedPerSecond: number
  /** How late each timer fired (its instance's completing commit minus the due instant), ms. */
  readonly p50LateMs: number
  readonly p99LateMs: number
  /** CPU time of the process per timer fired (from just before the due instant), ms. */
  readonly cpuMsPerTimer: number
  readonly durable: boolean
}

export async function benchTimers(options: {
  timers: number
  /** Instances created at once while setting up. */
  concurrency: number
  durable: boolean
  /** Time planned between the end of the creation and the due instant, ms (default 3000). */
  marginMs?: number
}): Promise<TimerFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-timers-'))
  const path = join(dir, 'bench.db')
  const setupStarted = Date.now()
  const setup = await Engine.open({
    path,
    durable: options.durable,
    clock: { now: () => setupStarted },
  })
  let engine: Engine | undefined
  let watch: CompletionWatch | undefined
  try {
    await setup.deploy({ name: 'timer.bpmn', xml: timerModel.xml })
    const far = new Date(Date.UTC(2100, 0, 1)).toISOString()
    const calibration = Math.min(2000, Math.max(10, Math.floor(options.timers / 10)))
    const keys: string[] = []
    let c0 = 0
    // The first tenth warms the engine up; the rest gives the rate.
    await inFlight(calibration, options.concurrency, async (i) => {
      if (i === Math.floor(calibration / 10)) c0 = performance.now()
      const created = await setup.createInstance(timerModel.id, { variables: { due: far } })
      keys.push(created.instanceKey)
    })
    const perInstanceMs = (performance.now() - c0) / (calibration - Math.floor(calibration / 10))
    await inFlight(keys.length, options.concurrency, (i) => setup.cancelInstance(keys[i] as string))

    const margin = options.marginMs ?? 3000
    const dueAt = Date.now() + Math.ceil(options.timers * perInstanceMs) + margin
    const due = new Date(dueAt).toISOString()
    await inFlight(options.timers, options.concurrency, () =>
      setup.createInstance(timerModel.id, { variables: { due } }),
    )
    await setup.close()

    engine = await Engine.open({ path, durable: options.durable })
    watch = new CompletionWatch(engine, timerModel.id)
    const openedAt = Date.now()
    const lead = dueAt - openedAt
    const from = Math.max(dueAt, openedAt)
    if (lead > 0) await sleep(lead - 100)
    if (watch.count > 0) throw new Error(`timers: ${watch.count} timers fired before they were due`)
    const cpu0 = cpuMs()
    await watch.until(options.timers, 30_000, 'timers')
    const cpuMsPerTimer = (cpuMs() - cpu0) / options.timers
    const late = watch.times.map((time) => time - from)
    const seconds = Math.max(Math.max(...late), 1) / 1000
    const { p50Ms, p99Ms } = latencyFigures(late)
    return {
      timers: options.timers,
      leadSeconds: round(lead / 1000, 2),
      overdueAtOpen: lead <= 0,
      secondsToFireAll: round(seconds, 3),
      firedPerSecond: Math.round(options.timers / seconds),
      p50LateMs: p50Ms,
      p99LateMs: p99Ms,
      cpuMsPerTimer: round(cpuMsPerTimer, 3),
      durable: options.durable,
    }
  } finally {
    watch?.close()
    await setup.close()
    await engine?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
