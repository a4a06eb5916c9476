import type { ElementBehavior } from './element-behavior.ts'

/** Elements that do nothing but pass the token on: none events, manual/undefined tasks, gateways. */
export function passThrough(outgoing: ElementBehavior['outgoing']): ElementBehavior {
  return {
    outgoing,
    onActivated(step, element) {
      step.enqueueComplete(element.key)
    },
  }
}
