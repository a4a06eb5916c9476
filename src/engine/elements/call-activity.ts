import { IncidentErrorTypes } from '../types.ts'
import type { ElementBehavior } from './element-behavior.ts'

/**
 * Call activity: starts the latest version of the called process as a child instance (in the
 * same commit) and waits for it to complete; its variables come back as completion variables.
 */
export const callActivity: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const called = node.calledElement
    if (!called) throw new Error(`call activity ${node.id} has no called element`)
    const processId = step.stringAttribute(element, called.processId, 'the called process id')
    if (!processId.ok) return
    const target = processId.value ? step.ctx.latestProcess(processId.value) : undefined
    if (!target) {
      step.raiseIncident(
        element,
        IncidentErrorTypes.calledElement,
        `call activity '${node.id}' calls process '${processId.value ?? ''}', which is not deployed; deploy it, then resolve this incident`,
        'activate',
      )
      return
    }
    const variables = called.propagateAllParentVariables
      ? step.variablesAt(element.key)
      : { ...step.state.variables[element.key] }
    const childInstanceKey = step.ctx.nextKey()
    step.emit({
      type: 'ChildInstanceCreated',
      elementInstanceKey: element.key,
      childInstanceKey,
      bpmnProcessId: target.bpmnProcessId,
    })
    step.command({
      type: 'CreateInstance',
      instanceKey: childInstanceKey,
      processDefinitionKey: target.key,
      variables,
      parent: { instanceKey: step.state.key, elementInstanceKey: element.key },
    })
  },
  onTerminate(step, element) {
    if (element.childInstanceKey) {
      step.command({
        type: 'CancelInstance',
        instanceKey: element.childInstanceKey,
        byParent: true,
      })
    }
  },
}
