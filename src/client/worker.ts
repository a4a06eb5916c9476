/**
 * A remote job worker: long-polls the server for jobs of one type, runs a handler on each (at most
 * `maxJobsActive` at once), and completes or fails the job with the outcome. Transient failures
 * (server unreachable, overloaded, restarting) are retried with exponential backoff; `close()`
 * stops polling and waits for running handlers to finish and report.
 */
import type { BatonClient } from './client.ts'
import { isTransientError } from './http-error.ts'
import type { ActivatedJobWire, Variables } from './wire-types.ts'

/** What a handler may do with its job besides returning (complete) or throwing (fail). */
export interface ClientJobControls {
  complete(variables?: Variables): Promise<void>
  fail(options: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<void>
  /** Throws a BPMN error (caught by an error boundary event, or an incident). */
  throwError(errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>
}

export type ClientJob = ActivatedJobWire & ClientJobControls

/** Return variables (or nothing) to complete the job; throw to fail it (retries - 1). */
export type ClientJobHandler = (job: ClientJob) => Promise<Variables | void> | Variables | void

export interface ClientWorkerOptions {
  /** Most jobs handled at once (default 32). */
  readonly maxJobsActive?: number
  /** How long an activated job stays leased to this worker, ms (default 5 minutes). */
  readonly timeoutMs?: number
  /** Pause after a poll that brought no job, ms (default 100; the server long-polls first). */
  readonly pollIntervalMs?: number
  /** How long the server holds a poll open waiting for a job, ms (default 10 s). */
  readonly requestTimeoutMs?: number
  /** The worker name recorded on leased jobs (default `baton-client`). */
  readonly workerName?: string
  /** Only these variables (default: every variable visible at the job). */
  readonly fetchVariables?: readonly string[]
  /** Backoff before a job failed by a throwing handler is offered again, ms (default 0). */
  readonly retryBackOffMs?: number
  /** First and longest wait between retries of a transient failure (default 100 ms, 10 s). */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number }
  /** Attempts at completing or failing a job before giving up on a transient failure (default 8). */
  readonly reportAttempts?: number
  /** Told about handler errors, refused completions and polling failures. */
  readonly onError?: (error: unknown, job?: ActivatedJobWire) => void
}

export class ClientJobWorker {
  private readonly maxActive: number
  private readonly running = new Set<Promise<void>>()
  private closing = false
  private readonly abort = new AbortController()
  private wakeSleeper: (() => void) | undefined
  private readonly loop: Promise<void>

  constructor(
    private readonly client: BatonClient,
    readonly type: string,
    private readonly handler: ClientJobHandler,
    private readonly options: ClientWorkerOptions = {},
  ) {
    this.maxActive = Math.max(1, options.maxJobsActive ?? 32)
    this.loop = this.pollLoop()
  }

  /** Jobs whose handler is running now. */
  get activeJobs(): number {
    return this.running.size
  }

  /** Stops polling, then waits until every running handler finished and reported its outcome. */
  async close(): Promise<void> {
    this.closing = true
    this.abort.abort()
    this.wakeSleeper?.()
    await this.loop
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  private async pollLoop(): Promise<void> {
    const initial = this.options.backoff?.initialMs ?? 100
    const max = this.options.backoff?.maxMs ?? 10_000
    let backoff = 0
    while (!this.closing) {
      const room = this.maxActive - this.running.size
      if (room <= 0) {
        await Promise.race([...this.running, this.sleep(1000)])
        continue
      }
      try {
        const { jobs } = await this.client.activateJobs(
          {
            type: this.type,
            worker: this.options.workerName ?? 'baton-client',
            timeout: this.options.timeoutMs ?? 300_000,
            maxJobsToActivate: room,
            requestTimeout: this.options.requestTimeoutMs ?? 10_000,
            ...(this.options.fetchVariables === undefined
              ? {}
              : { fetchVariable: this.options.fetchVariables }),
          },
          { signal: this.abort.signal },
        )
        backoff = 0
        for (const job of jobs) this.start(job)
        if (jobs.length === 0) await this.sleep(this.options.pollIntervalMs ?? 100)
      } catch (error) {
        if (this.closing) break
        this.options.onError?.(error)
        // Transient or not (a revoked token, say), never spin: back off, up to the maximum.
        backoff = Math.min(max, backoff === 0 ? initial : backoff * 2)
        await this.sleep(isTransientError(error) ? jitter(backoff) : max)
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.closing || ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.wakeSleeper = done
    })
  }

  private start(job: ActivatedJobWire): void {
    const run = this.handle(job).finally(() => {
      this.running.delete(run)
      this.wakeSleeper?.()
    })
    this.running.add(run)
  }

  /** Reports an outcome, retrying transient failures with backoff (bounded). */
  private async report(job: ActivatedJobWire, send: () => Promise<void>): Promise<void> {
    const attempts = this.options.reportAttempts ?? 8
    let wait = this.options.backoff?.initialMs ?? 100
    const max = this.options.backoff?.maxMs ?? 10_000
    for (let attempt = 1; ; attempt++) {
      try {
        await send()
        return
      } catch (error) {
        if (!isTransientError(error) || attempt >= attempts) {
          this.options.onError?.(error, job)
          return
        }
        await new Promise((resolve) => setTimeout(resolve, jitter(wait)))
        wait = Math.min(max, wait * 2)
      }
    }
  }

  private async handle(job: ActivatedJobWire): Promise<void> {
    let settled = false
    const key = job.jobKey
    const controls: ClientJobControls = {
      complete: async (variables) => {
        settled = true
        await this.report(job, () => this.client.completeJob(key, variables ?? {}))
      },
      fail: async ({ errorMessage, retries, retryBackOff }) => {
        settled = true
        await this.report(job, () =>
          this.client.failJob(key, {
            errorMessage,
            retries: retries ?? Math.max(0, job.retries - 1),
            retryBackOff: retryBackOff ?? this.options.retryBackOffMs ?? 0,
          }),
        )
      },
      throwError: async (errorCode, errorMessage, variables) => {
        settled = true
        await this.report(job, () =>
          this.client.throwJobError(key, {
            errorCode,
            ...(errorMessage === undefined ? {} : { errorMessage }),
            ...(variables === undefined ? {} : { variables }),
          }),
        )
      },
    }
    let result: Variables | void
    try {
      result = await this.handler({ ...job, ...controls })
    } catch (error) {
      this.options.onError?.(error, job)
      if (settled) return
      await controls.fail({ errorMessage: error instanceof Error ? error.message : String(error) })
      return
    }
    if (settled) return
    if (
      result !== undefined &&
      (result === null || typeof result !== 'object' || Array.isArray(result))
    ) {
      await controls.fail({
        errorMessage: `the handler for job type '${job.type}' returned ${JSON.stringify(result)}; return an object of variables, or nothing`,
      })
      return
    }
    await controls.complete(result ?? {})
  }
}

/** Spreads retries of many workers apart: 50-100% of the wait. */
function jitter(ms: number): number {
  return Math.round(ms * (0.5 + Math.random() / 2))
}
