/**
 * Events from outside an instance, resolved inside a batch: published messages, broadcast
 * signals and due timers find their subscriptions in the store *and* in what the current batch
 * opened or closed, so nothing slips between two commits.
 */
import type { Command, Effect, Key, Variables } from '../engine/types.ts'
import { BatonError } from '../errors.ts'
import { nextDue } from '../engine/timers/timer-schedule.ts'
import type { TimerSchedule } from '../engine/timers/timer-schedule.ts'
import type { BatchProjection } from './projection.ts'
import type { ActiveMessageStart } from '../store/store.ts'
import type {
  BufferedMessageRecord,
  SubscriptionRecord,
  SubscriptionStore,
} from '../store/subscriptions.ts'

/** Work for the batch loop that is not a command of one instance. */
export type RuntimeOperation =
  | {
      readonly type: 'PublishMessage'
      readonly messageKey: Key
      readonly name: string
      readonly correlationKey: string
      readonly variables: Variables
      readonly timeToLiveMs: number
      readonly messageId: string | null
    }
  | {
      readonly type: 'BroadcastSignal'
      readonly name: string
      readonly variables: Variables
      /** An instance that already caught its own signal. */
      readonly excludeInstanceKey?: Key
    }
  | { readonly type: 'FireTimer'; readonly subscription: SubscriptionRecord }

export interface PublishResult {
  readonly messageKey: Key
  /** Instances the message was correlated to (started or continued). */
  readonly correlatedInstances: number
  /** Kept for subscriptions that open later (time to live > 0 and nothing correlated). */
  readonly buffered: boolean
  /**
   * Processes (bpmn process ids) whose message start event the message did not trigger because
   * an instance that a message with the same correlation key started is still active.
   */
  readonly heldStarts: readonly string[]
}

export interface BroadcastResult {
  readonly triggeredInstances: number
  readonly startedInstances: number
}

/** What the correlator needs from the engine. */
export interface CorrelationHost {
  readonly store: SubscriptionStore
  now(): number
  nextKey(): Key
  /** Runs a command (and its follow-ups) inside the current batch; false when it was refused. */
  run(command: Command): Promise<boolean>
  /** Whether a process definition is still the latest version of its process. */
  isLatest(processDefinitionKey: Key): boolean
  /** The key of the latest version of a process, if it is deployed. */
  latestOf(bpmnProcessId: string): Key | undefined
  /** Other nodes share the store: record what correlation relied on (CommitBatch guards). */
  readonly guarded?: boolean
}

/** The runtime operation for an effect of the core that is not a command. */
export function operationOf(
  effect: Exclude<Effect, { type: 'command' }>,
  nextKey: () => Key,
): RuntimeOperation {
  switch (effect.type) {
    case 'broadcastSignal':
      return {
        type: 'BroadcastSignal',
        name: effect.signalName,
        variables: effect.variables,
        excludeInstanceKey: effect.excludeInstanceKey,
      }
    case 'publishMessage':
      // Thrown inside a model: delivered to what waits now, never buffered, no message id.
      return {
        type: 'PublishMessage',
        messageKey: nextKey(),
        name: effect.messageName,
        correlationKey: effect.correlationKey,
        variables: effect.variables,
        timeToLiveMs: 0,
        messageId: null,
      }
  }
}

export function isRuntimeOperation(item: { type: string }): item is RuntimeOperation {
  return (
    item.type === 'PublishMessage' || item.type === 'BroadcastSignal' || item.type === 'FireTimer'
  )
}

/** Store rows merged with the batch's own changes (opened rows added, closed rows removed). */
function merge(
  stored: readonly SubscriptionRecord[],
  projection: BatchProjection,
  matches: (record: SubscriptionRecord) => boolean,
): SubscriptionRecord[] {
  const out: SubscriptionRecord[] = []
  const seen = new Set<Key>()
  for (const record of stored) {
    if (projection.subscriptions.get(record.key) === null) continue
    seen.add(record.key)
    out.push(record)
  }
  for (const [key, record] of projection.subscriptions) {
    if (record && !seen.has(key) && matches(record)) out.push(record)
  }
  return out.sort((a, b) => (BigInt(a.key) < BigInt(b.key) ? -1 : 1))
}

