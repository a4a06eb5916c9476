/**
 * Watches an engine's change feed for instances of one process that complete, with the wall time
 * (ms since the epoch) of the commit each completed in.
 */
import type { Engine } from '../../runtime/engine.ts'

export class CompletionWatch {
  /** Date.now() after the commit that completed each instance, in commit order. */
  readonly times: number[] = []
  private readonly stop: () => void
  private waiter: { count: number; resolve: () => void } | undefined

  constructor(engine: Engine, bpmnProcessId: string) {
    this.stop = engine.onChange((change) => {
      if (change.kind !== 'events') return
      let now: number | undefined
      for (const instance of change.instances) {
        if (instance.bpmnProcessId !== bpmnProcessId) continue
        for (const event of instance.events) {
          if (event.type === 'ProcessInstanceCompleted') this.times.push((now ??= Date.now()))
        }
      }
      if (this.waiter && this.times.length >= this.waiter.count) this.waiter.resolve()
    })
  }

  get count(): number {
    return this.times.length
  }

  /**
   * Resolves once `count` instances completed; rejects when none completed for `stallMs` (so
   * that a broken scenario fails instead of hanging).
   */
  async until(count: number, stallMs: number, what: string): Promise<void> {
    if (this.times.length >= count) return
    let seen = this.times.length
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiter = { count, resolve }
        timer = setInterval(() => {
          if (this.times.length > seen) seen = this.times.length
          else {
            reject(
              new Error(
                `${what}: ${this.times.length} of ${count} instances completed, none for ${stallMs} ms`,
              ),
            )
          }
        }, stallMs)
      })
    } finally {
      clearInterval(timer)
      this.waiter = undefined
    }
  }

  close(): void {
    this.stop()
  }
}
