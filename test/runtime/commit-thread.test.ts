import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { Engine } from '../../src/runtime/engine.ts'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts'
import { fixture } from '../support/engine-harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'baton-commit-thread-engine-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('runtime/commits on the SQLite commit thread', () => {
  it('runs every instance to its end when a commit conflicts while the next one is under way', async (t) => {
    // given 300 reference instances whose validate jobs are held by a worker, on a file store
    // writing every commit on its commit thread (several commits under way at once)
    const path = join(dir, 'conflict.db')
    const store = await openSqliteStore({ path, commitThreadMinRows: 0 })
    assert.ok(store.commitsInFlight > 1)
    const engine = await Engine.open({ store })
    t.after(() => engine.close())
    await engine.deploy({ name: 'reference.bpmn', xml: fixture('../../examples/reference.bpmn') })
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    let waiting = 0
    engine.worker(
      'validate',
      async () => {
        waiting++
        await held
        return { valid: true }
      },
      { maxActive: 1000 },
    )
    engine.worker('charge', () => ({ charged: true }), { maxActive: 1000 })
    engine.worker('reserve', () => ({ reserved: true }), { maxActive: 1000 })
    const count = 300
    const ends = Array.from({ length: count }, (_, i) =>
      engine.createInstance('reference', { variables: { amount: i }, awaitCompletion: true }),
    )
    for (let i = 0; i < 500 && waiting < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.equal(waiting, count)

    // when another connection changes every instance's row behind the engine's back, and the
    // 300 completions arrive at once (the engine splits them over batches in flight together)
    const other = new Database(path)
    other.pragma('busy_timeout = 5000')
    other
      .prepare("UPDATE instances SET state_version = state_version + 1000 WHERE status = 'active'")
      .run()
    other.close()
    release()

    // then the conflicting commit and the one built on it are run again from the store, and
    // every instance ends once, with each of its jobs completed once
    const results = await Promise.all(ends)
    assert.ok(results.every((result) => result.status === 'completed'))
    assert.ok(engine.stats().conflicts >= 1, 'a commit conflicted')
    for (const { instanceKey } of results) {
      const events = await engine.history(instanceKey)
      assert.equal(events.filter((event) => event.type === 'JobCompleted').length, 3)
    }
  })
})