export async function runOperation(
  host: CorrelationHost,
  projection: BatchProjection,
  operation: RuntimeOperation,
): Promise<PublishResult | BroadcastResult | undefined> {
  switch (operation.type) {
    case 'PublishMessage':
      return publish(host, projection, operation)
    case 'BroadcastSignal':
      return broadcast(
        host,
        projection,
        operation.name,
        operation.variables,
        operation.excludeInstanceKey,
      )
    case 'FireTimer':
      await fireTimer(host, projection, operation.subscription)
      return undefined
  }
}

async function publish(
  host: CorrelationHost,
  projection: BatchProjection,
  message: Extract<RuntimeOperation, { type: 'PublishMessage' }>,
): Promise<PublishResult> {
  const now = host.now()
  if (message.messageId !== null) {
    const pending = [...projection.messages.values()].some(
      (m) => m?.messageId === message.messageId,
    )
    if (pending || (await host.store.bufferedMessageById(message.messageId, now))) {
      throw new BatonError(
        'BATON_MESSAGE_DUPLICATE',
        `a message with id '${message.messageId}' was already published and is still buffered; use a new message id`,
      )
    }
  }
  let correlated = 0
  const subscriptions = merge(
    await host.store.messageSubscriptions(message.name, message.correlationKey),
    projection,
    (r) =>
      r.kind === 'message' &&
      r.instanceKey !== null &&
      r.name === message.name &&
      r.correlationKey === message.correlationKey,
  )
  // One subscription per instance: the oldest.
  const instances = new Set<Key>()
  for (const subscription of subscriptions) {
    if (subscription.instanceKey === null || instances.has(subscription.instanceKey)) continue
    instances.add(subscription.instanceKey)
    const ok = await host.run({
      type: 'TriggerSubscription',
      instanceKey: subscription.instanceKey,
      subscriptionKey: subscription.key,
      variables: message.variables,
    })
    if (ok) correlated++
  }
  const starts = merge(
    await host.store.messageStartSubscriptions(message.name),
    projection,
    (r) => r.kind === 'message' && r.instanceKey === null && r.name === message.name,
  )
  // Processes not started because an instance a message with this correlation key started is
  // still active (Camunda 8): the message may wait, buffered, until it ends.
  const held: string[] = []
  for (const start of starts) {
    if (!host.isLatest(start.processDefinitionKey)) continue
    const key = message.correlationKey
    if (key !== '' && (await activeMessageStart(host, projection, start.bpmnProcessId, key))) {
      held.push(start.bpmnProcessId)
      continue
    }
    const ok = await host.run({
      type: 'CreateInstance',
      instanceKey: host.nextKey(),
      processDefinitionKey: start.processDefinitionKey,
      variables: message.variables,
      businessKey: key,
      startEventId: start.elementId,
      ...(key === '' ? {} : { startCorrelationKey: key }),
    })
    if (ok) correlated++
  }
  const buffered = correlated === 0 && message.timeToLiveMs > 0
  if (buffered) {
    const record: BufferedMessageRecord = {
      key: message.messageKey,
      name: message.name,
      correlationKey: message.correlationKey,
      messageId: message.messageId,
      variables: message.variables,
      publishedAt: now,
      expiresAt: now + message.timeToLiveMs,
    }
    projection.messages.set(record.key, record)
    if (host.guarded) {
      // A subscription another node opens meanwhile must not miss this message.
      projection.correlationGuards.push({
        kind: 'subscriptions',
        name: message.name,
        correlationKey: message.correlationKey,
        seen: subscriptions.map((s) => s.key),
        now,
      })
      // An instance holding the key that ends on another node meanwhile must not miss it either.
      for (const bpmnProcessId of held) {
        projection.messageStartGuards.push({
          kind: 'active',
          bpmnProcessId,
          correlationKey: message.correlationKey,
        })
      }
    }
  }
  return {
    messageKey: message.messageKey,
    correlatedInstances: correlated,
    buffered,
    heldStarts: held,
  }
}

