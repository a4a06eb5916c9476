/**
 * Catching and throwing events: subscriptions (timers, messages, signals, conditions) opened by
 * catch events, boundary events, event-based gateways and event subprocesses; their triggers;
 * and the search for a catcher when an error or escalation is thrown.
 */
import type { AttributeValue } from '../../feel/types.ts'
import type { EventDefinition, FlowNode } from '../../model/types.ts'
import type { Step } from '../step.ts'
import { firstDue, nextDue, parseTimer } from '../timers/timer-schedule.ts'
import type { TimerSchedule } from '../timers/timer-schedule.ts'
import type { ElementInstanceState, Key, SubscriptionState, Variables } from '../types.ts'
import { IncidentErrorTypes } from '../types.ts'
import { scopeChain, toJson } from './variables.ts'

type Evaluated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false }

/** Evaluates a literal-or-FEEL attribute to a string in a scope; failures raise an incident on `blame`. */
function stringIn(
  step: Step,
  scopeKey: Key,
  blame: ElementInstanceState,
  value: AttributeValue | undefined,
  what: string,
): Evaluated<string | null> {
  if (value === undefined) return { ok: true, value: null }
  if (value.kind === 'literal') return { ok: true, value: value.value }
  const result = value.expression.evaluate(step.variablesAt(scopeKey), step.feelOptions)
  if (!result.ok) {
    step.raiseIncident(
      blame,
      IncidentErrorTypes.expression,
      `${what} failed: ${result.error}`,
      'activate',
    )
    return { ok: false }
  }
  const v = result.value
  if (v === null || v === undefined) return { ok: true, value: null }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return { ok: true, value: String(v) }
  step.raiseIncident(
    blame,
    IncidentErrorTypes.extractValue,
    `${what} must be a string but was ${JSON.stringify(toJson(v))}`,
    'activate',
  )
  return { ok: false }
}

function definitionOf(node: FlowNode): EventDefinition | undefined {
  return node.eventDefinition
}

/**
 * Opens the subscription a catch element waits on. `holder` is whose end closes it; variables for
 * FEEL (message names, correlation keys, timer values) are read in `scopeKey`.
 */
export function openSubscription(
  step: Step,
  holder: ElementInstanceState | { readonly key: Key },
  scopeKey: Key,
  blame: ElementInstanceState,
  catchNode: FlowNode,
  interrupting: boolean,
  /** One definition of a "multiple" catch event (default: the node's definition). */
  only?: EventDefinition,
): boolean {
  const definition = only ?? definitionOf(catchNode)
  if (!definition) return true
  const base = {
    key: step.ctx.nextKey(),
    holderKey: holder.key,
    elementId: catchNode.id,
    interrupting,
    fired: 0,
  }
  switch (definition.type) {
    case 'timer': {
      const text = stringIn(
        step,
        scopeKey,
        blame,
        definition.timer.value,
        `the timer of '${catchNode.id}'`,
      )
      if (!text.ok) return false
      const parsed = parseTimer(definition.timer.kind, text.value ?? '')
      if (!parsed.ok) {
        step.raiseIncident(
          blame,
          IncidentErrorTypes.extractValue,
          `the timer of '${catchNode.id}' is invalid: ${parsed.error}`,
          'activate',
        )
        return false
      }
      const dueAt = firstDue(parsed.schedule, step.now())
      if (dueAt === null) return true // a cycle with no repetitions never fires
      step.emit({
        type: 'SubscriptionOpened',
        subscription: {
          ...base,
          kind: 'timer',
          name: null,
          correlationKey: null,
          dueAt,
          schedule: parsed.schedule,
        },
      })
      return true
    }
    case 'message': {
      const name = stringIn(
        step,
        scopeKey,
        blame,
        definition.messageName,
        `the message name of '${catchNode.id}'`,
      )
      if (!name.ok) return false
      // A message without a correlation key is one the same file throws: correlated by name only.
      const key =
        definition.correlationKey === undefined
          ? { ok: true as const, value: '' }
          : stringIn(
              step,
              scopeKey,
              blame,
              definition.correlationKey,
              `the correlation key of '${catchNode.id}'`,
            )
      if (!key.ok) return false
      if (key.value === null) {
        step.raiseIncident(
          blame,
          IncidentErrorTypes.extractValue,
          `the correlation key of '${catchNode.id}' evaluated to null; set the variable it reads before the instance reaches this element`,
          'activate',
        )
        return false
      }
      step.emit({
        type: 'SubscriptionOpened',
        subscription: {
          ...base,
          kind: 'message',
          name: name.value ?? '',
          correlationKey: key.value,
          dueAt: null,
          schedule: null,
        },
      })
      return true
    }
    case 'signal': {
      const name = stringIn(
        step,
        scopeKey,
        blame,
        definition.signalName,
        `the signal name of '${catchNode.id}'`,
      )
      if (!name.ok) return false
      step.emit({
        type: 'SubscriptionOpened',
        subscription: {
          ...base,
          kind: 'signal',
          name: name.value ?? '',
          correlationKey: null,
          dueAt: null,
          schedule: null,
        },
      })
      return true
    }
    case 'conditional': {
      step.emit({
        type: 'SubscriptionOpened',
        subscription: {
          ...base,
          kind: 'conditional',
          name: null,
          correlationKey: null,
          dueAt: null,
          schedule: null,
        },
      })
      return true
    }
    default:
      return true
  }
}

