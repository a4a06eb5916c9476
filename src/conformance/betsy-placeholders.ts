/**
 * betsy's script tasks hold placeholders instead of code. Each betsy adapter binds them to what the
 * engine under test offers; here they become the handler of the `script` job type (non-FEEL script
 * tasks are jobs in Baton), writing to a trace the harness compares with the expected one.
 */
import type { JsonValue, Key, Variables } from '../engine/types.ts'
import type { WorkerJob } from '../runtime/job-worker.ts'
import type { VirtualClock } from './virtual-clock.ts'

/** The error code betsy's `THROW_ERROR` script throws (its models catch `ERR_CODE`). */
export const betsyErrorCode = 'ERR_CODE'
/** How long `WAIT_TEN_SECONDS` and the `CREATE_TIMESTAMP_LOG_n` tasks take, in virtual time. */
export const betsyWaitMs = 10_000

/**
 * What the placeholders wrote while a case ran.
 *
 * - `CREATE_LOG_FILE` starts a fresh trace; `SCRIPT_<name>` appends `<name>`.
 * - `INCREMENT_INTEGER_VARIABLE` adds 1 to `integerVariable` (0 when unset); it writes nothing to
 *   the trace (WCP10's expected traces hold only task entries).
 * - `CREATE_MARKER_FILE` creates the marker; betsy checks its existence at the end (the expected
 *   trace says `MARKER_EXISTS`), so its position in the trace does not matter.
 * - `CREATE_TIMESTAMP_LOG_<n>` records an interval of `betsyWaitMs`; when two intervals overlap
 *   the branches ran in parallel (`EXECUTION_PARALLEL`).
 * - `WAIT_TEN_SECONDS` waits ten virtual seconds; `THROW_ERROR` throws BPMN error `ERR_CODE`.
 * - Anything else fails the job with no retries left (an incident naming the placeholder).
 */
export class BetsyLog {
  trace: string[] = []
  marker = false
  readonly intervals = new Map<string, { start: number; end?: number }>()
  /** Handlers running and not waiting for the clock. */
  busy = 0
  /** Jobs whose handler waits for the clock. */
  readonly sleepingJobs = new Set<Key>()

  /** Whether two timestamp intervals overlap (strictly: one starts before the other ends). */
  ranInParallel(): boolean {
    const spans = [...this.intervals.values()]
    for (const [i, a] of spans.entries()) {
      for (const b of spans.slice(i + 1)) {
        if (a.end === undefined || b.end === undefined) continue
        if (a.start < b.end && b.start < a.end) return true
      }
    }
    return false
  }
}

/** The handler for jobs of type `script`. */
export function betsyScriptHandler(
  log: BetsyLog,
  clock: VirtualClock,
): (job: WorkerJob) => Promise<Variables | void> {
  async function sleep(job: WorkerJob, ms: number): Promise<void> {
    log.busy--
    log.sleepingJobs.add(job.key)
    try {
      await clock.sleep(ms)
    } finally {
      log.sleepingJobs.delete(job.key)
      log.busy++
    }
  }

  return async (job) => {
    log.busy++
    try {
      const script = (job.headers['script'] ?? '').trim()
      const task = /^SCRIPT_(\w+)$/.exec(script)
      if (task?.[1] !== undefined) {
        log.trace.push(task[1])
        return
      }
      const timestamp = /^CREATE_TIMESTAMP_LOG_(\w+)$/.exec(script)
      if (timestamp?.[1] !== undefined) {
        const interval: { start: number; end?: number } = { start: clock.now() }
        log.intervals.set(timestamp[1], interval)
        await sleep(job, betsyWaitMs)
        interval.end = clock.now()
        return
      }
      switch (script) {
        case 'CREATE_LOG_FILE':
          log.trace = []
          return
        case 'CREATE_MARKER_FILE':
          log.marker = true
          return
        case 'INCREMENT_INTEGER_VARIABLE':
          return { integerVariable: increment(job.variables['integerVariable']) }
        case 'WAIT_TEN_SECONDS':
          await sleep(job, betsyWaitMs)
          return
        case 'THROW_ERROR':
          await job.throwError(betsyErrorCode, 'thrown by the THROW_ERROR placeholder')
          return
        default:
          await job.fail({
            errorMessage: `the betsy harness does not know the script placeholder '${script}' (element ${job.elementId})`,
            retries: 0,
          })
      }
    } finally {
      log.busy--
    }
  }
}

function increment(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 1
  if (typeof value !== 'number') {
    throw new Error(`integerVariable is ${JSON.stringify(value)}, not a number`)
  }
  return value + 1
}
