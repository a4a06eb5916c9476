import { IncidentErrorTypes } from '../types.ts'
import type { ElementBehavior } from './element-behavior.ts'
import { jobTask } from './job-task.ts'

/**
 * Business rule task: with `zeebe:calledDecision` the engine evaluates the latest version of the
 * deployed DMN decision (through `ctx.evaluateDecision`, so the core never sees a store), records
 * the evaluation as `DecisionEvaluated`, stores the result and completes. Without it, it is a job.
 * A missing decision or a failed evaluation is an incident; resolving it evaluates again.
 */
export const businessRuleTask: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const called = node.calledDecision
    if (!called) {
      jobTask.onActivated(step, element, node)
      return
    }
    const decisionId = step.stringAttribute(element, called.decisionId, 'the called decision id')
    if (!decisionId.ok) return
    if (!decisionId.value) {
      step.raiseIncident(
        element,
        IncidentErrorTypes.extractValue,
        `the called decision id of '${node.id}' evaluated to an empty value; set zeebe:calledDecision decisionId`,
        'activate',
      )
      return
    }
    const outcome = step.ctx.evaluateDecision?.(
      decisionId.value,
      step.variablesAt(element.key),
    ) ?? {
      ok: false,
      reason: 'notFound',
      message: 'this engine has no decisions',
    }
    if (!outcome.ok) {
      step.raiseIncident(
        element,
        outcome.reason === 'notFound'
          ? IncidentErrorTypes.calledDecision
          : IncidentErrorTypes.decisionEvaluation,
        outcome.reason === 'notFound'
          ? `business rule task '${node.id}' calls decision '${decisionId.value}', which is not deployed (${outcome.message}); deploy its DMN file, then resolve this incident`
          : `decision '${decisionId.value}' called by business rule task '${node.id}' failed: ${outcome.message}; fix the decision or the variables, then resolve this incident`,
        'activate',
      )
      return
    }
    step.emit({
      type: 'DecisionEvaluated',
      elementInstanceKey: element.key,
      elementId: node.id,
      decisionId: outcome.decisionId,
      decisionKey: outcome.decisionKey,
      decisionVersion: outcome.decisionVersion,
      ...(outcome.inputs === undefined ? {} : { inputs: outcome.inputs }),
      matchedRules: outcome.matchedRules,
      outputs: outcome.outputs,
      result: outcome.value,
    })
    step.setCompletionVariables(element, node, { [called.resultVariable]: outcome.value })
    step.enqueueComplete(element.key)
  },
  onTerminate(step, element, node) {
    jobTask.onTerminate?.(step, element, node)
  },
}
