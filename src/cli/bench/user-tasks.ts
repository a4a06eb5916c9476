/**
 * Scenario `user-tasks`: a task list worked through the engine API in process (no HTTP). Instances
 * of start -> user task (candidate group `clerks`) -> end are created; then clerks page through
 * the open tasks of their group (100 a page, keyset paging), claim each and complete it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../../runtime/engine.ts'
import type { UserTaskRecord } from '../../store/store.ts'
import { cpuMs, inFlight, latencyFigures, round } from './measure.ts'
import { userTaskModel } from './models.ts'

export interface UserTaskFigures {
  readonly tasks: number
  /** Creating the instances (each waits at its user task), per second. */
  readonly instancesPerSecond: number
  /** Query + claim + complete, per second, from the first query to the last completion. */
  readonly tasksPerSecond: number
  readonly seconds: number
  /** Per task: its claim and its completion, both committed. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly queries: number
  /** CPU time of the process per task worked (the engine and the clerks), ms. */
  readonly cpuMsPerTask: number
  readonly concurrency: number
  readonly durable: boolean
  readonly api: 'engine in process'
}

export async function benchUserTasks(options: {
  tasks: number
  concurrency: number
  durable: boolean
}): Promise<UserTaskFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-tasks-'))
  const engine = await Engine.open({ path: join(dir, 'bench.db'), durable: options.durable })
  try {
    await engine.deploy({ name: 'user-task.bpmn', xml: userTaskModel.xml })
    const c0 = performance.now()
    await inFlight(options.tasks, options.concurrency, (i) =>
      engine.createInstance(userTaskModel.id, { variables: { n: i } }),
    )
    const createSeconds = (performance.now() - c0) / 1000

    // Pages are fetched on demand, one at a time, while the clerks work the previous ones.
    const buffer: UserTaskRecord[] = []
    let after: string | undefined
    let exhausted = false
    let fetching: Promise<void> | undefined
    let queries = 0
    const fetchPage = async (): Promise<void> => {
      const page = await engine.userTasks(
        { status: 'created', candidateGroup: 'clerks' },
        { limit: 100, ...(after === undefined ? {} : { after }) },
      )
      queries++
      const last = page.at(-1)
      if (last === undefined) exhausted = true
      else after = last.key
      buffer.push(...page)
    }
    const nextTask = async (): Promise<UserTaskRecord | undefined> => {
      while (buffer.length === 0 && !exhausted) {
        fetching ??= fetchPage().finally(() => (fetching = undefined))
        await fetching
      }
      return buffer.shift()
    }

    const latencies: number[] = []
    let done = 0
    const t0 = performance.now()
    const cpu0 = cpuMs()
    await inFlight(options.concurrency, options.concurrency, async (lane) => {
      for (let task = await nextTask(); task; task = await nextTask()) {
        const s = performance.now()
        await engine.claimUserTask(task.key, `clerk-${lane}`)
        await engine.completeUserTask(task.key, { approved: true })
        latencies.push(performance.now() - s)
        done++
      }
    })
    const seconds = (performance.now() - t0) / 1000
    const cpuMsPerTask = (cpuMs() - cpu0) / options.tasks
    if (done !== options.tasks) {
      throw new Error(`user-tasks: ${done} tasks worked, ${options.tasks} were created`)
    }
    const left = await engine.instances({ status: 'active', bpmnProcessId: userTaskModel.id })
    if (left.length > 0) throw new Error(`user-tasks: ${left.length} instances still active`)
    return {
      tasks: options.tasks,
      instancesPerSecond: Math.round(options.tasks / createSeconds),
      tasksPerSecond: Math.round(options.tasks / seconds),
      seconds: round(seconds, 3),
      ...latencyFigures(latencies),
      queries,
      cpuMsPerTask: round(cpuMsPerTask, 3),
      concurrency: options.concurrency,
      durable: options.durable,
      api: 'engine in process',
    }
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
