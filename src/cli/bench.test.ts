import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { postgresUnreachable, testPostgresUrl } from '../../test/support/postgres.ts'
import { skipUnlessRequired } from '../../test/support/skip-unless-required.ts'
import { openPostgresPool } from '../store/postgres/postgres-pool.ts'
import { benchDecisions, benchPostgres, benchReference } from './bench.ts'
import { benchMessages } from './bench/messages.ts'
import { benchRemoteWorkers } from './bench/remote-workers.ts'
import { benchScale } from './bench/scale.ts'
import { benchTimers } from './bench/timers.ts'
import { benchUserTasks } from './bench/user-tasks.ts'
import { benchFeel } from './bench/feel.ts'
import { benchPeerBpmnEngine } from './bench/peer-bpmn-engine.ts'
import { benchPeerDbos } from './bench/peer-dbos.ts'
import { benchStoreLimit } from './bench/store-limit.ts'

// A smoke of the benchmark code, not a timed test: it checks the scenario runs and reports figures.
describe('cli/bench', () => {
  it('runs the reference scenario to completion and reports its figures', async () => {
    const figures = await benchReference({
      total: 300,
      concurrency: 30,
      warmup: 20,
      durable: false,
      halfLoad: 60,
    })
    assert.equal(figures.instances, 300)
    assert.ok(figures.instancesPerSecond > 0)
    assert.ok(figures.p99Ms >= figures.p50Ms)
    assert.ok(figures.commandsPerCommit >= 1)
    assert.ok(figures.cpuMsPerInstance > 0)
    if (process.platform === 'linux') {
      // One thread's share of the process's CPU (its clock ticks are 10 ms).
      const engineThread = figures.engineThreadCpuMsPerInstance
      assert.ok(engineThread !== undefined && engineThread >= 0)
      assert.ok(engineThread <= figures.cpuMsPerInstance + 10 / 300, `${engineThread} ms`)
    }
    const half = figures.halfLoad
    assert.ok(half !== undefined)
    assert.equal(half.instances, 60)
    assert.equal(half.offeredPerSecond, Math.max(1, Math.round(figures.instancesPerSecond / 2)))
    assert.ok(half.p99Ms >= half.p50Ms && half.p50Ms > 0)
  })

  it('runs the decisions scenario over every row and reports decisions per second', async () => {
    const figures = await benchDecisions({ rows: 500, warmup: 50 })
    assert.equal(figures.rows, 500)
    assert.equal(figures.rules, 50)
    assert.ok(figures.decisionsPerSecond > 0)
  })

  it('runs the feel scenario, checking every result, and reports evaluations per second', () => {
    const figures = benchFeel({ evaluations: 5000, warmup: 100 })
    assert.equal(figures.evaluations, 5000)
    assert.equal(figures.expression, 'amount > 1000 and customer.tier = "gold"')
    assert.ok(figures.evaluationsPerSecond > 0)
  })

  it('measures the store’s grouped and single commit rates and the bound they put on reference', async () => {
    const figures = await benchStoreLimit({
      batchSize: 20,
      groupedCommits: 3,
      singleCommits: 5,
      durable: false,
    })
    assert.equal(figures.grouped.commandsPerCommit, 20)
    assert.equal(figures.grouped.commits, 3)
    assert.equal(figures.single.commandsPerCommit, 1)
    assert.equal(figures.single.commits, 5)
    // each command is the instance row, 11 events and a job row (rates are rounded)
    assert.ok(
      Math.abs(figures.grouped.rowsPerSecond - figures.grouped.commandsPerSecond * 13) <= 13,
    )
    assert.ok(figures.referenceInstancesPerSecondBound > 0)
  })

  it('runs the reference and user-task processes on bpmn-engine and the user tasks on Baton', async () => {
    const figures = await benchPeerBpmnEngine({ total: 12, concurrency: 4, warmup: 2 })
    assert.equal(figures.reference.instances, 12)
    assert.ok(figures.reference.instancesPerSecond > 0)
    assert.equal(figures.userTasks.instances, 12)
    assert.ok(figures.userTasks.tasksPerSecond > 0)
    assert.equal(figures.batonUserTasks.instances, 12)
    assert.ok(figures.batonUserTasks.tasksPerSecond > 0)
  })

  it('runs the reference scenario on a PostgreSQL node process and reports its CPU', async (t) => {
    const why = await postgresUnreachable()
    if (why !== undefined) return skipUnlessRequired(t, why)
    const figures = await benchPostgres({
      url: testPostgresUrl,
      nodes: 1,
      total: 40,
      concurrency: 8,
      warmup: 4,
    })
    assert.equal(figures.instances, 40)
    assert.ok(figures.instancesPerSecond > 0)
    assert.ok(figures.cpuMsPerInstance > 0, `${figures.cpuMsPerInstance} CPU ms/instance`)
    // null only when the server is on another machine (nothing to read in /proc)
    if (figures.serverCpuMsPerInstance !== null) assert.ok(figures.serverCpuMsPerInstance >= 0)
    assert.equal(figures.conflicts, 0)
    const pool = openPostgresPool(testPostgresUrl, 1)
    try {
      const left = await pool.query({
        text: `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'baton_bench_${process.pid}_1'`,
      })
      assert.deepEqual(left.rows, [{ n: 0 }], 'the bench drops its schema')
    } finally {
      await pool.end()
    }
  })

  it('runs the reference workflow on DBOS Transact in a schema of its own', async (t) => {
    const why = await postgresUnreachable()
    if (why !== undefined) return skipUnlessRequired(t, why)
    const figures = await benchPeerDbos({
      url: testPostgresUrl,
      total: 10,
      concurrency: 4,
      warmup: 2,
    })
    assert.equal(figures.workflows, 10)
    assert.ok(figures.workflowsPerSecond > 0)
    // the workflow status and the three steps' checkpoints
    assert.ok(figures.rowsPerWorkflow >= 4, `${figures.rowsPerWorkflow} rows per workflow`)
    const pool = openPostgresPool(testPostgresUrl, 1)
    try {
      const left = await pool.query({
        text: `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'baton_bench_dbos_${process.pid}'`,
      })
      assert.deepEqual(left.rows, [{ n: 0 }], 'the bench drops its schema')
    } finally {
      await pool.end()
    }
  })
})

