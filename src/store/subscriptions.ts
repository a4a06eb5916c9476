/**
 * Rows for what instances and deployed processes wait on: timers, message and signal
 * subscriptions, and messages buffered until a subscription opens. Written in the same commit as
 * the events that open or close them (see CommitBatch.subscriptionPuts / subscriptionDeletes).
 */
import type { JsonValue, Key, Variables } from '../engine/types.ts'

export type SubscriptionKind = 'timer' | 'message' | 'signal'

export interface SubscriptionRecord {
  readonly key: Key
  readonly kind: SubscriptionKind
  /** The waiting instance; null for a start event of a deployed process (timer/message/signal start). */
  readonly instanceKey: Key | null
  readonly processDefinitionKey: Key
  readonly bpmnProcessId: string
  /** The catch element (catch event, boundary event, event subprocess start, receive task, start event). */
  readonly elementId: string
  /** Message or signal name; null for timers. */
  readonly name: string | null
  /** Message correlation key; null for signals, timers and message start events. */
  readonly correlationKey: string | null
  /** When a timer is due (ms since the epoch); null for messages and signals. */
  readonly dueAt: number | null
  /** Whatever the engine needs back when it fires (repetitions left, interval, ...). */
  readonly payload: JsonValue
  readonly createdAt: number
}

export interface BufferedMessageRecord {
  readonly key: Key
  readonly name: string
  readonly correlationKey: string
  /** Optional publisher-given id: a second message with the same id while this one lives is refused. */
  readonly messageId: string | null
  readonly variables: Variables
  readonly publishedAt: number
  /** The message is gone after this time. */
  readonly expiresAt: number
}

/** The store methods for subscriptions; part of the Store port. */
export interface SubscriptionStore {
  /** Timers due at or before `now`, earliest first. */
  dueTimers(now: number, limit: number): Promise<SubscriptionRecord[]>
  /**
   * Shared stores: leases up to `limit` timers due at `now` that no other node holds (a lease
   * ends at `until`), earliest first, so that each due timer is fired by one node.
   */
  claimDueTimers?(now: number, limit: number, until: number): Promise<SubscriptionRecord[]>
  /** Earliest timer due time, if any. */
  nextTimerDueAt(): Promise<number | null>
  /** Open message subscriptions of instances for this name and correlation key (not start events). */
  messageSubscriptions(name: string, correlationKey: string): Promise<SubscriptionRecord[]>
  /** Message start events with this name (instanceKey null). */
  messageStartSubscriptions(name: string): Promise<SubscriptionRecord[]>
  /** Every signal subscription with this name, start events included. */
  signalSubscriptions(name: string): Promise<SubscriptionRecord[]>
  /** Start-event subscriptions of one deployed process (to close them when a new version is deployed). */
  startSubscriptionsOf(processDefinitionKey: Key): Promise<SubscriptionRecord[]>

  /**
   * The active instance that a message with this correlation key started at a message start event
   * of this process (any version), if any (see ActiveMessageStart).
   */
  activeMessageStart(bpmnProcessId: string, correlationKey: string): Promise<Key | undefined>

  /** Live (not expired at `now`) buffered messages for a name and correlation key, oldest first. */
  bufferedMessages(
    name: string,
    correlationKey: string,
    now: number,
  ): Promise<BufferedMessageRecord[]>
  /** A live buffered message with this id, if any (duplicate detection). */
  bufferedMessageById(messageId: string, now: number): Promise<BufferedMessageRecord | undefined>
  /** Deletes buffered messages expired at `now`; returns how many. */
  deleteExpiredMessages(now: number, limit: number): Promise<number>
}
