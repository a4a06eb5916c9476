import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Store } from '../store.ts'
import { activateAmongLeasedJobs, contractCommit, contractJob } from '../contract-fixtures.ts'
import { describeStoreContract } from '../store-contract.ts'
import { describeSubscriptionStoreContract } from '../subscription-store-contract.ts'
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.ts'
import { migrations } from './sqlite-schema.ts'
import { activateJobsSql } from './sqlite-sql.ts'
import { openSqliteStore } from './sqlite-store.ts'

/** Undoes the migration that dropped jobs_activation: the index as the first migration made it. */
const restoreJobsActivation =
  "CREATE INDEX jobs_activation ON jobs (type, key) WHERE status <> 'failed'"
/** Undoes the migrations after the statistics one. */
const dropMessageStarts = `DROP TABLE active_message_starts; ${restoreJobsActivation}`
/** Undoes the statistics migration and those after it, to make a file as an older Baton wrote it. */
const dropStatistics =
  'DROP TABLE element_statistics; DROP TABLE element_durations; DROP INDEX incidents_active_definition; ' +
  dropMessageStarts

const tempDir = mkdtempSync(join(tmpdir(), 'baton-sqlite-store-'))
after(() => rmSync(tempDir, { recursive: true, force: true }))

/**
 * A store file as the Baton of schema `version` left it: made by this version, then the objects
 * of the later migrations dropped (`undo`) and the schema version set back.
 */
async function fileOfSchemaVersion(version: number, undo: string): Promise<string> {
  const path = tempPath()
  const first = await openSqliteStore({ path })
  await first.close()
  const Database = (await import('better-sqlite3')).default
  const raw = new Database(path)
  raw.exec(undo)
  raw.pragma(`user_version = ${version}`)
  raw.close()
  return path
}

let fileCount = 0
function tempPath(): string {
  fileCount += 1
  return join(tempDir, `db-${fileCount}`, 'baton.db')
}

describeStoreContract(':memory:', () => openSqliteStore({ path: ':memory:' }))

describeSubscriptionStoreContract(':memory:', () => openSqliteStore({ path: ':memory:' }))

const pathOf = new WeakMap<Store, string>()
describeStoreContract(
  'sqlite file',
  async () => {
    const path = tempPath()
    const store = await openSqliteStore({ path })
    pathOf.set(store, path)
    return store
  },
  {
    reopen: async (closed) => {
      const path = pathOf.get(closed)
      assert.ok(path !== undefined)
      return openSqliteStore({ path })
    },
  },
)

// Every commit written on the commit thread (see commit-thread.ts), from the first.
const threadPathOf = new WeakMap<Store, string>()
describeStoreContract(
  'sqlite file, commits on the commit thread',
  async () => {
    const path = tempPath()
    const store = await openSqliteStore({ path, commitThreadMinRows: 0 })
    threadPathOf.set(store, path)
    return store
  },
  {
    reopen: async (closed) => {
      const path = threadPathOf.get(closed)
      assert.ok(path !== undefined)
      return openSqliteStore({ path, commitThreadMinRows: 0 })
    },
  },
)

