/**
 * The commit thread's side (see commit-thread.ts): a second connection to the database file
 * that writes each commit it is posted in one transaction, fsyncs the log once the commits
 * waiting in its queue are written, and answers each one.
 */
import { fsyncSync, openSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { ConcurrencyConflictError } from '../store.ts'
import { openSqliteDatabase } from './sqlite-database.ts'
import { SqliteWriter } from './sqlite-write.ts'
import type { CommitReply, CommitRequest, CommitThreadData } from './commit-thread.ts'

const port = parentPort
if (port === null) throw new Error('commit-thread-worker.ts runs as a worker thread only')
const { path, busyTimeoutMs } = workerData as CommitThreadData
const db = openSqliteDatabase(path, busyTimeoutMs)
// The log is fsynced here, after the commits (the engine's connection is set up the same way).
db.pragma('synchronous = NORMAL', { simple: true })
db.pragma(`busy_timeout = ${busyTimeoutMs}`, { simple: true })
// The checkpoint thread folds the log into the database file (see checkpointer.ts); SQLite's
// automatic checkpoint, set per connection, would otherwise run inside this thread's commits.
db.pragma('wal_autocheckpoint = 0', { simple: true })
const writer = new SqliteWriter(db)
let logFd: number | undefined
/** Failures answered so far: a request posted before the caller saw them all is refused. */
let failures = 0
/** Commits written and not yet fsynced. */
let written: number[] = []
let syncScheduled = false

port.on('message', (message: CommitRequest | 'close') => {
  if (message === 'close') {
    db.close()
    port.close()
    return
  }
  if (message.failuresSeen < failures) {
    // Built on the state of a commit that failed.
    port.postMessage({ ids: [message.id], notWritten: true } satisfies CommitReply)
    return
  }
  try {
    writer.write(message.write)
    written.push(message.id)
  } catch (error) {
    // Rolled back: nothing of this commit was written.
    port.postMessage(failure([message.id], error))
    return
  }
  // Messages already queued are written first, so that one fsync covers them all.
  if (!syncScheduled) {
    syncScheduled = true
    setImmediate(sync)
  }
})

port.postMessage('ready')

function sync(): void {
  syncScheduled = false
  const ids = written
  written = []
  if (ids.length === 0) return
  try {
    // The log exists once the first transaction wrote to it; SQLite keeps the same file.
    logFd ??= openSync(`${path}-wal`, 'r')
    fsyncSync(logFd)
  } catch (error) {
    port?.postMessage(failure(ids, error))
    return
  }
  const reply: CommitReply = { ids }
  port?.postMessage(reply)
}

function failure(ids: number[], error: unknown): CommitReply {
  failures++
  if (error instanceof ConcurrencyConflictError) return { ids, conflict: error.instanceKey }
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  return { ids, error: { message, ...(typeof code === 'string' ? { code } : {}) } }
}