// The workload scenarios, each run tiny: they check the scenario works end to end, not its speed.
describe('cli/bench workload scenarios', () => {
  it('remote-workers: runs reference instances through a server process and remote workers', async () => {
    const figures = await benchRemoteWorkers({ total: 20, concurrency: 5, warmup: 2 })
    assert.equal(figures.instances, 20)
    assert.ok(figures.instancesPerSecond > 0)
    assert.ok(figures.p99Ms >= figures.p50Ms)
    // a start and three job completions each, plus the shared activations
    assert.ok(figures.requestsPerInstance >= 4, `${figures.requestsPerInstance} requests/instance`)
    assert.ok(figures.serverRssMb > 0)
  })

  it('user-tasks: works every created task through query, claim and complete', async () => {
    const figures = await benchUserTasks({ tasks: 150, concurrency: 10, durable: false })
    assert.equal(figures.tasks, 150)
    assert.equal(figures.queries, 3) // two pages of 100 and 50, then an empty one
    assert.ok(figures.tasksPerSecond > 0)
    assert.ok(figures.p99Ms >= figures.p50Ms)
  })

  it('timers: fires every timer through the scheduler only once it is due', async () => {
    const figures = await benchTimers({
      timers: 30,
      concurrency: 10,
      durable: false,
      marginMs: 1000,
    })
    assert.equal(figures.timers, 30)
    assert.ok(figures.leadSeconds > 0)
    assert.ok(figures.p50LateMs >= 0, `fired ${figures.p50LateMs} ms after the due instant`)
    assert.ok(figures.firedPerSecond > 0)
  })

  it('messages: correlates one message to each waiting instance', async () => {
    const figures = await benchMessages({ messages: 100, concurrency: 20, durable: false })
    assert.equal(figures.messages, 100)
    assert.ok(figures.messagesPerSecond > 0)
    assert.ok(figures.p99Ms >= figures.p50Ms)
  })

  it('scale: measures start latency empty and loaded, and the engine process RSS', async () => {
    const figures = await benchScale({ history: 50, active: 30, samples: 10, settleMs: 10 })
    assert.equal(figures.history, 50)
    assert.equal(figures.eventsPerHistoryInstance > 10, true)
    assert.ok(figures.emptyP50Ms > 0 && figures.loadedP50Ms > 0)
    assert.ok(figures.rssMb > 0 && figures.rssAfterBurstMb > 0 && figures.fileMb >= 0)
  })
})
