/**
 * Checkpoints a SQLite write-ahead log on a worker thread, with its own connection.
 *
 * A checkpoint copies the log's pages into the database file and fsyncs both. SQLite runs it
 * inside the commit that crosses `wal_autocheckpoint` pages, on the thread that commits: for an
 * engine whose one thread does all the work, about a seventh of its time under load. A file store
 * instead turns automatic checkpoints off and asks this worker for a PASSIVE checkpoint after
 * its commits (one at a time; asks made meanwhile fold into one more run). PASSIVE never waits
 * for the writer, so commits go on while pages are copied.
 *
 * The log is rewound by the next commit once a checkpoint has copied all of it. Under a steady
 * load a PASSIVE checkpoint never gets there (commits append while it copies), so the log grows:
 * once it is past `restartLogBytes` the worker follows its PASSIVE run with a RESTART, which
 * makes the writer wait (SQLite's busy handler) while it copies the few pages left and until the
 * log can start over, so the next commit rewinds it. Should the worker fall behind even so, past
 * `maxLogBytes` the committing thread checkpoints the log itself (RESTART).
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Runs in the worker: plain JavaScript, so that it needs no TypeScript loader. */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { timeout: 5000 })
db.pragma('synchronous = NORMAL')
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close()
    parentPort.close()
    return
  }
  try {
    let [result] = db.pragma('wal_checkpoint(PASSIVE)')
    if (message === 'restart') [result] = db.pragma('wal_checkpoint(RESTART)')
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed })
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) })
  }
})
`

/** PASSIVE only, or PASSIVE then RESTART (see the module's comment). */
export type CheckpointMode = 'passive' | 'restart'

export interface CheckpointerOptions {
  /** The database file. */
  readonly path: string
  /** Called when a checkpoint fails (the next one retries); the store keeps working. */
  readonly onError?: (message: string) => void
}

export class Checkpointer {
  readonly #worker: Worker
  readonly #onError: ((message: string) => void) | undefined
  #running = false
  /** A request made while a run was under way: run once more after it (a restart if any asked). */
  #again: CheckpointMode | undefined
  #closed = false
  #exited = false
  /** Runs done (for tests and statistics). */
  runs = 0

  constructor(options: CheckpointerOptions) {
    this.#onError = options.onError
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    this.#worker = new Worker(workerSource, {
      eval: true,
      workerData: { path: options.path, driver },
    })
    // The worker must not keep a process alive that has nothing else to do.
    this.#worker.unref()
    this.#worker.on('message', (result: { ok: boolean; message?: string }) => {
      this.#running = false
      this.runs++
      if (!result.ok) this.#onError?.(result.message ?? 'checkpoint failed')
      const again = this.#again
      this.#again = undefined
      if (again !== undefined && !this.#closed) this.#start(again)
    })
    this.#worker.on('error', (error) => this.#onError?.(error.message))
    // A worker that died (its connection could not open) no longer checkpoints: the committing
    // thread does once the log passes the store's limit.
    this.#worker.once('exit', () => {
      this.#exited = true
    })
  }

  /**
   * Asks for a checkpoint of everything committed so far; `restart` also makes the next commit
   * start the log over (see the module's comment).
   */
  request(mode: CheckpointMode = 'passive'): void {
    if (this.#closed || this.#exited) return
    if (!this.#running) this.#start(mode)
    else if (this.#again !== 'restart') this.#again = mode
  }

  #start(mode: CheckpointMode): void {
    this.#running = true
    this.#worker.postMessage(mode)
  }

  /** Lets a running checkpoint finish, then closes the worker's connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#exited) return
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()))
    // Kept alive until it has exited, or the process could end with close() pending.
    this.#worker.ref()
    this.#worker.postMessage('close')
    await exited
  }
}
