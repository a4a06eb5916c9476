import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { benchDecisions, benchReference } from './bench.ts'

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
    assert.ok(figures.cpuMsPerInstance > 0)
  })

  it('runs the decisions scenario over every row and reports decisions per second', async () => {
    const figures = await benchDecisions({ rows: 500 })
    assert.equal(figures.rows, 500)
    assert.equal(figures.rules, 50)
    assert.ok(figures.decisionsPerSecond > 0)
  })
})
