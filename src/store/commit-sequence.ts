/**
 * The bookkeeping of a store whose commits may be under way several at once (see
 * Store.commitsInFlight): which commits are still waiting, and the refusal that follows a failure.
 *
 * A commit that fails makes every commit called before the caller saw the failure, and until the
 * caller has had a turn (a macrotask) to react, fail with CommitNotWrittenError without being
 * written: they were built on the state of the one that failed.
 */
import { CommitNotWrittenError } from './store.ts'

export class CommitSequence {
  /** Settles once every commit tracked so far has settled. */
  #last: Promise<void> | undefined
  /** Failures seen so far (refusals not counted). */
  #failures = 0
  #refusing = false

  /** Failures seen so far: a commit called at this count is refused if the count has grown. */
  get failures(): number {
    return this.#failures
  }

  /** Whether commits called now are refused. */
  get refusing(): boolean {
    return this.#refusing
  }

  /** Settles once the commits tracked so far have; undefined when none is waiting. */
  settled(): Promise<void> | undefined {
    return this.#last
  }

  /** Follows a commit under way: its failure starts the refusal. */
  track(done: Promise<void>): Promise<void> {
    const last = done.then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof CommitNotWrittenError) return
        this.#failures++
        this.#refuseUntilSettled()
      },
    )
    this.#last = last
    void last.then(() => {
      if (this.#last === last) this.#last = undefined
    })
    return done
  }

  #refuseUntilSettled(): void {
    if (this.#refusing) return
    this.#refusing = true
    const settle = async (): Promise<void> => {
      while (this.#last !== undefined) await this.#last
      await new Promise((resolve) => setImmediate(resolve))
      if (this.#last !== undefined) return settle()
      this.#refusing = false
    }
    void settle()
  }
}
