import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts'
import type { CommitBatch, Store } from '../../src/store/store.ts'
import { FakeClock, fixture } from '../support/engine-harness.ts'

/**
 * An in-memory SQLite store whose commits settle a turn of the event loop later, like the file
 * store's writer thread, and whose commit number `failing` fails (nothing written). Every other
 * method waits for the commits called before it, as Store.pipelinedCommits requires.
 */
async function slowStore(failing: number): Promise<{ store: Store; commits: () => number }> {
  const inner = await openSqliteStore({ path: ':memory:', durable: false })
  let count = 0
  let last: Promise<unknown> = Promise.resolve()
  const commit = (batch: CommitBatch): Promise<void> => {
    count++
    const fail = count === failing
    // Read the batch now (the engine may change its objects once commit returned).
    const snapshot = structuredClone(batch)
    const done = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        if (fail) reject(new Error('disk full'))
        else inner.commit(snapshot).then(resolve, reject)
      })
    })
    last = done.catch(() => undefined)
    return done
  }
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      if (name === 'commit') return commit
      if (name === 'pipelinedCommits') return true
      if (name === 'commitsInFlight') return 1
      const value: unknown = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        await last
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store, commits: () => count }
}

describe('runtime/pipelined commit', () => {
  it('refuses the commands of a failed commit and runs the batch built on it again from the store', async (t) => {
    // given an instance waiting on its two parallel jobs (charge, reserve), committed
    const { store, commits } = await slowStore(3)
    const engine = await Engine.open({ store, clock: new FakeClock(), maxBatch: 1 })
    t.after(() => engine.close())
    await engine.deploy({ name: 'reference.bpmn', xml: fixture('../../examples/reference.bpmn') })
    const { instanceKey } = await engine.createInstance('reference', { variables: { amount: 1 } })
    const [validate] = await engine.activateJobs({
      type: 'validate',
      worker: 'w',
      timeoutMs: 60_000,
      max: 1,
    })
    assert.ok(validate)
    await engine.completeJob(validate.key, { valid: true })
    const [charge] = await engine.activateJobs({
      type: 'charge',
      worker: 'w',
      timeoutMs: 60_000,
      max: 1,
    })
    const [reserve] = await engine.activateJobs({
      type: 'reserve',
      worker: 'w',
      timeoutMs: 60_000,
      max: 1,
    })
    assert.ok(charge && reserve)
    assert.equal(commits(), 2)

    // when the charge's commit (the 3rd) fails while the reserve's batch, built on it, waits
    const completions = await Promise.allSettled([
      engine.completeJob(charge.key, { charged: true }),
      engine.completeJob(reserve.key, { reserved: true }),
    ])

    // then the charge is refused, the reserve done on the state as stored
    assert.equal(completions[0].status, 'rejected')
    assert.match(String(completions[0].reason), /disk full/)
    assert.equal(completions[1].status, 'fulfilled')
    // (rebuilt before it was written: no commit failed on a stale state version)
    assert.equal(engine.stats().conflicts, 0)
    const stored = await store.loadInstance(instanceKey)
    assert.equal(stored?.status, 'active')
    assert.deepEqual(Object.keys(stored?.state.jobs ?? {}), [charge.key])
    assert.equal(stored?.state.variables[instanceKey]?.reserved, true)
    assert.equal(stored?.state.variables[instanceKey]?.charged, undefined)
    const log = await engine.history(instanceKey)
    assert.deepEqual(
      log.filter((e) => e.type === 'JobCompleted').map((e) => e.jobKey),
      [validate.key, reserve.key],
    )

    // and the charge completes when sent again
    await engine.completeJob(charge.key, { charged: true })
    const done = await engine.awaitInstance(instanceKey)
    assert.equal(done.status, 'completed')
    assert.deepEqual(
      log.map((e) => e.position),
      log.map((_, i) => i),
    )
  })
})