const waitingKinds = new Set(['timer', 'message', 'signal', 'conditional'])

/** Boundary events of an activity that wait on something (errors and escalations are searched, not subscribed). */
export function openBoundarySubscriptions(
  step: Step,
  element: ElementInstanceState,
  node: FlowNode,
): boolean {
  for (const id of node.boundaryEventIds ?? []) {
    const boundary = step.node(id)
    const kind = boundary.eventDefinition?.type
    if (!kind || !waitingKinds.has(kind)) continue
    if (
      !openSubscription(
        step,
        element,
        element.key,
        element,
        boundary,
        boundary.cancelActivity !== false,
      )
    )
      return false
  }
  return true
}

/** Event subprocesses of a scope whose start waits on something. */
export function openEventSubprocessSubscriptions(
  step: Step,
  scopeKey: Key,
  blame: ElementInstanceState | undefined,
  eventSubProcessIds: readonly string[] | undefined,
): boolean {
  for (const id of eventSubProcessIds ?? []) {
    for (const start of startsOf(step, step.node(id))) {
      const kind = start.eventDefinition?.type
      if (!kind || !waitingKinds.has(kind)) continue
      const holder = { key: scopeKey }
      const anchor = blame ?? {
        key: scopeKey,
        elementId: id,
        flowScopeKey: scopeKey,
        phase: 'active' as const,
      }
      if (!openSubscription(step, holder, scopeKey, anchor, start, start.isInterrupting !== false))
        return false
    }
  }
  return true
}

/** The start events of an event subprocess (several only in a descriptive process). */
function startsOf(step: Step, esp: FlowNode): FlowNode[] {
  if (esp.startEventIds) return esp.startEventIds.map((id) => step.node(id))
  return esp.startEventId ? [step.node(esp.startEventId)] : []
}

/** The start event to record on an event subprocess instance: only when it has several. */
function triggeredStart(esp: FlowNode, start: FlowNode): { readonly startEventId?: string } {
  return esp.startEventIds ? { startEventId: start.id } : {}
}

/** Closes every subscription held by an element instance or scope (it ended). */
export function closeSubscriptionsHeldBy(step: Step, holderKey: Key): void {
  const subscriptions = step.state.subscriptions
  if (!subscriptions) return
  for (const subscription of Object.values(subscriptions)) {
    if (subscription.holderKey === holderKey) {
      step.emit({ type: 'SubscriptionClosed', subscriptionKey: subscription.key })
    }
  }
}