/** The active instance a message with this correlation key started for the process, if any. */
async function activeMessageStart(
  host: CorrelationHost,
  projection: BatchProjection,
  bpmnProcessId: string,
  correlationKey: string,
): Promise<Key | undefined> {
  const inBatch = projection.activeMessageStart(bpmnProcessId, correlationKey)
  if (inBatch !== undefined) return inBatch ?? undefined
  return host.store.activeMessageStart(bpmnProcessId, correlationKey)
}

/**
 * An instance that a message with a correlation key started has ended: the oldest live message
 * buffered for the key and one of the message start events of the latest version of its process
 * starts the next instance (the others wait for that one to end).
 */
export async function correlateNextStart(
  host: CorrelationHost,
  projection: BatchProjection,
  ended: ActiveMessageStart,
): Promise<void> {
  const { bpmnProcessId, correlationKey } = ended
  // A message in this batch started the next one already.
  if (projection.activeMessageStart(bpmnProcessId, correlationKey)) return
  const latest = host.latestOf(bpmnProcessId)
  if (latest === undefined) return
  const starts = (await host.store.startSubscriptionsOf(latest)).filter(
    (s) => s.kind === 'message' && s.name !== null,
  )
  if (starts.length === 0) return
  const now = host.now()
  const candidates: { message: BufferedMessageRecord; start: SubscriptionRecord }[] = []
  for (const start of starts) {
    const name = start.name as string
    for (const message of projection.messages.values()) {
      if (message && message.name === name && message.correlationKey === correlationKey) {
        candidates.push({ message, start })
      }
    }
    for (const message of await host.store.bufferedMessages(name, correlationKey, now)) {
      if (projection.messages.get(message.key) !== null) candidates.push({ message, start })
    }
  }
  const live = candidates
    .filter((c) => c.message.expiresAt > now)
    .sort(
      (a, b) =>
        a.message.publishedAt - b.message.publishedAt ||
        (BigInt(a.message.key) < BigInt(b.message.key) ? -1 : 1),
    )
  const next = live[0]
  if (next) {
    const ok = await host.run({
      type: 'CreateInstance',
      instanceKey: host.nextKey(),
      processDefinitionKey: next.start.processDefinitionKey,
      variables: next.message.variables,
      businessKey: correlationKey,
      startEventId: next.start.elementId,
      startCorrelationKey: correlationKey,
    })
    if (ok) {
      projection.messages.set(next.message.key, null)
      return
    }
  }
  if (host.guarded) {
    // A message another node buffers for the key meanwhile must not wait for nothing.
    projection.messageStartGuards.push({
      kind: 'ended',
      bpmnProcessId,
      correlationKey,
      names: starts.map((s) => s.name as string),
      seen: candidates.map((c) => c.message.key),
      now,
    })
  }
}

/** A message subscription just opened: a buffered message waiting for it is correlated now. */
export async function correlateBuffered(
  host: CorrelationHost,
  projection: BatchProjection,
  subscription: SubscriptionRecord,
): Promise<void> {
  if (
    subscription.instanceKey === null ||
    subscription.name === null ||
    subscription.correlationKey === null
  )
    return
  const now = host.now()
  const candidates: BufferedMessageRecord[] = []
  for (const message of projection.messages.values()) {
    if (
      message &&
      message.name === subscription.name &&
      message.correlationKey === subscription.correlationKey
    ) {
      candidates.push(message)
    }
  }
  for (const message of await host.store.bufferedMessages(
    subscription.name,
    subscription.correlationKey,
    now,
  )) {
    if (projection.messages.get(message.key) !== null) candidates.push(message)
  }
  const message = candidates.find((m) => m.expiresAt > now)
  if (!message) {
    if (host.guarded) {
      // A message another node buffers meanwhile must not miss this subscription.
      projection.correlationGuards.push({
        kind: 'messages',
        name: subscription.name,
        correlationKey: subscription.correlationKey,
        seen: candidates.map((m) => m.key),
        now,
      })
    }
    return
  }
  const ok = await host.run({
    type: 'TriggerSubscription',
    instanceKey: subscription.instanceKey,
    subscriptionKey: subscription.key,
    variables: message.variables,
  })
  if (ok) projection.messages.set(message.key, null)
}

