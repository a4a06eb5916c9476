import { openSubscription } from '../behaviors/events.ts'
import type { ElementBehavior } from './element-behavior.ts'

/**
 * Intermediate catch events and receive tasks: wait for their timer, message, signal or condition
 * (a link catch passes through). Activated already triggered (the target of an event-based
 * gateway), they complete at once.
 */
export const catchEvent: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const kind = node.eventDefinition?.type
    if (element.triggered || kind === undefined || kind === 'link') {
      step.enqueueComplete(element.key)
      return
    }
    if (node.eventDefinitions === undefined) {
      openSubscription(step, element, element.key, element, node, true)
      return
    }
    // A "multiple" catch waits on each of its triggers (the first, or all when parallel).
    for (const definition of node.eventDefinitions) {
      if (!openSubscription(step, element, element.key, element, node, true, definition)) return
    }
  },
}

/**
 * Boundary events are activated only by their trigger; they then pass the token on (a cancel
 * boundary once the compensation of its transaction is done).
 */
export const boundaryEvent: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element) {
    if ((element.compensationsPending ?? 0) > 0) return
    step.enqueueComplete(element.key)
  },
}

/** Event-based gateway: waits on every event after it; the first to arrive chooses the path. */
export const eventBasedGateway: ElementBehavior = {
  outgoing: 'all',
  onActivated(step, element, node) {
    for (const flowId of node.outgoing) {
      const flow = step.process.flows.get(flowId)
      if (!flow) continue
      if (!openSubscription(step, element, element.key, element, step.node(flow.targetRef), true))
        return
    }
  },
}
