/**
 * Writes a durable SQLite file store's commits on a worker thread, with its own connection.
 *
 * A commit's SQL (a dozen indexed rows per reference instance) and the fsync of the log took
 * about a fifth of the engine's thread under load. The engine makes a commit's parameters on its
 * own thread (they are a snapshot of state objects it goes on changing, see sqlite-write.ts),
 * posts them here, and builds its next batch while this thread writes and fsyncs: the commit's
 * promise resolves once its transaction is in the log and the log is on disk, the guarantee
 * `synchronous=FULL` gives. Commits are written in the order they were posted; the store makes
 * every other method wait for the commits before it (so reads see only what is on disk, and its
 * own writes never wait for this thread's lock for long).
 *
 * The thread starts the first time a commit is large enough to be worth posting (a lightly
 * loaded engine, and every test of other things, never pays for the thread's start), and
 * commits are written on the caller's connection until it is ready. If the thread dies, the
 * commits it had not answered fail (the engine runs them again) and later ones are written on
 * the caller's connection again.
 */
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CommitSequence } from '../commit-sequence.ts'
import { CommitNotWrittenError, ConcurrencyConflictError } from '../store.ts'
import type { SqliteWrite } from './sqlite-write.ts'

/** What the worker is started with. */
export interface CommitThreadData {
  readonly path: string
  readonly busyTimeoutMs: number
}

export interface CommitRequest {
  readonly id: number
  readonly write: SqliteWrite
  /** How many failures the caller had been answered when it posted this commit. */
  readonly failuresSeen: number
}

/** The answer for commits the worker is done with: committed and on disk, or failed. */
export interface CommitReply {
  readonly ids: readonly number[]
  readonly conflict?: string
  /** Refused unwritten: posted before the caller saw an earlier commit's failure. */
  readonly notWritten?: true
  readonly error?: { readonly message: string; readonly code?: string }
}

interface Waiting {
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/** The worker is the sibling module: .js once built, .ts when run from source (tests). */
const extension = extname(fileURLToPath(import.meta.url))
const workerUrl = new URL(`./commit-thread-worker${extension}`, import.meta.url)

/**
 * The worker's young generation: it only decodes one commit's parameters at a time, all garbage
 * once written, and V8's default (sized for a main thread) added about 45 MB of resident memory
 * (the scale scenario: 291-296 MB with 100,000 active instances, 243-249 MB with this).
 */
const resourceLimits = { maxYoungGenerationSizeMb: 8 }

function startWorker(data: CommitThreadData): Worker {
  if (extension !== '.ts') return new Worker(workerUrl, { workerData: data, resourceLimits })
  // From source, under tsx: a worker does not inherit the loader's hooks, so it registers them.
  const source =
    "import('tsx/esm/api').then((tsx) => { tsx.register(); " +
    `return import(${JSON.stringify(workerUrl.href)}) })`
  return new Worker(source, { eval: true, workerData: data, resourceLimits })
}

export class CommitThread {
  readonly #worker: Worker
  readonly #waiting = new Map<number, Waiting>()
  #nextId = 1
  #ready = false
  #exited = false
  #closing = false
  /** The commits posted and not yet answered, and the refusal after a failure. */
  readonly #sequence = new CommitSequence()

  constructor(data: CommitThreadData) {
    this.#worker = startWorker(data)
    // The worker must not keep a process alive that has nothing else to do.
    this.#worker.unref()
    this.ready = new Promise<boolean>((resolve) => {
      this.#worker.on('message', (reply: CommitReply | 'ready') => {
        if (reply !== 'ready') this.#answer(reply)
        else {
          this.#ready = true
          resolve(true)
        }
      })
      this.#worker.once('exit', () => resolve(false))
    })
    this.#worker.on('error', (error) => this.#stop(error))
    this.#worker.once('exit', (code) => {
      this.#stop(new Error(`the SQLite commit thread stopped (exit code ${code})`))
    })
  }

  /** Resolves once the worker's connection is open (true), or it stopped before (false). */
  readonly ready: Promise<boolean>

  /** Whether commits can be posted now (started, not stopped). */
  get usable(): boolean {
    return this.#ready && !this.#exited && !this.#closing
  }

  /** Posts a commit; resolves once it is written and the log fsynced. */
  commit(write: SqliteWrite): Promise<void> {
    if (this.#sequence.refusing) return Promise.reject(new CommitNotWrittenError())
    const id = this.#nextId++
    const done = new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
    })
    const failuresSeen = this.#sequence.failures
    this.#worker.postMessage({ id, write, failuresSeen } satisfies CommitRequest)
    return this.#sequence.track(done)
  }

  /** Settles once the commits posted so far are answered; undefined when none is waiting. */
  pending(): Promise<void> | undefined {
    return this.#sequence.settled()
  }

  #answer(reply: CommitReply): void {
    const error = reply.notWritten
      ? new CommitNotWrittenError()
      : reply.conflict !== undefined
        ? new ConcurrencyConflictError(reply.conflict)
        : reply.error !== undefined
          ? Object.assign(new Error(reply.error.message), { code: reply.error.code })
          : undefined
    for (const id of reply.ids) {
      const waiting = this.#waiting.get(id)
      this.#waiting.delete(id)
      if (error === undefined) waiting?.resolve()
      else waiting?.reject(error)
    }
  }

  #stop(error: Error): void {
    this.#exited = true
    for (const waiting of this.#waiting.values()) waiting.reject(error)
    this.#waiting.clear()
  }

  /** Waits for the commits posted so far, then closes the worker's connection. */
  async close(): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    await this.#sequence.settled()
    if (this.#exited) return
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()))
    // Kept alive until it has exited, or the process could end with close() pending.
    this.#worker.ref()
    this.#worker.postMessage('close')
    await exited
  }
}
