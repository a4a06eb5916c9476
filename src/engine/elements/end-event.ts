import type { ElementBehavior } from './element-behavior.ts'

/**
 * None end event: the token ends here. Terminate end event: everything else in its scope is
 * terminated first, so the scope (a subprocess, or the whole instance) completes at once.
 */
export const endEvent: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    if (node.eventDefinition?.type === 'terminate') {
      step.terminateChildren(element.flowScopeKey, element.key)
    }
    step.enqueueComplete(element.key)
  },
}