/** After a cycle fired: schedules the next time, or closes the subscription. */
function rescheduleOrClose(step: Step, subscription: SubscriptionState): void {
  if (subscription.kind !== 'timer') return
  const fired = subscription.fired + 1
  const next =
    subscription.dueAt === null
      ? null
      : nextDue(
          subscription.schedule as unknown as TimerSchedule,
          subscription.dueAt,
          fired,
          step.now(),
        )
  if (next === null) step.emit({ type: 'SubscriptionClosed', subscriptionKey: subscription.key })
  else
    step.emit({
      type: 'SubscriptionUpdated',
      subscriptionKey: subscription.key,
      dueAt: next,
      fired,
    })
}

/** A subscription fired (timer due, message correlated, signal received, condition true). */
export function triggerSubscription(
  step: Step,
  subscription: SubscriptionState,
  variables: Variables,
): void {
  const catchNode = step.node(subscription.elementId)
  step.emit({
    type: 'SubscriptionTriggered',
    subscriptionKey: subscription.key,
    elementId: catchNode.id,
    variables,
  })
  const holder = step.state.elements[subscription.holderKey]

  // Boundary event: the holder is the activity it is attached to.
  if (catchNode.type === 'boundaryEvent') {
    if (!holder) return
    step.beginActivation(catchNode.id, holder.flowScopeKey, variables)
    if (subscription.interrupting) {
      closeSubscriptionsHeldBy(step, holder.key)
      step.terminateElement(holder)
    } else if (subscription.kind === 'timer') {
      rescheduleOrClose(step, subscription)
    }
    return
  }

  // Event subprocess start: the holder is the scope (instance key or subprocess instance).
  const parentNode = step.process.nodes.get(catchNode.scopeId)
  if (catchNode.type === 'startEvent' && parentNode?.triggeredByEvent) {
    const scopeKey = subscription.holderKey
    if (subscription.interrupting) closeSubscriptionsHeldBy(step, scopeKey)
    else if (subscription.kind === 'timer') rescheduleOrClose(step, subscription)
    const espKey = step.beginActivation(
      parentNode.id,
      scopeKey,
      variables,
      triggeredStart(parentNode, catchNode),
    )
    if (subscription.interrupting) step.terminateChildren(scopeKey, espKey)
    return
  }

  if (!holder) return
  // Event-based gateway: the first event wins; the others are closed.
  if (step.node(holder.elementId).type === 'eventBasedGateway') {
    closeSubscriptionsHeldBy(step, holder.key)
    step.completeGatewayTowards(holder, catchNode.id, variables)
    return
  }

  // Intermediate catch event or receive task waiting itself.
  step.emit({ type: 'SubscriptionClosed', subscriptionKey: subscription.key })
  step.setCompletionVariables(holder, step.node(holder.elementId), variables)
  // A parallel multiple catch waits until every one of its triggers came.
  if (catchNode.parallelMultiple === true) {
    for (const other of Object.values(step.state.subscriptions ?? {})) {
      if (other.holderKey === holder.key) return
    }
  }
  step.enqueueTriggeredComplete(holder.key)
}

/** Whether a catch definition's code matches a thrown code: exact first, then catch-all. */
function codeOf(
  step: Step,
  scopeKey: Key,
  value: AttributeValue | undefined,
): string | null | undefined {
  if (value === undefined) return null // catch-all
  if (value.kind === 'literal') return value.value
  const result = value.expression.evaluate(step.variablesAt(scopeKey))
  if (!result.ok) return undefined
  const v = result.value
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : undefined
}

interface Catcher {
  /** A boundary event on `activity`, or an event subprocess in `scopeKey`. */
  readonly boundary?: { readonly node: FlowNode; readonly activity: ElementInstanceState }
  readonly eventSubProcess?: {
    readonly node: FlowNode
    readonly start: FlowNode
    readonly scopeKey: Key
  }
}

