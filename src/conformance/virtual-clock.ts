import type { Clock } from '../runtime/engine.ts'

interface Sleeper {
  readonly wakeAt: number
  readonly wake: () => void
}

/**
 * A clock that moves only when the harness moves it, with sleepers that wake when it passes their
 * time: betsy's `WAIT_TEN_SECONDS` waits ten virtual seconds and a suite runs in milliseconds.
 *
 * @example
 * const clock = new VirtualClock()
 * const waited = clock.sleep(10_000)
 * clock.advanceTo(clock.nextWakeUp() ?? clock.now()) // waited resolves
 */
export class VirtualClock implements Clock {
  private time: number
  private sleepers: Sleeper[] = []

  constructor(start = Date.UTC(2030, 0, 1, 9, 0, 0)) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  /** Resolves once the clock has been moved `ms` past the current time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ wakeAt: this.time + ms, wake: resolve })
    })
  }

  /** How many sleepers wait for the clock. */
  get sleeping(): number {
    return this.sleepers.length
  }

  /** When the earliest sleeper wakes; undefined when nobody sleeps. */
  nextWakeUp(): number | undefined {
    let next: number | undefined
    for (const sleeper of this.sleepers)
      if (next === undefined || sleeper.wakeAt < next) next = sleeper.wakeAt
    return next
  }

  /** Moves the clock forward (never back) and wakes every sleeper whose time has come. */
  advanceTo(time: number): void {
    if (time > this.time) this.time = time
    const due = this.sleepers.filter((sleeper) => sleeper.wakeAt <= this.time)
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.wakeAt > this.time)
    for (const sleeper of due) sleeper.wake()
  }

  /** Wakes every sleeper without moving the clock (teardown: nothing may wait forever). */
  wakeAll(): void {
    const all = this.sleepers
    this.sleepers = []
    for (const sleeper of all) sleeper.wake()
  }
}
