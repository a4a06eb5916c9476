/**
 * Compensation: undoing completed work. An activity with a compensation handler (or a subprocess
 * with a compensation event subprocess, or with compensable activities inside) is remembered when
 * it completes; a compensation throw event runs the handlers of its scope, most recent first, and
 * waits for them unless `waitForCompletion="false"`. Each completed activity is compensated once.
 */
import type { FlowNode } from '../../model/types.ts'
import type { Step } from '../step.ts'
import type {
  CompensationHandlerRef,
  CompensationRecord,
  ElementInstanceState,
  Key,
} from '../types.ts'

function compensationEventSubprocess(step: Step, node: FlowNode): string | undefined {
  return node.eventSubProcessIds?.find((id) => {
    const start = step.node(id).startEventId
    return start !== undefined && step.node(start).eventDefinition?.type === 'compensation'
  })
}

/** An activity completed: remember it when it can be compensated. */
export function recordCompensable(step: Step, element: ElementInstanceState, node: FlowNode): void {
  if (node.isForCompensation || element.loopRole === 'body' || element.compensationFor) return
  const compensable =
    node.compensationHandlerId !== undefined ||
    compensationEventSubprocess(step, node) !== undefined ||
    (node.type === 'subProcess' &&
      (step.state.compensations ?? []).some((r) => r.scopeKey === element.key))
  if (!compensable) return
  step.emit({
    type: 'CompensationRecorded',
    record: { scopeKey: element.flowScopeKey, elementId: node.id, elementInstanceKey: element.key },
  })
}

/**
 * Where a handler runs: the scope its compensated activity ran in (handlers are modelled beside
 * the activity). When that scope was a subprocess that has completed since, it is entered again to
 * host them (`elementId` and `parent` say how).
 */
interface ScopeRef {
  readonly key: Key
  readonly elementId?: string
  readonly parent?: ScopeRef
}

interface Handler {
  readonly nodeId: string
  readonly scope: ScopeRef
  readonly compensatesScope?: Key
}

/** The handlers for the compensable records of a scope, most recent first; nested subprocesses unfold. */
function collect(
  step: Step,
  scope: ScopeRef,
  activityRef: string | undefined,
  consumed: Key[],
): Handler[] {
  const records: CompensationRecord[] = (step.state.compensations ?? []).filter(
    (r) => r.scopeKey === scope.key && (activityRef === undefined || r.elementId === activityRef),
  )
  const handlers: Handler[] = []
  for (const record of records.reverse()) {
    consumed.push(record.elementInstanceKey)
    const node = step.node(record.elementId)
    if (node.compensationHandlerId) {
      handlers.push({ nodeId: node.compensationHandlerId, scope })
      continue
    }
    const inside: ScopeRef = { key: record.elementInstanceKey, elementId: node.id, parent: scope }
    const esp = compensationEventSubprocess(step, node)
    if (esp) {
      handlers.push({ nodeId: esp, scope: inside, compensatesScope: record.elementInstanceKey })
      continue
    }
    handlers.push(...collect(step, inside, undefined, consumed))
  }
  return handlers
}

/**
 * The element instance a handler runs in: the scope itself while it runs, the instance that
 * revived it, or a revival now; `fallback` when it cannot be revived.
 */
function resolveScope(step: Step, scope: ScopeRef, fallback: Key): Key {
  if (scope.key === step.state.key || step.state.elements[scope.key]) return scope.key
  for (const element of Object.values(step.state.elements)) {
    if (element.revives === scope.key) return element.key
  }
  if (scope.elementId === undefined || scope.parent === undefined) return fallback
  const parentKey = resolveScope(step, scope.parent, fallback)
  return step.reviveScope(scope.elementId, scope.key, parentKey)
}

/**
 * Compensates a scope's completed activities (or only `activityRef`). Each handler runs where its
 * activity ran (a completed subprocess is entered again for it); `activationScopeKey` is where a
 * handler runs whose scope is gone for good. With a waiting thrower, the handlers run one after
 * the other, most recent work first, and it returns true: the thrower completes when they are
 * done. Without one, they all start at once.
 */
export function compensate(
  step: Step,
  scopeKey: Key,
  activationScopeKey: Key,
  thrower: ElementInstanceState | undefined,
  activityRef: string | undefined,
  waitForCompletion: boolean,
): boolean {
  const consumed: Key[] = []
  const handlers = collect(step, { key: scopeKey }, activityRef, consumed)
  const wait = thrower !== undefined && waitForCompletion && handlers.length > 0
  const resolved: CompensationHandlerRef[] = handlers.map((handler) => ({
    nodeId: handler.nodeId,
    scopeKey: resolveScope(step, handler.scope, activationScopeKey),
    ...(handler.compensatesScope === undefined
      ? {}
      : { compensatesScope: handler.compensatesScope }),
  }))
  const [first, ...queue] = resolved
  if (consumed.length > 0 || thrower) {
    step.emit({
      type: 'CompensationTriggered',
      throwerKey: thrower?.key ?? scopeKey,
      elementInstanceKeys: consumed,
      waitFor: wait ? handlers.length : 0,
      ...(wait && queue.length > 0 ? { queue } : {}),
    })
  }
  for (const handler of wait ? (first === undefined ? [] : [first]) : resolved) {
    step.enqueueCompensationHandler(
      handler.nodeId,
      handler.scopeKey,
      wait ? thrower?.key : undefined,
      handler.compensatesScope,
    )
  }
  return wait
}

/**
 * A compensation throw event: which scope it compensates. Inside an event subprocess, the scope
 * the event subprocess is in (BPMN); for a compensation event subprocess, the completed
 * subprocess it handles.
 */
export function compensationScopeOf(step: Step, thrower: ElementInstanceState): Key {
  const scope = step.state.elements[thrower.flowScopeKey]
  if (scope?.compensatesScope !== undefined) return scope.compensatesScope
  if (scope && step.node(scope.elementId).triggeredByEvent === true) return scope.flowScopeKey
  return thrower.flowScopeKey
}

/** A handler finished: its waiting thrower goes on once all of its handlers are done. */
export function compensationHandlerDone(step: Step, handler: ElementInstanceState): void {
  const throwerKey = handler.compensationFor
  if (!throwerKey) return
  const next = step.state.elements[throwerKey]?.compensationQueue?.[0]
  step.emit({ type: 'CompensationHandlerDone', throwerKey })
  const thrower = step.state.elements[throwerKey]
  if (next !== undefined && thrower) {
    step.enqueueCompensationHandler(next.nodeId, next.scopeKey, thrower.key, next.compensatesScope)
    return
  }
  if (thrower && (thrower.compensationsPending ?? 0) === 0) step.enqueueComplete(thrower.key)
}
