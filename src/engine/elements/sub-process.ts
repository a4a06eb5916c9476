import { adHocSubProcess } from './ad-hoc-subprocess.ts'
import type { ElementBehavior } from './element-behavior.ts'

/**
 * Embedded subprocess (and event subprocess, transaction): a scope of its own, started at its
 * start event; it completes when nothing is left running in it. An ad-hoc subprocess starts its
 * elements its own way. In a descriptive process a subprocess may start at several flow nodes
 * (`tokenStartIds`): every none start event (an event subprocess: the start event triggered) and
 * every flow node without incoming sequence flow, in document order.
 */
export const subProcess: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    if (node.adHoc) {
      adHocSubProcess.onActivated(step, element, node)
      return
    }
    const triggeredAt = element.startEventId ?? node.startEventId
    if (node.tokenStartIds) {
      for (const id of node.tokenStartIds) {
        const child = step.node(id)
        if (child.type === 'startEvent') {
          const starts = node.triggeredByEvent
            ? id === triggeredAt
            : child.eventDefinition === undefined
          if (!starts) continue
        }
        step.enqueueActivate(id, element.key)
      }
      return
    }
    if (!triggeredAt) throw new Error(`subprocess ${node.id} has no start event`)
    step.enqueueActivate(triggeredAt, element.key)
  },
}
