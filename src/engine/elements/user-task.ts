import type { AttributeValue } from '../../feel/types.ts'
import { toJson } from '../behaviors/variables.ts'
import type { Step } from '../step.ts'
import type { ElementInstanceState } from '../types.ts'
import { IncidentErrorTypes } from '../types.ts'
import type { ElementBehavior } from './element-behavior.ts'

/** A literal "a, b" or a FEEL list of strings (or one string) -> a list of names. */
function names(
  step: Step,
  element: ElementInstanceState,
  value: AttributeValue | undefined,
  what: string,
): string[] | undefined {
  if (value === undefined) return []
  if (value.kind === 'literal') {
    return value.value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
  }
  const result = step.evaluate(element, value.expression, what)
  if (!result.ok) return undefined
  const list = result.value
  if (list === null) return []
  if (typeof list === 'string') return [list]
  if (Array.isArray(list) && list.every((item) => typeof item === 'string')) return list
  step.raiseIncident(
    element,
    IncidentErrorTypes.extractValue,
    `${what} of '${element.elementId}' must be a list of strings but was ${JSON.stringify(toJson(list))}`,
    'activate',
  )
  return undefined
}

/** User task (`zeebe:userTask`): waits until someone completes it through the task list. */
export const userTask: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const definition = node.userTask ?? {}
    const assignee = step.stringAttribute(element, definition.assignee, 'the assignee')
    if (!assignee.ok) return
    const candidateUsers = names(step, element, definition.candidateUsers, 'the candidate users')
    if (!candidateUsers) return
    const candidateGroups = names(step, element, definition.candidateGroups, 'the candidate groups')
    if (!candidateGroups) return
    const dueDate = step.stringAttribute(element, definition.dueDate, 'the due date')
    if (!dueDate.ok) return
    const followUpDate = step.stringAttribute(
      element,
      definition.followUpDate,
      'the follow-up date',
    )
    if (!followUpDate.ok) return
    let priority = 50
    if (definition.priority) {
      const value = step.attribute(element, definition.priority, 'the priority')
      if (!value.ok) return
      priority = Number(value.value)
      if (!Number.isInteger(priority) || priority < 0 || priority > 100) {
        step.raiseIncident(
          element,
          IncidentErrorTypes.extractValue,
          `the priority of '${node.id}' must be a whole number from 0 to 100 but was ${JSON.stringify(toJson(value.value))}`,
          'activate',
        )
        return
      }
    }
    step.emit({
      type: 'UserTaskCreated',
      userTaskKey: step.ctx.nextKey(),
      elementInstanceKey: element.key,
      elementId: node.id,
      ...(node.name === undefined ? {} : { name: node.name }),
      assignee: assignee.value || null,
      candidateUsers,
      candidateGroups,
      dueDate: dueDate.value || null,
      followUpDate: followUpDate.value || null,
      priority,
      formKey: definition.formKey ?? null,
      formId: definition.formId ?? null,
    })
  },
  onTerminate(step, element) {
    if (element.userTaskKey)
      step.emit({ type: 'UserTaskCanceled', userTaskKey: element.userTaskKey })
  },
}