function findCatcher(
  step: Step,
  from: ElementInstanceState,
  includeOwnBoundaries: boolean,
  kind: 'error' | 'escalation',
  code: string,
): Catcher | undefined {
  const codeAttribute = (
    definition: EventDefinition | undefined,
  ): AttributeValue | undefined | false => {
    if (!definition || definition.type !== kind) return false
    return definition.type === 'error'
      ? definition.errorCode
      : definition.type === 'escalation'
        ? definition.escalationCode
        : false
  }
  const pick = <T>(
    candidates: readonly T[],
    definitionOfCandidate: (c: T) => EventDefinition | undefined,
    scopeKey: Key,
  ): T | undefined => {
    let catchAll: T | undefined
    for (const candidate of candidates) {
      const attribute = codeAttribute(definitionOfCandidate(candidate))
      if (attribute === false) continue
      const candidateCode = codeOf(step, scopeKey, attribute)
      if (candidateCode === null) catchAll ??= candidate
      else if (candidateCode === code) return candidate
    }
    return catchAll
  }

  let current: ElementInstanceState | undefined = from
  let ownBoundaries = includeOwnBoundaries
  // Thrown inside an event subprocess: that scope is already being handled, so its event
  // subprocesses do not catch again (else a rethrow would loop); its boundary events may.
  let skipEventSubprocesses = false
  while (current) {
    // An iteration of a loop has no boundary events of its own: they belong to the loop body.
    if (ownBoundaries && current.loopRole !== 'inner') {
      const node = step.node(current.elementId)
      const boundaries = (node.boundaryEventIds ?? []).map((id) => step.node(id))
      const boundary = pick(boundaries, (b) => b.eventDefinition, current.key)
      if (boundary) return { boundary: { node: boundary, activity: current } }
    }
    const scopeKey: Key = current.flowScopeKey
    const scopeElement: ElementInstanceState | undefined = step.state.elements[scopeKey]
    const espIds =
      scopeKey === step.state.key
        ? step.process.eventSubProcessIds
        : scopeElement && scopeElement.loopRole !== 'body'
          ? step.node(scopeElement.elementId).eventSubProcessIds
          : undefined
    const starts = skipEventSubprocesses
      ? []
      : (espIds ?? []).flatMap((id) => {
          const node = step.node(id)
          return startsOf(step, node).map((start) => ({ node, start, scopeKey }))
        })
    const eventSubProcess = pick(starts, (candidate) => candidate.start.eventDefinition, scopeKey)
    if (eventSubProcess) return { eventSubProcess }
    skipEventSubprocesses =
      scopeElement !== undefined && step.node(scopeElement.elementId).triggeredByEvent === true
    current = scopeElement
    ownBoundaries = true
  }
  return undefined
}

/** Runs a found catcher: interrupting ones terminate what they interrupt first. */
function runCatcher(
  step: Step,
  catcher: Catcher,
  variables: Variables,
  interruptingDefault: boolean,
): void {
  if (catcher.boundary) {
    const { node, activity } = catcher.boundary
    step.beginActivation(node.id, activity.flowScopeKey, variables)
    if (node.cancelActivity !== false || interruptingDefault) {
      closeSubscriptionsHeldBy(step, activity.key)
      step.terminateElement(activity)
    }
    return
  }
  const esp = catcher.eventSubProcess
  if (!esp) return
  const interrupting = esp.start.isInterrupting !== false || interruptingDefault
  if (interrupting) closeSubscriptionsHeldBy(step, esp.scopeKey)
  const espKey = step.beginActivation(
    esp.node.id,
    esp.scopeKey,
    variables,
    triggeredStart(esp.node, esp.start),
  )
  if (interrupting) step.terminateChildren(esp.scopeKey, espKey)
}

function errorVariables(
  catchNode: FlowNode,
  code: string,
  message: string,
  variables: Variables,
): Variables {
  const definition = catchNode.eventDefinition
  const out: Variables = { ...variables }
  if (definition?.type === 'error') {
    if (definition.errorCodeVariable) out[definition.errorCodeVariable] = code
    if (definition.errorMessageVariable) out[definition.errorMessageVariable] = message
  }
  return out
}

