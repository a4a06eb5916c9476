import { toJson } from '../behaviors/variables.ts'
import type { Step } from '../step.ts'
import type { ElementInstanceState } from '../types.ts'
import { IncidentErrorTypes } from '../types.ts'
import type { ElementBehavior } from './element-behavior.ts'

/**
 * Ad-hoc subprocess: the elements named by `zeebe:adHoc activeElementsCollection` (FEEL list of
 * element ids) run; without it, every inner element that has no incoming flow. Sequential
 * ordering runs them one after another; the completion condition is read after each inner
 * element completes, and ends the subprocess (cancelling the rest, unless told not to).
 */
export const adHocSubProcess: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const adHoc = node.adHoc
    const children = node.childNodeIds ?? []
    let ids: string[]
    if (adHoc?.activeElementsCollection) {
      const result = step.evaluate(
        element,
        adHoc.activeElementsCollection,
        'the active elements collection',
      )
      if (!result.ok) return
      const list = result.value
      const unknown = Array.isArray(list)
        ? list.filter((id) => typeof id !== 'string' || !children.includes(id))
        : []
      if (!Array.isArray(list) || unknown.length > 0) {
        step.raiseIncident(
          element,
          IncidentErrorTypes.extractValue,
          `the active elements collection of '${node.id}' must be a list of ids of its inner elements (${children.join(', ')}) but was ${JSON.stringify(toJson(list))}`,
          'activate',
        )
        return
      }
      ids = list as string[]
    } else {
      ids = children.filter((id) => {
        const child = step.node(id)
        return (
          child.incoming.length === 0 &&
          child.type !== 'boundaryEvent' &&
          !child.isForCompensation &&
          !child.triggeredByEvent
        )
      })
    }
    if (ids.length === 0) {
      step.enqueueComplete(element.key)
      return
    }
    if (adHoc?.ordering === 'Sequential') {
      step.emit({ type: 'AdHocQueued', elementInstanceKey: element.key, elementIds: ids.slice(1) })
      step.enqueueActivate(ids[0] as string, element.key)
    } else {
      for (const id of ids) step.enqueueActivate(id, element.key)
    }
  },
}

/** After an inner element completed: reads the completion condition. True: the subprocess is done. */
export function adHocChildCompleted(step: Step, scope: ElementInstanceState): void {
  const node = step.node(scope.elementId)
  const condition = node.adHoc?.completionCondition
  if (!condition) return
  const result = step.evaluate(scope, condition, 'the completion condition', 'complete')
  if (!result.ok || result.value !== true) return
  if (scope.adHocQueue && scope.adHocQueue.length > 0) {
    step.emit({ type: 'AdHocQueued', elementInstanceKey: scope.key, elementIds: [] })
  }
  if (node.adHoc?.cancelRemainingInstances !== false) step.terminateChildren(scope.key)
}

/** A sequential ad-hoc subprocess ran dry: start its next element. Returns whether it did. */
export function adHocNext(step: Step, scope: ElementInstanceState): boolean {
  const queue = scope.adHocQueue
  if (!queue || queue.length === 0) return false
  step.emit({ type: 'AdHocQueued', elementInstanceKey: scope.key, elementIds: queue.slice(1) })
  step.enqueueActivate(queue[0] as string, scope.key)
  return true
}
