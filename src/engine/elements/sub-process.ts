import { adHocSubProcess } from './ad-hoc-subprocess.ts'
import type { ElementBehavior } from './element-behavior.ts'

/**
 * Embedded subprocess (and event subprocess, transaction): a scope of its own, started at its
 * start event; it completes when nothing is left running in it. An ad-hoc subprocess starts its
 * elements its own way.
 */
export const subProcess: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    if (node.adHoc) {
      adHocSubProcess.onActivated(step, element, node)
      return
    }
    if (!node.startEventId) throw new Error(`subprocess ${node.id} has no start event`)
    step.enqueueActivate(node.startEventId, element.key)
  },
}