/**
 * Throws a BPMN error from an element instance. Returns false when nothing catches it here and
 * there is no parent to ask: the caller raises the incident.
 */
export function throwError(
  step: Step,
  from: ElementInstanceState,
  includeOwnBoundaries: boolean,
  code: string,
  message: string,
  variables: Variables,
): boolean {
  const catcher = findCatcher(step, from, includeOwnBoundaries, 'error', code)
  const catchNode = catcher?.boundary?.node ?? catcher?.eventSubProcess?.start
  step.emit({
    type: 'ErrorThrown',
    elementInstanceKey: from.key,
    elementId: from.elementId,
    errorCode: code,
    errorMessage: message,
    caughtBy: catchNode?.id ?? null,
  })
  if (catcher && catchNode) {
    runCatcher(step, catcher, errorVariables(catchNode, code, message, variables), true)
    return true
  }
  const parent = step.state.parent
  if (parent) {
    step.command({
      type: 'PropagateError',
      instanceKey: parent.instanceKey,
      elementInstanceKey: parent.elementInstanceKey,
      errorCode: code,
      errorMessage: message,
      variables,
    })
    return true
  }
  return false
}

/**
 * Throws an escalation. Returns true when an interrupting catcher took over (the thrower is gone);
 * false when the thrower goes on (caught without interrupting, or not caught: not an error). One
 * nothing here catches goes to the call activity that called this instance, if any; the thrower
 * does not wait for it (an interrupting catch up there cancels this instance afterwards).
 *
 * With `childInstanceKey`, `from` is a call activity and the escalation one its called instance
 * did not catch: the activity's own boundary events catch it first.
 */
export function throwEscalation(
  step: Step,
  from: ElementInstanceState,
  code: string,
  childInstanceKey?: Key,
): boolean {
  const catcher = findCatcher(step, from, childInstanceKey !== undefined, 'escalation', code)
  const catchNode = catcher?.boundary?.node ?? catcher?.eventSubProcess?.start
  step.emit({
    type: 'EscalationThrown',
    elementInstanceKey: from.key,
    elementId: from.elementId,
    escalationCode: code,
    caughtBy: catchNode?.id ?? null,
    ...(childInstanceKey === undefined ? {} : { childInstanceKey }),
  })
  if (!catcher || !catchNode) {
    passEscalationUp(step, code)
    return false
  }
  runCatcher(step, catcher, escalationVariables(catchNode, code), false)
  return step.state.elements[from.key] === undefined
}

/** Sends an escalation nothing in this instance caught to the call activity that called it. */
function passEscalationUp(step: Step, code: string): void {
  const parent = step.state.parent
  if (!parent) return // uncaught at the root: nothing happens (an escalation is not an error)
  step.command({
    type: 'PropagateEscalation',
    instanceKey: parent.instanceKey,
    elementInstanceKey: parent.elementInstanceKey,
    escalationCode: code,
    childInstanceKey: step.state.key,
  })
}

/** The variables a catching escalation event sets: its `escalationCodeVariable`, if any. */
function escalationVariables(catchNode: FlowNode, code: string): Variables {
  const definition = catchNode.eventDefinition
  return definition?.type === 'escalation' && definition.escalationCodeVariable
    ? { [definition.escalationCodeVariable]: code }
    : {}
}

/** Evaluates a string attribute where it is thrown (error codes, signal names). */
export function thrownName(
  step: Step,
  element: ElementInstanceState,
  value: AttributeValue | undefined,
  what: string,
): Evaluated<string> {
  const result = stringIn(step, element.key, element, value, what)
  if (!result.ok) return result
  return { ok: true, value: result.value ?? '' }
}

/**
 * Re-evaluates conditional subscriptions after variables changed: one whose condition turned
 * true fires (boundary, event subprocess start, intermediate catch).
 */