async function broadcast(
  host: CorrelationHost,
  projection: BatchProjection,
  name: string,
  variables: Variables,
  excludeInstanceKey?: Key,
): Promise<BroadcastResult> {
  const subscriptions = merge(
    await host.store.signalSubscriptions(name),
    projection,
    (r) => r.kind === 'signal' && r.name === name,
  )
  let triggeredInstances = 0
  let startedInstances = 0
  for (const subscription of subscriptions) {
    if (excludeInstanceKey !== undefined && subscription.instanceKey === excludeInstanceKey)
      continue
    if (subscription.instanceKey === null) {
      if (!host.isLatest(subscription.processDefinitionKey)) continue
      const ok = await host.run({
        type: 'CreateInstance',
        instanceKey: host.nextKey(),
        processDefinitionKey: subscription.processDefinitionKey,
        variables,
        startEventId: subscription.elementId,
      })
      if (ok) startedInstances++
      continue
    }
    const ok = await host.run({
      type: 'TriggerSubscription',
      instanceKey: subscription.instanceKey,
      subscriptionKey: subscription.key,
      variables,
    })
    if (ok) triggeredInstances++
  }
  return { triggeredInstances, startedInstances }
}

interface StartTimerPayload {
  readonly schedule: TimerSchedule
  readonly fired: number
}

async function fireTimer(
  host: CorrelationHost,
  projection: BatchProjection,
  subscription: SubscriptionRecord,
): Promise<void> {
  if (projection.subscriptions.get(subscription.key) === null) return
  if (subscription.instanceKey !== null) {
    await host.run({
      type: 'TriggerSubscription',
      instanceKey: subscription.instanceKey,
      subscriptionKey: subscription.key,
      ...(subscription.dueAt === null ? {} : { dueAt: subscription.dueAt }),
    })
    return
  }
  // A timer start event: start an instance, then schedule the next one (or close it).
  if (!host.isLatest(subscription.processDefinitionKey)) {
    projection.subscriptions.set(subscription.key, null)
    return
  }
  if (host.guarded && subscription.dueAt !== null) {
    // Another node may have fired this due time already (its claim lapsed while it stalled):
    // read the row again, and let the commit check it has not moved since.
    const stored = await host.store.startSubscriptionsOf(subscription.processDefinitionKey)
    const current = stored.find((s) => s.key === subscription.key)
    if (current?.dueAt !== subscription.dueAt) return
    projection.timerGuards.push({ key: subscription.key, dueAt: subscription.dueAt })
  }
  await host.run({
    type: 'CreateInstance',
    instanceKey: host.nextKey(),
    processDefinitionKey: subscription.processDefinitionKey,
    startEventId: subscription.elementId,
  })
  const payload = subscription.payload as unknown as StartTimerPayload | null
  const fired = (payload?.fired ?? 0) + 1
  const next =
    payload && subscription.dueAt !== null
      ? nextDue(payload.schedule, subscription.dueAt, fired, host.now())
      : null
  projection.subscriptions.set(
    subscription.key,
    next === null
      ? null
      : {
          ...subscription,
          dueAt: next,
          payload: { schedule: payload?.schedule ?? null, fired } as never,
        },
  )
}
