import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { referenceCommandBatch } from '../../cli/bench/store-limit.ts'
import { Checkpointer } from './checkpointer.ts'
import { openSqliteStore } from './sqlite-store.ts'

const dir = mkdtempSync(join(tmpdir(), 'baton-checkpointer-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Commits `rounds` batches of 200 reference commands (the same 200 instances, one state version
 * further each round), calling `between` after each; the largest the log was after a commit.
 */
async function largestLog(
  store: Awaited<ReturnType<typeof openSqliteStore>>,
  path: string,
  rounds: number,
  between?: (round: number) => Promise<void>,
): Promise<number> {
  const keys = Array.from({ length: 200 }, (_, i) => String(1000 + i))
  let largest = 0
  for (let round = 0; round < rounds; round++) {
    await store.commit(referenceCommandBatch(keys, round))
    largest = Math.max(largest, statSync(`${path}-wal`).size)
    await between?.(round)
  }
  return largest
}

describe('store/sqlite checkpoints', () => {
  it('checkpoints a log its writer never checkpoints, on request, one run at a time', async () => {
    const path = join(dir, 'b.db')
    const Database = (await import('better-sqlite3')).default
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('wal_autocheckpoint = 0')
    db.exec('CREATE TABLE t (v TEXT)')
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(1000))
    })()
    const before = statSync(path).size
    const checkpointer = new Checkpointer({ path })
    try {
      checkpointer.request()
      checkpointer.request()
      checkpointer.request()
      for (let i = 0; i < 100 && checkpointer.runs < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      // Three asks while the first ran: that run and one more.
      assert.equal(checkpointer.runs, 2)
      assert.ok(statSync(path).size > before + 1_000_000, 'the rows reached the database file')
    } finally {
      await checkpointer.close()
      db.close()
    }
  })

  it('copies the log into the database file on a worker while commits go on, and rewinds the log', async () => {
    const path = join(dir, 'a.db')
    const store = await openSqliteStore({ path })
    try {
      // A pause now and then, as between a busy engine's batches, lets the worker catch up
      // (longer than the interval at which commits ask it for a checkpoint).
      const largest = await largestLog(store, path, 40, async (round) => {
        if (round % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 200))
      })
      // 40 commits of 200 commands write far more than the log ever held: it was rewound. (A
      // burst's last commits are checkpointed in the pause after it, by a request put off to
      // the end of the interval: without it the log grew to 7.5-11 MB.)
      const written = 40 * 200 * 2000
      assert.ok(largest < written / 4, `log grew to ${largest} bytes of ${written} written`)
      assert.equal((await store.loadInstance('1000'))?.stateVersion, 40)
    } finally {
      await store.close()
    }
    assert.equal(existsSync(`${path}-wal`), false, 'closing the last connection removes the log')
  })

  it('starts the log over under a steady stream of commits once it passes restartLogBytes', async () => {
    // Commits on the commit thread, one after the other with no pause: a PASSIVE checkpoint
    // never finds the log wholly copied, so without the restart it grows with every commit.
    const largest = async (restartLogBytes: number): Promise<number> => {
      const path = join(dir, `steady-${restartLogBytes}.db`)
      const store = await openSqliteStore({ path, commitThreadMinRows: 0, restartLogBytes })
      try {
        const size = await largestLog(store, path, 60)
        assert.equal((await store.loadInstance('1000'))?.stateVersion, 60)
        return size
      } finally {
        await store.close()
      }
    }
    const restarted = await largest(1024 * 1024)
    const never = await largest(Number.MAX_SAFE_INTEGER)
    // 60 commits of 200 commands write about 24 MB of log.
    assert.ok(never > 8 * 1024 * 1024, `without restarts the log grew to ${never} bytes only`)
    // Requests are made at most every 100 ms, so the log passes the limit by what commits write
    // in between.
    assert.ok(restarted < never / 2, `log grew to ${restarted} bytes (without: ${never})`)
  })

  it('closes at once when its worker could not open the database', async () => {
    const errors: string[] = []
    const checkpointer = new Checkpointer({
      path: join(dir, 'missing', 'no.db'),
      onError: (message) => errors.push(message),
    })
    for (let i = 0; i < 100 && errors.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.match(errors[0] ?? '', /unable to open|directory does not exist|cannot open/i)
    // The worker has exited by now.
    await new Promise((resolve) => setTimeout(resolve, 300))
    checkpointer.request()
    let timer: NodeJS.Timeout | undefined
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('close() still waits for a worker that exited')),
        3000,
      )
    })
    try {
      await Promise.race([checkpointer.close(), hung])
    } finally {
      clearTimeout(timer)
    }
  })
})
