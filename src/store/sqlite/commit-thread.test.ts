import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { contractCommit, contractInstance } from '../contract-fixtures.ts'
import { CommitNotWrittenError, ConcurrencyConflictError, type CommitBatch } from '../store.ts'
import { openSqliteStore } from './sqlite-store.ts'

const dir = mkdtempSync(join(tmpdir(), 'baton-commit-thread-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newPath = (): string => join(dir, `${++files}.db`)

/** A commit creating instance `key` (state version 1). */
function creating(key: string): CommitBatch {
  return contractCommit({
    instances: [{ record: contractInstance(key, '1'), expectedStateVersion: null }],
  })
}

describe('store/sqlite commit thread', () => {
  it('says several commits may be under way once commits go to the thread, one before', async () => {
    const onThread = await openSqliteStore({ path: newPath(), commitThreadMinRows: 0 })
    const onCaller = await openSqliteStore({ path: newPath(), commitThreadMinRows: Infinity })
    try {
      assert.ok(onThread.commitsInFlight > 1)
      assert.equal(onCaller.commitsInFlight, 1)
    } finally {
      await onThread.close()
      await onCaller.close()
    }
  })

  it('starts the thread at the first commit of at least the given rows, and writes there after it is ready', async () => {
    const path = newPath()
    const store = await openSqliteStore({ path, commitThreadMinRows: 3 })
    try {
      await store.commit(creating('1'))
      assert.equal(store.commitsInFlight, 1, 'a small commit leaves the thread unstarted')
      const three = contractCommit({
        instances: ['2', '3', '4'].map((key) => ({
          record: contractInstance(key, '1'),
          expectedStateVersion: null,
        })),
      })
      await store.commit(three)
      for (let i = 0; i < 200 && store.commitsInFlight === 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      assert.ok(store.commitsInFlight > 1, 'the thread took over')
      await store.commit(creating('5'))
      for (const key of ['1', '2', '3', '4', '5']) {
        assert.equal((await store.loadInstance(key))?.key, key)
      }
    } finally {
      await store.close()
    }
  })

  it('lets reads see a commit called before them, even one not awaited', async () => {
    const store = await openSqliteStore({ path: newPath(), commitThreadMinRows: 0 })
    try {
      const committed = store.commit(creating('10'))
      assert.equal((await store.loadInstance('10'))?.stateVersion, 1)
      await committed
    } finally {
      await store.close()
    }
  })

  it('fails a commit that conflicts, refuses the commits called before its failure was seen, then writes again', async () => {
    const store = await openSqliteStore({ path: newPath(), commitThreadMinRows: 0 })
    try {
      await store.commit(creating('20'))
      // The same key again: the thread's insert violates the primary key.
      const conflicting = store.commit(creating('20'))
      // Called before the failure came back: built on state that will not commit.
      const following = store.commit(creating('21'))
      await assert.rejects(conflicting, ConcurrencyConflictError)
      await assert.rejects(following, CommitNotWrittenError)
      // Refused until the caller had a turn to react.
      await assert.rejects(store.commit(creating('22')), CommitNotWrittenError)
      await new Promise((resolve) => setImmediate(resolve))
      await store.commit(creating('23'))
      assert.equal(await store.loadInstance('21'), undefined, 'nothing of a refused commit')
      assert.equal(await store.loadInstance('22'), undefined)
      assert.equal((await store.loadInstance('23'))?.key, '23')
    } finally {
      await store.close()
    }
  })
})