/**
 * `zeebe:conditionalFilter`: a subscription with variable names or events is re-evaluated only
 * when a variable it can see changed in a way the filter lists (Camunda 8). It is always
 * evaluated once, in the step that opened it.
 */
function passesConditionalFilter(
  step: Step,
  subscription: SubscriptionState,
  definition: Extract<EventDefinition, { type: 'conditional' }>,
): boolean {
  const names = definition.variableNames
  const events = definition.variableEvents
  if ((names === undefined || names.length === 0) && (events === undefined || events.length === 0))
    return true
  if (!step.earlierConditionals.has(subscription.key)) return true
  const visible = new Set(scopeChain(step.state, subscription.holderKey))
  return step.variableChanges.some(
    (change) =>
      visible.has(change.scopeKey) &&
      (names === undefined || names.length === 0 || names.includes(change.name)) &&
      (events === undefined ||
        events.length === 0 ||
        events.includes(change.created ? 'create' : 'update')),
  )
}

export function evaluateConditions(step: Step): void {
  const subscriptions = step.state.subscriptions
  if (!subscriptions) return
  for (const subscription of Object.values(subscriptions)) {
    if (subscription.kind !== 'conditional' || !step.state.subscriptions?.[subscription.key])
      continue
    const node = step.node(subscription.elementId)
    const definition = (node.eventDefinitions ?? [node.eventDefinition]).find(
      (d) => d?.type === 'conditional',
    )
    if (definition?.type !== 'conditional') continue
    if (!passesConditionalFilter(step, subscription, definition)) continue
    const result = definition.condition.evaluate(
      step.variablesAt(subscription.holderKey),
      step.feelOptions,
    )
    const value = result.ok && result.value === true
    if (value === (subscription.lastValue ?? false)) continue
    step.emit({
      type: 'SubscriptionUpdated',
      subscriptionKey: subscription.key,
      dueAt: null,
      fired: subscription.fired,
      lastValue: value,
    })
    if (value) triggerSubscription(step, subscription, {})
  }
}

/**
 * Throws a signal: subscriptions of this instance catch it at once (the thrower's scope is still
 * active), and so do the catches that tokens queued at this instant reach (Step); every other
 * instance and signal start event through the runtime after this step.
 */
export function throwSignal(step: Step, name: string, variables: Variables): void {
  const caught = Object.values(step.state.subscriptions ?? {}).filter(
    (subscription) => subscription.kind === 'signal' && subscription.name === name,
  )
  // Interrupting catches first: the scope they interrupt ends at the instant of the signal, so a
  // non-interrupting catch inside it (an event subprocess of the same scope) does not start.
  caught.sort((a, b) => Number(b.interrupting) - Number(a.interrupting))
  for (const subscription of caught) {
    if (!step.state.subscriptions?.[subscription.key]) continue // closed by an earlier trigger
    triggerSubscription(step, subscription, variables)
  }
  step.signalThrownLocally(name, variables)
  step.broadcastSignal(name, variables)
}

/**
 * Sends the message of a throw event or send task that has no job (the file catches the message
 * itself): its name and correlation key (the message's `zeebe:subscription`, evaluated where it
 * is thrown; none: '') and the element's local variables (its input mappings) as payload. The
 * runtime publishes it with no time to live, so only what waits for it now receives it.
 */
export function sendMessage(
  step: Step,
  element: ElementInstanceState,
  definition: Extract<EventDefinition, { type: 'message' }>,
): boolean {
  const name = thrownName(
    step,
    element,
    definition.messageName,
    `the message name of '${element.elementId}'`,
  )
  if (!name.ok) return false
  const key = thrownName(
    step,
    element,
    definition.correlationKey,
    `the correlation key of '${element.elementId}'`,
  )
  if (!key.ok) return false
  // A descriptive process's throw event without a named message sends nothing.
  if (name.value === '') return true
  step.publishMessage(name.value, key.value, { ...step.state.variables[element.key] })
  return true
}
