/**
 * Long polling for remote job workers. A request that finds no job waits (up to its request
 * timeout) and is retried when this server did something that may have created jobs, and on a
 * short interval for jobs that appear otherwise (retry backoff over, a lease expired, another
 * node). One store query per job type per sweep, however many requests wait.
 */
import type { ActivatedJob, Engine } from '../runtime/engine.ts'

export interface ActivationRequest {
  readonly type: string
  readonly worker: string
  readonly timeoutMs: number
  readonly max: number
  /** How long to wait for a job; 0 or less answers at once. */
  readonly waitMs: number
}

interface Waiter {
  readonly request: ActivationRequest
  readonly deadline: number
  readonly signal: AbortSignal | undefined
  resolve(jobs: ActivatedJob[]): void
}

export interface JobActivationsOptions {
  /** How often waiting requests look for jobs besides being woken (default 100 ms). */
  readonly intervalMs?: number
  /** Requests allowed to wait at once; more are answered at once (default 10000). */
  readonly maxWaiting?: number
}

export class JobActivations {
  private readonly waiting = new Set<Waiter>()
  private timer: NodeJS.Timeout | undefined
  private sweeping = false
  private sweepAgain = false
  private wakeScheduled = false
  private closed = false
  private readonly intervalMs: number
  private readonly maxWaiting: number

  constructor(
    private readonly engine: Engine,
    options: JobActivationsOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100
    this.maxWaiting = options.maxWaiting ?? 10_000
  }

  /** Requests waiting for a job right now. */
  get waitingCount(): number {
    return this.waiting.size
  }

  /** Activates jobs; with none, waits for some up to `request.waitMs` (or until `signal` aborts). */
  async activate(request: ActivationRequest, signal?: AbortSignal): Promise<ActivatedJob[]> {
    const jobs = await this.tryActivate(request)
    if (jobs.length > 0 || request.waitMs <= 0 || this.closed) return jobs
    if (this.waiting.size >= this.maxWaiting || signal?.aborted) return []
    return new Promise<ActivatedJob[]>((resolve) => {
      // This timer keeps the process alive while a request waits; the sweep interval does not.
      const timeout = setTimeout(() => waiter.resolve([]), request.waitMs)
      const waiter: Waiter = {
        request,
        deadline: Date.now() + request.waitMs,
        signal,
        resolve: (found) => {
          clearTimeout(timeout)
          this.waiting.delete(waiter)
          signal?.removeEventListener('abort', onAbort)
          if (this.waiting.size === 0) this.stopTimer()
          resolve(found)
        },
      }
      const onAbort = (): void => waiter.resolve([])
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.add(waiter)
      this.startTimer()
    })
  }

  /** Something happened that may have created jobs: let waiting requests look soon. */
  wake(): void {
    if (this.waiting.size === 0 || this.wakeScheduled) return
    this.wakeScheduled = true
    setImmediate(() => {
      this.wakeScheduled = false
      void this.sweep()
    })
  }

  /** Answers every waiting request with no jobs and stops. */
  close(): void {
    this.closed = true
    for (const waiter of [...this.waiting]) waiter.resolve([])
    this.stopTimer()
  }

  private tryActivate(request: ActivationRequest): Promise<ActivatedJob[]> {
    return this.engine.activateJobs({
      type: request.type,
      worker: request.worker,
      timeoutMs: request.timeoutMs,
      max: request.max,
    })
  }

  private startTimer(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.sweep(), this.intervalMs)
    this.timer.unref()
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) {
      this.sweepAgain = true
      return
    }
    this.sweeping = true
    try {
      do {
        this.sweepAgain = false
        await this.sweepOnce()
      } while (this.sweepAgain && this.waiting.size > 0)
    } finally {
      this.sweeping = false
    }
  }

  private async sweepOnce(): Promise<void> {
    const now = Date.now()
    const exhausted = new Set<string>()
    for (const waiter of [...this.waiting]) {
      if (!this.waiting.has(waiter)) continue
      if (waiter.signal?.aborted || now >= waiter.deadline) {
        waiter.resolve([])
        continue
      }
      if (exhausted.has(waiter.request.type)) continue
      let jobs: ActivatedJob[]
      try {
        jobs = await this.tryActivate(waiter.request)
      } catch {
        // The engine refused (closed, overloaded): answer empty; the worker polls again.
        waiter.resolve([])
        continue
      }
      if (jobs.length === 0) {
        exhausted.add(waiter.request.type)
        continue
      }
      if (!this.waiting.has(waiter)) {
        // The caller went away while the jobs were leased: they are offered again when the
        // lease runs out (at-least-once).
        continue
      }
      waiter.resolve(jobs)
    }
  }
}
