/**
 * The workload scenarios of `npm run bench` (issue 8, scenarios 2 to 6): remote-workers,
 * user-tasks, timers, messages and scale. Each runs when selected (`--scenario a,b`; all by
 * default), prints one summary line, and gives its figures under its name for `--json`.
 */
import { benchMessages } from './messages.ts'
import { benchRemoteWorkers } from './remote-workers.ts'
import { benchScale } from './scale.ts'
import { benchTimers } from './timers.ts'
import { benchUserTasks } from './user-tasks.ts'

export const workloadScenarioNames = [
  'remote-workers',
  'user-tasks',
  'timers',
  'messages',
  'scale',
] as const

export interface WorkloadOptions {
  /** Whether a scenario was selected. */
  readonly wanted: (name: string) => boolean
  /** A numeric flag's value (`--name N`), or the fallback. */
  readonly arg: (name: string, fallback: number) => number
  readonly durable: boolean
  readonly log: (line: string) => void
}

const n = (value: number): string => value.toLocaleString('en-US')
const ms = (value: number): string => `${value.toFixed(1)} ms`

/** Runs the selected workload scenarios one after the other; returns their figures by name. */
export async function runWorkloadScenarios(
  options: WorkloadOptions,
): Promise<Record<string, unknown>> {
  const { wanted, arg, durable, log } = options
  const figures: Record<string, unknown> = {}
  if (wanted('remote-workers')) {
    const total = arg('remote-instances', 5000)
    const concurrency = arg('remote-concurrency', 200)
    const f = await benchRemoteWorkers({
      total,
      concurrency,
      warmup: arg('remote-warmup', Math.min(500, total)),
    })
    figures['remote-workers'] = f
    log(
      `remote-workers  ${n(f.instancesPerSecond)} instances/s, p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)} (reference over REST, ${concurrency} in flight, 3 remote workers, ${f.requestsPerInstance} requests/instance; CPU ms/instance: server ${f.serverCpuMsPerInstance}, clients ${f.clientCpuMsPerInstance}; server RSS ${f.serverRssMb} MB)`,
    )
  }
  if (wanted('user-tasks')) {
    const f = await benchUserTasks({
      tasks: arg('user-tasks', 20_000),
      concurrency: arg('user-task-concurrency', 100),
      durable,
    })
    figures['user-tasks'] = f
    log(
      `user-tasks      ${n(f.tasksPerSecond)} tasks/s (query + claim + complete), p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)} (${n(f.tasks)} tasks, ${f.concurrency} clerks, engine API in process; ${f.cpuMsPerTask} CPU ms/task; instances created at ${n(f.instancesPerSecond)}/s)`,
    )
  }
  if (wanted('timers')) {
    const f = await benchTimers({
      timers: arg('timers', 100_000),
      concurrency: arg('timer-concurrency', 1000),
      durable,
    })
    figures['timers'] = f
    log(
      `timers          ${n(f.firedPerSecond)} fired/s, all ${n(f.timers)} fired ${f.secondsToFireAll} s after ${f.overdueAtOpen ? 'the engine opened (they were overdue)' : 'their due instant'} (p50 ${ms(f.p50LateMs)}, p99 ${ms(f.p99LateMs)} late; ${f.cpuMsPerTimer} CPU ms/timer; system clock, production scheduler)`,
    )
  }
  if (wanted('messages')) {
    const f = await benchMessages({
      messages: arg('messages', 100_000),
      concurrency: arg('message-concurrency', 1000),
      durable,
    })
    figures['messages'] = f
    log(
      `messages        ${n(f.messagesPerSecond)} messages/s correlated, p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)} (${n(f.messages)} waiting instances, ${f.concurrency} in flight; ${f.cpuMsPerMessage} CPU ms/message; instances created at ${n(f.instancesPerSecond)}/s)`,
    )
  }
  if (wanted('scale')) {
    const f = await benchScale({
      history: arg('scale-history', 100_000),
      active: arg('scale-active', 100_000),
      samples: arg('scale-samples', 2000),
      progress: log,
    })
    figures['scale'] = f
    log(
      `scale           start p50 ${ms(f.loadedP50Ms)} / p99 ${ms(f.loadedP99Ms)} with ${n(f.history)} completed + ${n(f.active)} active, against ${ms(f.emptyP50Ms)} / ${ms(f.emptyP99Ms)} empty (x${f.p50Ratio} / x${f.p99Ratio}); engine RSS ${f.rssMb} MB with ${n(f.active)} active, idle 3 s after starting them (${f.rssAfterBurstMb} MB right after; file ${n(f.fileMb)} MB)`,
    )
  }
  return figures
}
