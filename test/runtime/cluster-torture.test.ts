/**
 * Scale-out torture (issue 6): three engine nodes (child processes) on one PostgreSQL schema run
 * 2,000 instances with parallel branches, a timer, a message published by another job's worker
 * and a user task, while nodes are killed with SIGKILL and restarted. At the end every instance
 * has completed, every job and user task was completed exactly once in the event log, and every
 * instance's log is contiguous (no gap, no duplicate position).
 *
 * BATON_TORTURE_INSTANCES and BATON_TORTURE_KILLS change the size (defaults 2000 and 4).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { EngineEvent } from '../../src/engine/types.ts'
import { Engine } from '../../src/runtime/engine.ts'
import { decodeEvents } from '../../src/store/event-codec.ts'
import { openPostgresPool } from '../../src/store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts'
import { skipUnlessRequired } from '../support/skip-unless-required.ts'
import { postgresUnreachable, testPostgresUrl } from '../support/postgres.ts'

const url = testPostgresUrl
const INSTANCES = Number(process.env['BATON_TORTURE_INSTANCES'] ?? 2000)
const KILLS = Number(process.env['BATON_TORTURE_KILLS'] ?? 4)
const NODES = 3
const LEASE_MS = 2000
const DEADLINE_MS = 200_000
const nodeScript = fileURLToPath(new URL('./cluster-node.ts', import.meta.url))

interface Node {
  child: ChildProcess
  exited: Promise<void>
}

/** Starts a node and resolves once its engine is open. */
async function startNode(schema: string): Promise<Node> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', nodeScript, url, schema, String(LEASE_MS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('ready')) resolve()
    })
    void exited.then(() => reject(new Error('a cluster node exited before it was ready')))
  })
  return { child, exited }
}

