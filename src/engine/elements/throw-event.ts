import {
  closeSubscriptionsHeldBy,
  sendMessage,
  throwError,
  throwEscalation,
  throwSignal,
  thrownName,
} from '../behaviors/events.ts'
import { linkTargetKey } from '../../model/index.ts'
import { compensate, compensationScopeOf } from '../behaviors/compensation.ts'
import { IncidentErrorTypes } from '../types.ts'
import type { FlowNode } from '../../model/types.ts'
import type { Step } from '../step.ts'
import type { ElementInstanceState } from '../types.ts'
import type { ElementBehavior } from './element-behavior.ts'
import { jobTask } from './job-task.ts'

/**
 * Intermediate throw and end events, by what they throw. A message throw is a job (like a send
 * task); a terminate end ends everything else in its scope first.
 */
export const throwEvent: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const type = node.eventDefinition?.type
    // An error or a cancel ends its scope: tokens moving at the same instant arrive first.
    if (type === 'error' || type === 'cancel')
      step.later(element.key, (e) => throwResult(step, e, node))
    else throwResult(step, element, node)
  },
  onTerminate(step, element, node) {
    jobTask.onTerminate?.(step, element, node)
  },
}

/** What the event throws, once it is active. */
function throwResult(step: Step, element: ElementInstanceState, node: FlowNode): void {
  const definition = node.eventDefinition
  switch (definition?.type) {
    case undefined:
      break
    case 'terminate':
      step.terminateChildren(element.flowScopeKey, element.key)
      break
    case 'message':
      if (node.job) {
        jobTask.onActivated(step, element, node)
        return
      }
      if (!sendMessage(step, element, definition)) return
      break
    case 'signal': {
      // A "multiple" throw event throws each of its signals, in document order.
      for (const signal of node.eventDefinitions ?? [definition]) {
        if (signal.type !== 'signal') continue
        const name = thrownName(step, element, signal.signalName, `the signal name of '${node.id}'`)
        if (!name.ok) return
        throwSignal(step, name.value, {})
        if (!step.state.elements[element.key]) return // an interrupting catcher ended this scope
      }
      break
    }
    case 'link': {
      const target = step.process.linkTargets?.get(linkTargetKey(node.scopeId, definition.name))
      if (target) step.enqueueActivate(target, element.flowScopeKey)
      break
    }
    case 'escalation': {
      const code = thrownName(
        step,
        element,
        definition.escalationCode,
        `the escalation code of '${node.id}'`,
      )
      if (!code.ok) return
      if (throwEscalation(step, element, code.value)) return
      break
    }
    case 'error': {
      const code = thrownName(step, element, definition.errorCode, `the error code of '${node.id}'`)
      if (!code.ok) return
      if (!throwError(step, element, false, code.value, '', {})) {
        step.raiseIncident(
          element,
          IncidentErrorTypes.unhandledError,
          `error '${code.value}' thrown by '${node.id}' was not caught; model an error boundary event or an error event subprocess for it`,
          'activate',
        )
      }
      // Caught: the catcher has taken over (this element was terminated, or waits for its parent).
      return
    }
    case 'cancel': {
      // Cancel end event: the enclosing transaction is cancelled and leaves through its cancel
      // boundary event (the model requires one).
      const transaction = step.state.elements[element.flowScopeKey]
      const transactionNode = transaction && step.node(transaction.elementId)
      if (!transaction || !transactionNode?.isTransaction) break
      const cancelBoundary = (transactionNode.boundaryEventIds ?? [])
        .map((id) => step.node(id))
        .find((b) => b.eventDefinition?.type === 'cancel')
      closeSubscriptionsHeldBy(step, transaction.key)
      if (!cancelBoundary) {
        step.terminateElement(transaction)
        return
      }
      // The cancel boundary catches at once; what still runs in the transaction ends; the work
      // it completed is undone inside it, most recent first, while the boundary waits; the
      // transaction ends when the boundary completes (see cancelledTransactionOf).
      const boundaryKey = step.beginActivation(
        cancelBoundary.id,
        transaction.flowScopeKey,
        {},
        {
          cancelsTransaction: transaction.key,
        },
      )
      step.terminateChildren(transaction.key)
      const boundary = step.state.elements[boundaryKey]
      // With nothing to undo, the transaction ends at once and the boundary takes the token on.
      if (!compensate(step, transaction.key, transaction.key, boundary, undefined, true)) {
        step.terminateElement(transaction)
      }
      return
    }
    case 'compensation': {
      const waits = compensate(
        step,
        compensationScopeOf(step, element),
        element.flowScopeKey,
        element,
        definition.activityRef,
        definition.waitForCompletion,
      )
      if (waits) return // completes when its handlers are done
      break
    }
    case 'timer':
    case 'conditional':
      break
  }
  step.enqueueComplete(element.key)
}
