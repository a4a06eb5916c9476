import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { benchDecisions, benchReference } from './bench.ts'
import { benchMessages } from './bench/messages.ts'
import { benchRemoteWorkers } from './bench/remote-workers.ts'
import { benchScale } from './bench/scale.ts'
import { benchTimers } from './bench/timers.ts'
import { benchUserTasks } from './bench/user-tasks.ts'

// A smoke of the benchmark code, not a timed test: it checks the scenario runs and reports figures.
describe('cli/bench', () => {
  it('runs the reference scenario to completion and reports its figures', async () => {
    const figures = await benchReference({
      total: 300,
      concurrency: 30,
      warmup: 20,
      durable: false,
    })
    assert.equal(figures.instances, 300)
    assert.ok(figures.instancesPerSecond > 0)
    assert.ok(figures.p99Ms >= figures.p50Ms)
    assert.ok(figures.commandsPerCommit >= 1)
  })

  it('runs the decisions scenario over every row and reports decisions per second', async () => {
    const figures = await benchDecisions({ rows: 500 })
    assert.equal(figures.rows, 500)
    assert.equal(figures.rules, 50)
    assert.ok(figures.decisionsPerSecond > 0)
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
    const figures = await benchScale({ history: 50, active: 30, samples: 10 })
    assert.equal(figures.history, 50)
    assert.equal(figures.eventsPerHistoryInstance > 10, true)
    assert.ok(figures.emptyP50Ms > 0 && figures.loadedP50Ms > 0)
    assert.ok(figures.rssMb > 0 && figures.fileMb >= 0)
  })
})