describe('runtime/scale-out on PostgreSQL', () => {
  it(
    `runs ${INSTANCES} instances on ${NODES} nodes to the end while nodes are SIGKILLed`,
    { timeout: DEADLINE_MS + 60_000 },
    async (t) => {
      const why = await postgresUnreachable(url)
      if (why !== undefined) return skipUnlessRequired(t, why)
      const schema = `baton_torture_${process.pid}`
      const admin = openPostgresPool(url, 2)
      const nodes: Node[] = []
      const started = Date.now()
      try {
        // The driver deploys and starts the instances, then leaves the work to the nodes.
        const driver = await Engine.open({
          store: await openPostgresStore({ url, schema, poolSize: 4 }),
          leaseMs: LEASE_MS,
        })
        await driver.deploy({
          name: 'cluster-torture.bpmn',
          xml: readFileSync(new URL('../fixtures/cluster-torture.bpmn', import.meta.url), 'utf8'),
        })
        for (let i = 0; i < NODES; i++) nodes.push(await startNode(schema))
        const readyIn = (Date.now() - started) / 1000

        let created = 0
        const create = async (): Promise<void> => {
          while (created < INSTANCES) {
            const n = created++
            await driver.createInstance('cluster-torture', { variables: { ref: `ref-${n}` } })
          }
        }
        let createdIn = 0
        const creating = Promise.all(Array.from({ length: 50 }, create)).then(() => {
          createdIn = (Date.now() - started) / 1000
          return driver.close()
        })

        const count = async (where: string): Promise<number> => {
          const { rows } = await admin.query<{ n: string }>({
            text: `SELECT count(*) AS n FROM "${schema}".instances ${where}`,
          })
          return Number(rows[0]?.n ?? 0)
        }
        // Kill a node every few seconds while there is work, and start it again.
        let kills = 0
        for (let k = 0; k < KILLS; k++) {
          await sleep(2500)
          const index = k % NODES
          const victim = nodes[index] as Node
          victim.child.kill('SIGKILL')
          await victim.exited
          kills++
          await sleep(300)
          nodes[index] = await startNode(schema)
        }
        await creating
        const activeAfterKills = await count("WHERE status = 'active'")

        while ((await count("WHERE status = 'completed'")) < INSTANCES) {
          assert.ok(
            Date.now() - started < DEADLINE_MS,
            `only ${await count("WHERE status = 'completed'")} of ${INSTANCES} instances completed in ${DEADLINE_MS / 1000} s`,
          )
          await sleep(500)
        }
        const seconds = (Date.now() - started) / 1000
        assert.equal(await count(''), INSTANCES)

        // Every instance's log: positions contiguous from the first, each job and user task
        // created once and completed exactly once.
        const { rows } = await admin.query<{
          instance_key: string
          from_position: number
          to_position: number
          events: string
        }>({
          text: `SELECT instance_key, from_position, to_position, events FROM "${schema}".instance_events ORDER BY instance_key, from_position`,
        })
        const logs = new Map<string, { from: number; to: number; events: EngineEvent[] }[]>()
        for (const row of rows) {
          const list = logs.get(row.instance_key) ?? []
          list.push({
            from: row.from_position,
            to: row.to_position,
            events: decodeEvents(row.events, row.from_position),
          })
          logs.set(row.instance_key, list)
        }
        assert.equal(logs.size, INSTANCES)
        let jobs = 0
        let tasks = 0
        for (const [instanceKey, batches] of logs) {
          let expected = batches[0]?.from ?? 0
          assert.ok(expected <= 1, `instance ${instanceKey}: the log starts at ${expected}`)
          const created = new Map<string, number>()
          const completed = new Map<string, number>()
          for (const batch of batches) {
            assert.equal(batch.from, expected, `instance ${instanceKey}: gap or overlap in the log`)
            assert.equal(batch.to, batch.from + batch.events.length - 1)
            for (const [i, event] of batch.events.entries()) {
              assert.equal(event.position, batch.from + i, `instance ${instanceKey}: position`)
              if (event.type === 'JobCreated' || event.type === 'UserTaskCreated') {
                const key = event.type === 'JobCreated' ? event.jobKey : event.userTaskKey
                created.set(key, (created.get(key) ?? 0) + 1)
              }
              if (event.type === 'JobCompleted' || event.type === 'UserTaskCompleted') {
                const key = event.type === 'JobCompleted' ? event.jobKey : event.userTaskKey
                completed.set(key, (completed.get(key) ?? 0) + 1)
              }
            }
            expected = batch.to + 1
          }
          assert.equal(created.size, 3, `instance ${instanceKey}: two jobs and a user task`)
          for (const [key, times] of created) {
            assert.equal(times, 1, `instance ${instanceKey}: ${key} created ${times} times`)
            assert.equal(
              completed.get(key),
              1,
              `instance ${instanceKey}: ${key} completed ${completed.get(key) ?? 0} times`,
            )
          }
          assert.equal(completed.size, created.size)
          jobs += 2
          tasks += 1
        }
        const { rows: open } = await admin.query<{ n: string }>({
          text: `SELECT (SELECT count(*) FROM "${schema}".jobs) + (SELECT count(*) FROM "${schema}".subscriptions) + (SELECT count(*) FROM "${schema}".user_tasks WHERE status = 'created') AS n`,
        })
        assert.equal(Number(open[0]?.n), 0, 'no open job, subscription or user task is left')
        t.diagnostic(
          `${INSTANCES} instances (${jobs} jobs, ${tasks} user tasks) on ${NODES} nodes in ${seconds.toFixed(1)} s, ` +
            `${kills} SIGKILLs, nodes ready after ${readyIn.toFixed(1)} s, all created after ${createdIn.toFixed(1)} s, ${activeAfterKills} instances still active after the last restart`,
        )
      } finally {
        for (const node of nodes) node.child.kill('SIGKILL')
        await Promise.all(nodes.map((node) => node.exited))
        await admin.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` })
        await admin.end()
      }
    },
  )
})