describe('store/sqlite', () => {
  it('reopens a file after close with its data and schema version intact', async () => {
    const path = tempPath()
    const store = await openSqliteStore({ path, durable: false })
    const first = await store.reserveKeys(3)
    await store.close()
    const reopened = await openSqliteStore({ path, durable: false })
    try {
      assert.equal(await reopened.reserveKeys(1), first + 3)
    } finally {
      await reopened.close()
    }
  })

  it('lets two stores share one file without handing out a job twice', async () => {
    const path = tempPath()
    const [a, b] = await Promise.all([openSqliteStore({ path }), openSqliteStore({ path })])
    try {
      const jobPuts = ['1', '2', '3'].map((key) => contractJob(key))
      const empty = {
        instances: [],
        events: [],
        jobDeletes: [],
        userTaskPuts: [],
        incidentPuts: [],
      }
      await a.commit({ ...empty, jobPuts })
      const request = { types: ['charge'], timeoutMs: 1000, now: 2000, max: 2 }
      const fromA = await a.activateJobs({ ...request, worker: 'a' })
      const fromB = await b.activateJobs({ ...request, worker: 'b' })
      assert.deepEqual(
        fromA.map((job) => job.key),
        ['1', '2'],
      )
      assert.deepEqual(
        fromB.map((job) => job.key),
        ['3'],
      )
      assert.equal((await a.getJob('3'))?.worker, 'b')
    } finally {
      await a.close()
      await b.close()
    }
  })

  for (const where of ['caller', 'thread'] as const) {
    it(`keeps a durable commit of a process killed right after commit returned (written on the ${where === 'caller' ? "caller's" : 'commit'} thread)`, async () => {
      const path = tempPath()
      const script = fileURLToPath(new URL('./durable-commit-child.ts', import.meta.url))
      const child = spawn(process.execPath, ['--import', 'tsx', script, path, where], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const exited = new Promise<NodeJS.Signals | null>((resolve) => {
        child.on('exit', (_code, signal) => resolve(signal))
      })
      let committed = false
      for await (const line of createInterface({ input: child.stdout })) {
        if (line === 'committed') {
          committed = true
          child.kill('SIGKILL')
          break
        }
      }
      assert.equal(await exited, 'SIGKILL')
      assert.ok(committed, 'the child printed committed')
      const store = await openSqliteStore({ path })
      try {
        assert.equal((await store.loadInstance('4242'))?.businessKey, 'crash-test')
        assert.equal((await store.readEvents('4242')).length, 1)
      } finally {
        await store.close()
      }
    })
  }

  it('names the path and the cause when the file cannot be opened', async () => {
    const notADirectory = join(tempDir, 'plain-file')
    writeFileSync(notADirectory, 'x')
    const path = join(notADirectory, 'baton.db')
    await assert.rejects(openSqliteStore({ path }), (error: unknown) => {
      assert.ok(error instanceof Error)
      assert.match(error.message, new RegExp(path.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      assert.match(error.message, /cannot create its directory .*(EEXIST|ENOTDIR)/)
      return true
    })
  })

  it('refuses a file that is not a SQLite database, naming it', async () => {
    const path = join(tempDir, 'garbage.db')
    writeFileSync(path, 'this is not a database, just some text that is long enough'.repeat(20))
    await assert.rejects(openSqliteStore({ path }), (error: unknown) => {
      assert.ok(error instanceof Error)
      assert.ok(error.message.includes(path), error.message)
      assert.match(error.message, /not a database/)
      return true
    })
  })

  it('refuses a file whose schema is newer than this version knows', async () => {
    const path = tempPath()
    const store = await openSqliteStore({ path })
    await store.close()
    const Database = (await import('better-sqlite3')).default
    const raw = new Database(path)
    raw.pragma('user_version = 99')
    raw.close()
    await assert.rejects(openSqliteStore({ path }), /schema version 99, newer/)
  })

  it('drops the jobs_activation index from a file written before activation used jobs_due', async () => {
    const activationIndexOf = (db: SqliteDatabase): unknown =>
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs_activation'").get()
    const first = openSqliteDatabase(':memory:', 0)
    const [firstMigration] = migrations
    assert.ok(firstMigration !== undefined)
    firstMigration(first)
    const made = activationIndexOf(first)
    first.close()
    assert.ok(made !== undefined)

    // Given a file of schema version 6, with the index as the first migration made it
    const path = await fileOfSchemaVersion(6, restoreJobsActivation)
    const old = openSqliteDatabase(path, 0)
    assert.deepEqual(activationIndexOf(old), made)
    old.close()

    // When a store opens it
    const store = await openSqliteStore({ path })
    await store.close()

    // Then the index is gone and the file is at the current version
    const check = openSqliteDatabase(path, 0)
    try {
      assert.equal(activationIndexOf(check), undefined)
      assert.equal(check.pragma('user_version', { simple: true }), migrations.length)
    } finally {
      check.close()
    }
  })

  it('adds the active message starts table to a file written before it', async () => {
    const path = await fileOfSchemaVersion(5, dropMessageStarts)
    const store = await openSqliteStore({ path })
    try {
      assert.equal(await store.activeMessageStart('order', 'o-1'), undefined)
      await store.commit(
        contractCommit({
          messageStartPuts: [{ bpmnProcessId: 'order', correlationKey: 'o-1', instanceKey: '7' }],
        }),
      )
      assert.equal(await store.activeMessageStart('order', 'o-1'), '7')
    } finally {
      await store.close()
    }
  })

  it('adds the statistics tables to a file written before them', async () => {
    const path = await fileOfSchemaVersion(4, dropStatistics)
    const store = await openSqliteStore({ path })
    try {
      assert.deepEqual(await store.elementStatistics('1'), [])
    } finally {
      await store.close()
    }
  })

  it('adds the decision table to a file written before decisions', async () => {
    const path = await fileOfSchemaVersion(
      2,
      `DROP TABLE decision_definitions; DROP INDEX instances_ended; ${dropStatistics}`,
    )
    const store = await openSqliteStore({ path })
    try {
      assert.deepEqual(await store.listDecisionDefinitions(), [])
    } finally {
      await store.close()
    }
  })

  it('adds the subscription tables to a file written by the first schema version', async () => {
    const path = await fileOfSchemaVersion(
      1,
      'DROP TABLE subscriptions; DROP TABLE buffered_messages; DROP TABLE decision_definitions; ' +
        `DROP INDEX instances_ended; ${dropStatistics}`,
    )
    const store = await openSqliteStore({ path })
    try {
      await store.commit({
        instances: [],
        events: [],
        jobPuts: [],
        jobDeletes: [],
        userTaskPuts: [],
        incidentPuts: [],
        messagePuts: [
          {
            key: '1',
            name: 'paid',
            correlationKey: 'order-1',
            messageId: null,
            variables: {},
            publishedAt: 0,
            expiresAt: 10,
          },
        ],
      })
      assert.equal((await store.bufferedMessages('paid', 'order-1', 0)).length, 1)
    } finally {
      await store.close()
    }
    const Database = (await import('better-sqlite3')).default
    const check = new Database(path)
    try {
      assert.equal(check.pragma('user_version', { simple: true }), migrations.length)
    } finally {
      check.close()
    }
  })

  it('refuses a limit SQLite would read as no limit', async () => {
    const store = await openSqliteStore({ path: ':memory:' })
    try {
      await assert.rejects(store.dueTimers(0, -1), /invalid limit -1 for dueTimers/)
      await assert.rejects(store.deleteExpiredMessages(0, 1.5), /invalid limit 1.5/)
    } finally {
      await store.close()
    }
  })

  it('finds a due job through jobs_due, never visiting the jobs leased to workers', async () => {
    const path = tempPath()
    const store = await openSqliteStore({ path })
    try {
      assert.deepEqual(await activateAmongLeasedJobs(store, 5000), ['5001'])
    } finally {
      await store.close()
    }
    // The work is in the plan: one indexed range of due jobs per type, with the statistics
    // ANALYZE gathers (which steered the old query to a scan of the whole table) and without.
    const Database = (await import('better-sqlite3')).default
    const raw = new Database(path)
    try {
      for (const analyzed of [false, true]) {
        if (analyzed) raw.exec('ANALYZE')
        for (const types of [['charge'], ['charge', 'ship']]) {
          const params = ['w1', 3000, ...types.flatMap((type) => [type, 2000, 10]), 10]
          const plan = raw.prepare(`EXPLAIN QUERY PLAN ${activateJobsSql(types.length)}`)
          const details = (plan.all(...params) as { detail: string }[]).map((row) => row.detail)
          assert.deepEqual(
            details.filter((detail) => /\bjobs\b/.test(detail)),
            [
              'SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)',
              ...types.map(() => 'SEARCH jobs USING INDEX jobs_due (type=? AND due_at<?)'),
            ],
            `plan for ${types.length} type(s)${analyzed ? ' after ANALYZE' : ''}:\n` +
              details.join('\n'),
          )
        }
      }
    } finally {
      raw.close()
    }
  })

  it('rejects a malformed key on write and finds nothing for it on read', async () => {
    const store = await openSqliteStore({ path: ':memory:' })
    try {
      assert.equal(await store.loadInstance('12a'), undefined)
      assert.equal(await store.getJob('-1'), undefined)
      assert.deepEqual(await store.queryIncidents({ instanceKey: 'x' }), [])
      assert.equal(await store.countInstances({ parentKey: '1.5' }), 0)
      await assert.rejects(store.queryInstances({}, { after: 'abc' }), RangeError)
      await assert.rejects(store.queryInstances({}, { limit: 0 }), RangeError)
      await assert.rejects(
        store.commit({
          instances: [],
          events: [],
          jobPuts: [],
          jobDeletes: ['not-a-key'],
          userTaskPuts: [],
          incidentPuts: [],
        }),
        /invalid key "not-a-key"/,
      )
    } finally {
      await store.close()
    }
  })
})
