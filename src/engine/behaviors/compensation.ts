/**
 * Compensation: undoing completed work. An activity with a compensation handler (or a subprocess
 * with a compensation event subprocess, or with compensable activities inside) is remembered when
 * it completes; a compensation throw event runs the handlers of its scope, most recent first, and
 * waits for them unless `waitForCompletion="false"`. Each completed activity is compensated once.
 */
import type { FlowNode } from '../../model/types.ts'
import type { Step } from '../step.ts'
import type { CompensationRecord, ElementInstanceState, Key } from '../types.ts'

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

interface Handler {
  readonly nodeId: string
  readonly compensatesScope?: Key
}

/** The handlers for the compensable records of a scope, most recent first; nested subprocesses unfold. */
function collect(
  step: Step,
  scopeKey: Key,
  activityRef: string | undefined,
  consumed: Key[],
): Handler[] {
  const records: CompensationRecord[] = (step.state.compensations ?? []).filter(
    (r) => r.scopeKey === scopeKey && (activityRef === undefined || r.elementId === activityRef),
  )
  const handlers: Handler[] = []
  for (const record of records.reverse()) {
    consumed.push(record.elementInstanceKey)
    const node = step.node(record.elementId)
    if (node.compensationHandlerId) {
      handlers.push({ nodeId: node.compensationHandlerId })
      continue
    }
    const esp = compensationEventSubprocess(step, node)
    if (esp) {
      handlers.push({ nodeId: esp, compensatesScope: record.elementInstanceKey })
      continue
    }
    handlers.push(...collect(step, record.elementInstanceKey, undefined, consumed))
  }
  return handlers
}

/**
 * Compensates a scope's completed activities (or only `activityRef`), starting their handlers in
 * `activationScopeKey`. With a waiting thrower, returns true: it completes when they are done.
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
  const handlers = collect(step, scopeKey, activityRef, consumed)
  const wait = thrower !== undefined && waitForCompletion && handlers.length > 0
  if (consumed.length > 0 || thrower) {
    step.emit({
      type: 'CompensationTriggered',
      throwerKey: thrower?.key ?? scopeKey,
      elementInstanceKeys: consumed,
      waitFor: wait ? handlers.length : 0,
    })
  }
  for (const handler of handlers) {
    step.enqueueCompensationHandler(
      handler.nodeId,
      activationScopeKey,
      wait ? thrower?.key : undefined,
      handler.compensatesScope,
    )
  }
  return wait
}

/** A compensation throw event: which scope it compensates (inside a compensation event subprocess, the subprocess it handles). */
export function compensationScopeOf(step: Step, thrower: ElementInstanceState): Key {
  const scope = step.state.elements[thrower.flowScopeKey]
  return scope?.compensatesScope ?? thrower.flowScopeKey
}

/** A handler finished: its waiting thrower goes on once all of its handlers are done. */
export function compensationHandlerDone(step: Step, handler: ElementInstanceState): void {
  const throwerKey = handler.compensationFor
  if (!throwerKey) return
  step.emit({ type: 'CompensationHandlerDone', throwerKey })
  const thrower = step.state.elements[throwerKey]
  if (thrower && (thrower.compensationsPending ?? 0) === 0) step.enqueueComplete(thrower.key)
}
