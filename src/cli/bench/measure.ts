/**
 * Small helpers the benchmark scenarios share: percentiles, rounding, and running a number of
 * operations with a fixed number in flight.
 */
import { readFileSync } from 'node:fs'

/** The `p`th percentile of ascending `sorted` values (nearest rank); 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** p50 and p99 of latencies in ms (sorts `latencies` in place). */
export function latencyFigures(latencies: number[]): { p50Ms: number; p99Ms: number } {
  latencies.sort((a, b) => a - b)
  return { p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) }
}

/**
 * Calls `run(i)` for i = 0 .. count-1 with at most `concurrency` calls in flight; the first
 * failure rejects the whole run.
 *
 * @example
 * await inFlight(10_000, 500, (i) => engine.createInstance('order', { variables: { i } }))
 */
export async function inFlight(
  count: number,
  concurrency: number,
  run: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < count) await run(next++)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane))
}

/** Resolves after `ms` (the scenarios wait for wall-clock due times; tests never call it). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

/**
 * CPU time (user + system) the process's main thread (the engine's) used so far, ms, from
 * Linux's /proc; undefined elsewhere. The other threads (SQLite's commit and checkpoint threads,
 * the garbage collector's helpers, libuv's pool) run on the other cores: what limits instances/s
 * is mostly this one.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    // The fields after the command name (which may hold spaces): utime and stime are the 12th
    // and 13th, in clock ticks (100 per second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

/** CPU time (user + system) this process used so far, ms; differences are robust to machine load. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
