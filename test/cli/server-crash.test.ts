import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createClient } from '../../src/client/client.ts'
import type { ClientWorkerOptions } from '../../src/client/worker.ts'
import type { HistoryEventWire, Variables } from '../../src/client/wire-types.ts'
import type { RunningServer } from './cli-process.ts'
import { freePort, repoRoot, startBaton } from './cli-process.ts'

const INSTANCES = 200
const KILL_AFTER = 100

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 100 ms until it holds; fails at `deadline` saying `what` was missing. */
async function until(
  deadline: number,
  what: () => string,
  check: () => Promise<boolean> | boolean,
): Promise<void> {
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what()}`)
    await pause(100)
  }
}

describe('cli/start durability', () => {
  it(
    'loses no instance and applies no job completion twice when the server is killed under load',
    { timeout: 150_000 },
    async (t) => {
      // Generous: a loaded machine (CI beside other work) starts the server slowly.
      const deadline = Date.now() + 120_000
      const dir = mkdtempSync(join(tmpdir(), 'baton-crash-'))
      // The restarted server must come back where the workers look for it: a fixed, free port.
      const port = await freePort()
      const args = [
        '--port',
        String(port),
        '--db',
        join(dir, 'baton.db'),
        '--data-dir',
        dir,
        '--no-examples',
      ]
      let server: RunningServer = await startBaton(args)
      const token = server.token
      assert.ok(token, server.output())
      const client = createClient({ baseUrl: server.address, token })
      await client.deploy([
        {
          name: 'reference.bpmn',
          content: readFileSync(join(repoRoot, 'examples/reference.bpmn')),
        },
      ])

      // Remote workers for the reference process's job types, as an application runs them.
      let killed = false
      let handledBeforeKill = 0
      let handledAfterKill = 0
      const workerErrors: unknown[] = []
      const options: ClientWorkerOptions = {
        backoff: { initialMs: 50, maxMs: 400 },
        requestTimeoutMs: 1_000,
        pollIntervalMs: 20,
        onError: (error) => workerErrors.push(error),
      }
      const handler = (variables: Variables) => async (): Promise<Variables> => {
        await pause(5) // some work, so jobs are in flight when the server dies
        if (killed) handledAfterKill++
        else handledBeforeKill++
        return variables
      }
      const workers = [
        client.worker('validate', handler({ valid: true }), options),
        client.worker('charge', handler({ charged: true }), options),
        client.worker('reserve', handler({ reserved: true }), options),
      ]
      t.after(async () => {
        await Promise.all(workers.map((w) => w.close()))
        await server.stop()
        rmSync(dir, { recursive: true, force: true })
      })

      // Given: instances started by a few concurrent callers, who retry while the server is down.
      const created: string[] = []
      const creators = Array.from({ length: 8 }, async () => {
        while (created.length < INSTANCES && Date.now() < deadline) {
          try {
            const { processInstanceKey } = await client.createProcessInstance({
              processDefinitionId: 'reference',
              variables: { amount: created.length },
            })
            created.push(processInstanceKey)
          } catch {
            await pause(50)
          }
        }
      })

      // When: the server is killed halfway, and restarted on the same database and port.
      await until(
        deadline,
        () => `${created.length} created`,
        () => created.length >= KILL_AFTER,
      )
      const exited = once(server.child, 'exit')
      server.child.kill('SIGKILL')
      await exited
      killed = true
      const createdBeforeKill = [...created]
      assert.ok(
        handledBeforeKill < createdBeforeKill.length * 3,
        `work was in flight: ${handledBeforeKill} jobs handled for ${createdBeforeKill.length} instances`,
      )
      server = await startBaton(args)
      assert.equal(server.address, `http://127.0.0.1:${port}`)
      await Promise.all(creators)
      assert.ok(created.length >= INSTANCES, `only ${created.length} instances were created`)

      // Then: every instance whose creation returned completes, worked by the same workers.
      let completed = new Set<string>()
      await until(
        deadline,
        () =>
          `${created.filter((k) => !completed.has(k)).length} of ${created.length} instances did not complete`,
        async () => {
          const result = await client.searchProcessInstances({
            filter: { processDefinitionId: 'reference', state: 'COMPLETED' },
            page: { limit: 1000 },
          })
          completed = new Set(result.items.map((i) => i.processInstanceKey))
          return created.every((key) => completed.has(key))
        },
      )
      assert.ok(createdBeforeKill.every((key) => completed.has(key)))
      assert.ok(handledAfterKill > 0, 'the workers reconnected by themselves and took jobs')
      assert.ok(workerErrors.length > 0, 'the workers saw the server go away')

      // And: each service task's job was completed exactly once.
      for (let i = 0; i < created.length; i += 20) {
        await Promise.all(
          created.slice(i, i + 20).map(async (key) => {
            const { items } = await client.history(key)
            assertEachJobCompletedOnce(key, items)
          }),
        )
      }

      // And: with workers just gone, the server still stops promptly on SIGTERM.
      await Promise.all(workers.map((w) => w.close()))
      const stopping = Date.now()
      await server.stop()
      assert.ok(Date.now() - stopping < 10_000, `stopped in ${Date.now() - stopping} ms`)
    },
  )
})

/** A key field of a history event (keys are decimal strings). */
function keyOf(event: HistoryEventWire, field: string): string {
  const value = event[field]
  assert.equal(typeof value, 'string', `${event.type}.${field}`)
  return value as string
}

function assertEachJobCompletedOnce(instanceKey: string, events: readonly HistoryEventWire[]) {
  const elementOfJob = new Map<string, string>()
  const completions = new Map<string, number>()
  for (const event of events) {
    if (event.type === 'JobCreated')
      elementOfJob.set(keyOf(event, 'jobKey'), keyOf(event, 'elementInstanceKey'))
    if (event.type === 'JobCompleted') {
      const element = elementOfJob.get(keyOf(event, 'jobKey')) ?? `job ${keyOf(event, 'jobKey')}`
      completions.set(element, (completions.get(element) ?? 0) + 1)
    }
  }
  const serviceTasks = events
    .filter((e) => e.type === 'ElementActivating' && e['elementType'] === 'serviceTask')
    .map((e) => keyOf(e, 'elementInstanceKey'))
  assert.equal(serviceTasks.length, 3, `instance ${instanceKey}: Validate, Charge and Reserve ran`)
  assert.deepEqual(
    serviceTasks.map((element) => completions.get(element) ?? 0),
    [1, 1, 1],
    `instance ${instanceKey}: one JobCompleted per service task`,
  )
  assert.equal(completions.size, 3, `instance ${instanceKey}: no other job was completed`)
  assert.equal(events.at(-1)?.type, 'ProcessInstanceCompleted')
}
