import type { ElementBehavior } from './element-behavior.ts'

/** Embedded subprocess: a scope of its own; it completes when nothing is left running in it. */
export const subProcess: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    if (!node.startEventId) throw new Error(`subprocess ${node.id} has no start event`)
    step.enqueueActivate(node.startEventId, element.key)
  },
}
