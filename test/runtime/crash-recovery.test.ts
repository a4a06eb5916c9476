import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { InstanceRecord, UserTaskRecord } from '../../src/store/store.ts'
import { Engine } from '../../src/runtime/engine.ts'
import { FakeClock, until } from '../support/engine-harness.ts'

const INSTANCES = 1000
const LANES = 16
const KILL_AFTER = 500
const childScript = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

interface ChildRun {
  readonly printed: string[]
  readonly signal: NodeJS.Signals | null
  readonly code: number | null
  readonly stderr: string
}

/** Runs the child until it has printed `killAfter` committed keys, then SIGKILLs it. */
function runChildAndKill(dbPath: string, killAfter: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', childScript, dbPath, String(INSTANCES), String(LANES)],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const printed: string[] = []
    let buffered = ''
    let stderr = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => (stderr += chunk))
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) if (/^\d+$/.test(line)) printed.push(line)
      if (printed.length >= killAfter && child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL')
    })
    child.on('error', reject)
    // 'close' fires after stdout ended: every line the child wrote before it died has been read.
    child.on('close', (code, signal) => resolve({ printed, signal, code, stderr }))
  })
}

async function allInstances(engine: Engine): Promise<InstanceRecord[]> {
  const all: InstanceRecord[] = []
  for (;;) {
    const after = all.at(-1)?.key
    const page = await engine.instances(
      { bpmnProcessId: 'crash-order' },
      { limit: 500, ...(after ? { after } : {}) },
    )
    all.push(...page)
    if (page.length < 500) return all
  }
}

async function openUserTasks(engine: Engine): Promise<UserTaskRecord[]> {
  const all: UserTaskRecord[] = []
  for (;;) {
    const after = all.at(-1)?.key
    const page = await engine.userTasks(
      { status: 'created', bpmnProcessId: 'crash-order' },
      { limit: 500, ...(after ? { after } : {}) },
    )
    all.push(...page)
    if (page.length < 500) return all
  }
}

/** Waits until no instance waits at the service task any more (its job was completed). */
async function untilJobsDone(engine: Engine): Promise<void> {
  await until(
    engine,
    async () =>
      (await engine.store.countInstances({ bpmnProcessId: 'crash-order', status: 'active' })) ===
      (await openUserTasks(engine)).length,
    'every recovered job was completed',
  )
}

describe('runtime/crash-recovery', () => {
  it(
    'loses no committed instance and applies no job completion twice when the process is killed',
    { timeout: 60_000 },
    async (t) => {
      // given a child process starting instances on a SQLite file, killed in the middle
      const dir = mkdtempSync(join(tmpdir(), 'baton-crash-'))
      const dbPath = join(dir, 'baton.db')
      const started = performance.now()
      const run = await runChildAndKill(dbPath, KILL_AFTER)
      assert.equal(
        run.signal,
        'SIGKILL',
        `the child should have been killed, but it exited with ${run.code}: ${run.stderr}`,
      )
      assert.ok(
        run.printed.length >= KILL_AFTER && run.printed.length < INSTANCES,
        `killed after ${run.printed.length} keys`,
      )
      assert.equal(new Set(run.printed).size, run.printed.length, 'the child printed a key twice')

      // when an engine reopens the file and works what is left
      const engine = await Engine.open({ path: dbPath, durable: true, clock: new FakeClock() })
      t.after(() => engine.close())
      // After the close: hooks run in the order added, and a live engine's files must stay.
      t.after(() => rmSync(dir, { recursive: true, force: true }))
      const recovered = await allInstances(engine)
      const jobsLeft = recovered.filter((i) => Object.keys(i.state.jobs).length > 0).length
      let handled = 0
      engine.worker('crash-charge', (job) => {
        handled++
        return { charged: true, chargedFor: job.variables.n ?? null }
      })
      await untilJobsDone(engine)
      const tasks = await openUserTasks(engine)
      for (const task of tasks) await engine.completeUserTask(task.key, { shipped: true })

      // then every committed instance is there, once, and nothing else but what was in flight
      const stored = await allInstances(engine)
      const storedKeys = new Set(stored.map((i) => i.key))
      assert.equal(storedKeys.size, stored.length, 'an instance key is stored twice')
      const missing = run.printed.filter((key) => !storedKeys.has(key))
      assert.deepEqual(missing, [], 'committed instances were lost')
      const unprinted = stored.length - run.printed.length
      assert.ok(
        unprinted >= 0 && unprinted <= LANES,
        `${unprinted} instances committed but not printed; at most ${LANES} were in flight`,
      )
      assert.equal(
        await engine.store.countInstances({ bpmnProcessId: 'crash-order' }),
        storedKeys.size,
      )

      // and all of them completed, each job completed exactly once
      assert.equal(handled, jobsLeft, 'the recovered engine worked exactly the jobs that were open')
      for (const instance of stored) {
        assert.equal(instance.status, 'completed', `instance ${instance.key} did not complete`)
        const events = await engine.history(instance.key)
        assert.deepEqual(
          events.map((e) => e.position),
          events.map((_, i) => i),
          `instance ${instance.key} has gaps in its log`,
        )
        const jobsCreated = events.flatMap((e) => (e.type === 'JobCreated' ? [e.jobKey] : []))
        const jobsCompleted = events.flatMap((e) => (e.type === 'JobCompleted' ? [e.jobKey] : []))
        assert.equal(
          jobsCreated.length,
          1,
          `instance ${instance.key} created ${jobsCreated.length} jobs`,
        )
        assert.deepEqual(
          jobsCompleted,
          jobsCreated,
          `instance ${instance.key} completed its job ${jobsCompleted.length} times`,
        )
        const serviceTaskCompletions = events.filter(
          (e) => e.type === 'ElementCompleted' && e.elementId === 'Task_charge',
        )
        assert.equal(serviceTaskCompletions.length, 1)
        assert.equal(events.filter((e) => e.type === 'UserTaskCreated').length, 1)
        assert.equal(events.filter((e) => e.type === 'ProcessInstanceCompleted').length, 1)
      }

      // when the rest of the 1,000 instances are started on the recovered engine
      const rest = await Promise.all(
        Array.from({ length: INSTANCES - stored.length }, (_, i) =>
          engine.createInstance('crash-order', { variables: { n: stored.length + i } }),
        ),
      )
      await untilJobsDone(engine)
      for (const task of await openUserTasks(engine))
        await engine.completeUserTask(task.key, { shipped: true })

      // then 1,000 instances completed
      assert.equal(
        await engine.store.countInstances({ bpmnProcessId: 'crash-order', status: 'completed' }),
        INSTANCES,
      )
      assert.equal(await engine.store.countInstances({ bpmnProcessId: 'crash-order' }), INSTANCES)
      t.diagnostic(
        `printed before kill: ${run.printed.length}; stored after restart: ${stored.length} (${unprinted} committed but unprinted); ` +
          `jobs recovered: ${jobsLeft}; user tasks completed after restart: ${tasks.length}; started after restart: ${rest.length}; ` +
          `took ${Math.round(performance.now() - started)} ms`,
      )
    },
  )
})
