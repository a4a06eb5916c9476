/**
 * CPU time of a database server running on this machine, read from /proc: what the server spent
 * on a scenario, next to what the engine processes spent (process.cpuUsage). Linux only; on
 * another system, or when the server is on another host, there is nothing to read.
 */
import { readFileSync } from 'node:fs'

/** Linux reports process times in USER_HZ ticks, 100 per second on every architecture Node runs. */
const ticksPerSecond = 100

/**
 * CPU ms (user + system) used so far by each of these processes that is still running (a
 * server's backends, say, found in pg_stat_activity).
 */
export function processCpuMs(pids: Iterable<number>): Map<number, number> {
  const used = new Map<number, number>()
  for (const pid of pids) {
    const stat = readStat(pid)
    if (stat !== undefined) used.set(pid, stat.cpuMs)
  }
  return used
}

function readStat(pid: number): { cpuMs: number } | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined // exited meanwhile, or no /proc
  }
  // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
  const close = stat.lastIndexOf(')')
  const fields = stat.slice(close + 2).split(' ')
  // Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the state field.
  let ticks = 0
  for (let i = 11; i <= 14; i++) ticks += Number(fields[i] ?? 0)
  return { cpuMs: (ticks * 1000) / ticksPerSecond }
}
