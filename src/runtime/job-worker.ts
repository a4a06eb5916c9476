/**
 * In-process job workers. A worker gets jobs two ways: handed over right after the commit that
 * created them (leased in that same write), or by polling the store for jobs that became due
 * (retry backoff over, a lease expired because a handler hung or a process died).
 */
import { visibleVariables } from '../engine/behaviors/variables.ts'
import type { Key, Variables } from '../engine/types.ts'
import type { JobRecord } from '../store/store.ts'
import type { ActivatedJob, Engine } from './engine.ts'

/** What a handler may do with its job besides returning (complete) or throwing (fail). */
export interface JobControls {
  complete(variables?: Variables): Promise<void>
  fail(options: { errorMessage: string; retries?: number; retryBackoffMs?: number }): Promise<void>
  /** Throws a BPMN error (caught by an error boundary event, or an incident). */
  throwError(errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>
}

export type WorkerJob = ActivatedJob & JobControls

/**
 * Handles one job. Return an object (variables) or nothing to complete the job; throw to fail it
 * (retries - 1, after `retryBackoffMs`); or call one of the job's controls yourself.
 */
export type JobHandler = (job: WorkerJob) => Promise<Variables | void> | Variables | void

export interface JobWorkerOptions {
  /** How long a job stays leased to this worker before it is offered again (default 5 minutes). */
  readonly timeoutMs?: number
  /** Most jobs handled at once (default 32). */
  readonly maxActive?: number
  /** Backoff before a failed job is retried (default 0). */
  readonly retryBackoffMs?: number
  /** Called when a handler fails or its completion is refused. */
  readonly onError?: (error: unknown, job: ActivatedJob) => void
}

export class JobWorker {
  readonly timeoutMs: number
  private readonly maxActive: number
  private readonly retryBackoffMs: number
  private active = 0
  private stopped = false
  private polling = false
  private pollAgain = false
  /**
   * Jobs of this type may wait in the store unclaimed (created while no worker had room, or
   * announced by the engine or another node). Only then does a finished job make the worker look:
   * a store query after every job cost a tenth of the engine's time when every job is handed over.
   */
  private backlog = true
  private readonly running = new Set<Promise<void>>()

  constructor(
    private readonly engine: Engine,
    readonly type: string,
    private readonly handler: JobHandler,
    private readonly options: JobWorkerOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 300_000
    this.maxActive = options.maxActive ?? 32
    this.retryBackoffMs = options.retryBackoffMs ?? 0
  }

  spareCapacity(): number {
    return this.stopped ? 0 : this.maxActive - this.active
  }

  /**
   * @internal A job leased to this worker by the commit that created it; `activated` when the
   * engine already read its variables (as they were in that commit).
   */
  runClaimed(record: JobRecord, activated?: ActivatedJob): void {
    const job = activated ?? this.engine.activatedJobFromCache(record, visibleVariables)
    if (job) this.start(job)
    else {
      this.active++ // keep the slot while the instance loads
      void this.engine.toActivatedJob(record).then(
        (loaded) => {
          this.active--
          this.start(loaded)
        },
        () => this.active--,
      )
    }
  }

  /** Looks for due jobs in the store while there is capacity. */
  async poll(): Promise<void> {
    if (this.stopped) return
    if (this.polling) {
      this.pollAgain = true
      return
    }
    this.polling = true
    try {
      do {
        this.pollAgain = false
        const room = this.spareCapacity()
        if (room <= 0) return
        const jobs = await this.engine.activateJobs({
          type: this.type,
          worker: this.engine.nodeId,
          timeoutMs: this.engine.leaseFor(this.timeoutMs),
          max: room,
        })
        for (const job of jobs) this.start(job)
        // Fewer than asked for: nothing more is due in the store until someone says so.
        if (jobs.length < room) this.backlog = false
        else this.pollAgain = true
      } while (this.pollAgain && !this.stopped)
    } catch (error) {
      if (!this.stopped) this.options.onError?.(error, undefined as never)
    } finally {
      this.polling = false
    }
  }

  /** @internal Jobs of this type are waiting in the store. */
  wake(): void {
    this.backlog = true
    if (this.spareCapacity() > 0) void this.poll()
  }

  private start(job: ActivatedJob): void {
    this.active++
    this.engine.holdLease(job.key, this.timeoutMs)
    const run = this.handle(job).finally(() => {
      this.engine.releaseLease(job.key)
      this.active--
      this.running.delete(run)
      if (this.backlog && !this.stopped) void this.poll()
    })
    this.running.add(run)
  }

  private async handle(job: ActivatedJob): Promise<void> {
    let settled = false
    const engine = this.engine
    const key: Key = job.key
    const controls: JobControls = {
      complete: async (variables) => {
        settled = true
        await engine.completeJobOf(job, variables ?? {})
      },
      fail: async ({ errorMessage, retries, retryBackoffMs }) => {
        settled = true
        await engine.failJobOf(job, {
          retries: retries ?? job.retries - 1,
          errorMessage,
          retryBackoffMs: retryBackoffMs ?? this.retryBackoffMs,
        })
      },
      throwError: async (errorCode, errorMessage, variables) => {
        settled = true
        await engine.throwJobError(key, errorCode, errorMessage, variables)
      },
    }
    let result: Variables | void
    try {
      result = await this.handler({ ...job, ...controls })
    } catch (error) {
      if (settled) {
        this.options.onError?.(error, job)
        return
      }
      try {
        await engine.failJobOf(job, {
          retries: job.retries - 1,
          errorMessage: error instanceof Error ? error.message : String(error),
          retryBackoffMs: this.retryBackoffMs,
        })
      } catch (failError) {
        this.options.onError?.(failError, job)
      }
      this.options.onError?.(error, job)
      return
    }
    if (settled) return
    if (
      result !== undefined &&
      (result === null || typeof result !== 'object' || Array.isArray(result))
    ) {
      await engine
        .failJobOf(job, {
          retries: job.retries - 1,
          errorMessage: `the handler for job type '${job.type}' returned ${JSON.stringify(result)}; return an object of variables, or nothing`,
          retryBackoffMs: this.retryBackoffMs,
        })
        .catch((error: unknown) => this.options.onError?.(error, job))
      return
    }
    // The work is done: a refused completion (the job was cancelled, or the engine is overloaded)
    // is reported, never turned into a failure of the job.
    try {
      await engine.completeJobOf(job, result ?? {})
    } catch (error) {
      this.options.onError?.(error, job)
    }
  }

  /** Takes no new jobs; running handlers finish. */
  stop(): void {
    this.stopped = true
  }

  /** Resolves when every running handler has finished. */
  async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /** Stops this worker and waits for its running handlers. */
  async close(): Promise<void> {
    this.stop()
    await this.drained()
    this.engine.removeWorker(this)
  }
}
