/**
 * Group fsync of a SQLite write-ahead log on libuv's thread pool.
 *
 * With `synchronous=FULL` SQLite fsyncs the WAL inside every commit, blocking the engine's only
 * thread for the whole disk flush. A durable file store instead runs `synchronous=NORMAL` (the
 * WAL is written at commit, fsynced only around checkpoints) and fsyncs the WAL itself, off the
 * thread: a commit's promise resolves once an fsync that began after the commit's write has
 * finished, which is the guarantee FULL gives. Meanwhile the engine builds its next batch, and
 * commits that arrive while an fsync runs share the next one.
 */
import { closeSync, fsync, openSync } from 'node:fs'

export class WalSync {
  readonly #path: string
  #fd: number | undefined
  /** The fsync running now (it may have begun before the latest write). */
  #running: Promise<void> | undefined
  /** The fsync that begins when the running one ends: it covers every write made until then. */
  #queued: Promise<void> | undefined

  /** `path`: the database file; its log is `<path>-wal`. */
  constructor(path: string) {
    this.#path = `${path}-wal`
  }

  /** Resolves once everything written to the log so far is on disk. */
  flush(): Promise<void> {
    if (this.#queued !== undefined) return this.#queued
    const running = this.#running
    if (running === undefined) return this.#start()
    const queued = running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined
        return this.#start()
      })
    this.#queued = queued
    return queued
  }

  /** The flush still under way, if any (readers wait for it: they see only durable commits). */
  pending(): Promise<void> | undefined {
    return this.#queued ?? this.#running
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
  }

  #start(): Promise<void> {
    // The log exists once the first transaction wrote to it; SQLite keeps the same file (it
    // rewinds it after a checkpoint) while a connection is open.
    this.#fd ??= openSync(this.#path, 'r')
    const fd = this.#fd
    const running = new Promise<void>((resolve, reject) => {
      fsync(fd, (error) => (error ? reject(error) : resolve()))
    }).finally(() => {
      if (this.#running === running) this.#running = undefined
    })
    this.#running = running
    return running
  }
}
