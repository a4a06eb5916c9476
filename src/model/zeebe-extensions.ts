/**
 * Readers for the `zeebe:` extension elements (Camunda 8 dialect). Each returns the executable
 * form and reports what is wrong with the element it reads.
 */
import type { AttributeValue } from '../feel/types.ts'
import { compileFeel, parseAttributeValue } from './attribute-value.ts'
import {
  booleanProperty,
  describeElement,
  elementsProperty,
  extensionElement,
  extensionElements,
  idOf,
  stringProperty,
  type ModdleElement,
} from './moddle-element.ts'
import type { ProblemCollector } from './problem-collector.ts'
import type {
  CalledDecisionDefinition,
  CalledElementDefinition,
  IoMapping,
  JobDefinition,
  ScriptDefinition,
  UserTaskDefinition,
  VariableMapping,
} from './types.ts'

export interface ElementContext {
  readonly problems: ProblemCollector
  /** The process being compiled (holds `zeebe:userTaskForm` bodies). */
  readonly process: ModdleElement
}

/** A variable name or dotted path, as Zeebe accepts for mapping targets and result variables. */
const variablePath = /^[\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u

/**
 * Reads an attribute that may be FEEL (`=`-prefixed) or a literal; reports `feel-syntax` naming
 * the element and the attribute when the FEEL does not parse.
 */
export function readAttributeValue(
  element: ModdleElement,
  attribute: string,
  raw: string,
  ctx: ElementContext,
): AttributeValue | undefined {
  const parsed = parseAttributeValue(raw)
  if (parsed.ok) return parsed.value
  ctx.problems.error(
    'feel-syntax',
    `${attribute} of ${describeElement(element)} is not valid FEEL (${parsed.error}): '${raw}'. Fix the expression, or remove the leading '=' to make it a literal.`,
    idOf(element),
  )
  return undefined
}

function optionalAttribute(
  element: ModdleElement,
  extension: ModdleElement | undefined,
  property: string,
  ctx: ElementContext,
): AttributeValue | undefined {
  if (extension === undefined) return undefined
  const raw = stringProperty(extension, property)
  if (raw === undefined || raw.trim() === '') return undefined
  return readAttributeValue(element, `${extensionName(extension)} ${property}`, raw, ctx)
}

function extensionName(extension: ModdleElement): string {
  const [prefix = '', local = ''] = extension.$type.split(':', 2)
  return `${prefix}:${local.charAt(0).toLowerCase()}${local.slice(1)}`
}

/** `zeebe:ioMapping` on any flow node; undefined when the element has none. */
export function readIoMapping(element: ModdleElement, ctx: ElementContext): IoMapping | undefined {
  const ioMapping = extensionElement(element, 'zeebe:IoMapping')
  if (ioMapping === undefined) return undefined
  const read = (
    kind: 'input' | 'output',
    parameters: readonly ModdleElement[],
  ): VariableMapping[] => {
    const mappings: VariableMapping[] = []
    for (const parameter of parameters) {
      const target = stringProperty(parameter, 'target')?.trim() ?? ''
      if (!variablePath.test(target)) {
        ctx.problems.error(
          'mapping-target-invalid',
          `A zeebe:${kind} of ${describeElement(element)} has target '${target}', which is not a variable name or dotted path (like 'customer.address.city'). Set a valid target.`,
          idOf(element),
        )
        continue
      }
      // An empty source is Camunda's way of writing "set the variable to null".
      const rawSource = stringProperty(parameter, 'source')?.trim() ?? ''
      const source = rawSource.startsWith('=') ? rawSource.slice(1) : rawSource
      const compiled = compileFeel(source.trim() === '' ? 'null' : source)
      if (!compiled.ok) {
        ctx.problems.error(
          'feel-syntax',
          `The source of zeebe:${kind} '${target}' on ${describeElement(element)} is not valid FEEL (${compiled.error}): '${rawSource}'. Fix the expression.`,
          idOf(element),
        )
        continue
      }
      mappings.push({ source: compiled.expression, target })
    }
    return mappings
  }
  return {
    inputs: read('input', elementsProperty(ioMapping, 'inputParameters')),
    outputs: read('output', elementsProperty(ioMapping, 'outputParameters')),
  }
}

/** `zeebe:taskHeaders`: key/value pairs passed to the worker as they are. */
export function readTaskHeaders(
  element: ModdleElement,
  ctx: ElementContext,
): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const container of extensionElements(element, 'zeebe:TaskHeaders')) {
    for (const header of elementsProperty(container, 'values')) {
      const key = stringProperty(header, 'key')
      if (key === undefined || key === '') {
        ctx.problems.error(
          'task-header-key-required',
          `A zeebe:header of ${describeElement(element)} has no key. Give every task header a key, or remove it.`,
          idOf(element),
        )
        continue
      }
      headers[key] = stringProperty(header, 'value') ?? ''
    }
  }
  return headers
}

/** `zeebe:taskDefinition` (+ headers) -> a job; undefined when the element has none. */
export function readJobDefinition(
  element: ModdleElement,
  ctx: ElementContext,
): JobDefinition | undefined {
  const taskDefinition = extensionElement(element, 'zeebe:TaskDefinition')
  if (taskDefinition === undefined) return undefined
  const rawType = stringProperty(taskDefinition, 'type')?.trim() ?? ''
  if (rawType === '' || rawType === '=') {
    ctx.problems.error(
      'task-definition-type-required',
      `${describeElement(element)} has a zeebe:taskDefinition without a job type. Set the type job workers subscribe to (e.g. type="payment").`,
      idOf(element),
    )
    return undefined
  }
  const rawRetries = stringProperty(taskDefinition, 'retries')?.trim() || '3'
  if (!rawRetries.startsWith('=') && !/^\d+$/.test(rawRetries)) {
    ctx.problems.error(
      'task-definition-retries-invalid',
      `zeebe:taskDefinition retries of ${describeElement(element)} is '${rawRetries}'; it must be a whole number (or a FEEL expression starting with '='). Set e.g. retries="3".`,
      idOf(element),
    )
  }
  const type = readAttributeValue(element, 'zeebe:taskDefinition type', rawType, ctx)
  const retries = readAttributeValue(element, 'zeebe:taskDefinition retries', rawRetries, ctx)
  const headers = readTaskHeaders(element, ctx)
  if (type === undefined || retries === undefined) return undefined
  return { type, retries, headers }
}

/** `zeebe:script` on a script task; undefined when the element has none. */
export function readScript(
  element: ModdleElement,
  ctx: ElementContext,
): ScriptDefinition | undefined {
  const script = extensionElement(element, 'zeebe:Script')
  if (script === undefined) return undefined
  const raw = stringProperty(script, 'expression')?.trim() ?? ''
  const resultVariable = stringProperty(script, 'resultVariable')?.trim() ?? ''
  let failed = false
  if (!variablePath.test(resultVariable)) {
    failed = true
    ctx.problems.error(
      'script-result-variable-required',
      `zeebe:script of ${describeElement(element)} needs a resultVariable (a variable name) to store the expression's value${resultVariable === '' ? '' : `; '${resultVariable}' is not a valid name`}.`,
      idOf(element),
    )
  }
  const compiled = compileFeel(raw.startsWith('=') ? raw.slice(1) : raw)
  if (!compiled.ok) {
    ctx.problems.error(
      raw === '' || raw === '=' ? 'script-expression-required' : 'feel-syntax',
      raw === '' || raw === '='
        ? `zeebe:script of ${describeElement(element)} has no expression. Write the FEEL expression to evaluate (e.g. expression="=a + b").`
        : `zeebe:script expression of ${describeElement(element)} is not valid FEEL (${compiled.error}): '${raw}'. Fix the expression.`,
      idOf(element),
    )
    return undefined
  }
  return failed ? undefined : { expression: compiled.expression, resultVariable }
}

/** `zeebe:userTask` and companions. A user task without any of them is still a user task. */
export function readUserTask(element: ModdleElement, ctx: ElementContext): UserTaskDefinition {
  const assignment = extensionElement(element, 'zeebe:AssignmentDefinition')
  const schedule = extensionElement(element, 'zeebe:TaskSchedule')
  const priority = extensionElement(element, 'zeebe:PriorityDefinition')
  const form = extensionElement(element, 'zeebe:FormDefinition')
  const definition: { -readonly [K in keyof UserTaskDefinition]: UserTaskDefinition[K] } = {}
  const set = (
    key:
      | 'assignee'
      | 'candidateUsers'
      | 'candidateGroups'
      | 'dueDate'
      | 'followUpDate'
      | 'priority'
      | 'externalReference',
    value: AttributeValue | undefined,
  ): void => {
    if (value !== undefined) definition[key] = value
  }
  set('assignee', optionalAttribute(element, assignment, 'assignee', ctx))
  set('candidateUsers', optionalAttribute(element, assignment, 'candidateUsers', ctx))
  set('candidateGroups', optionalAttribute(element, assignment, 'candidateGroups', ctx))
  set('dueDate', optionalAttribute(element, schedule, 'dueDate', ctx))
  set('followUpDate', optionalAttribute(element, schedule, 'followUpDate', ctx))
  set('priority', optionalAttribute(element, priority, 'priority', ctx))
  set('externalReference', optionalAttribute(element, form, 'externalReference', ctx))
  const formKey = form === undefined ? undefined : stringProperty(form, 'formKey')
  const formId = form === undefined ? undefined : stringProperty(form, 'formId')
  if (formId !== undefined && formId !== '') definition.formId = formId
  if (formKey !== undefined && formKey !== '') {
    definition.formKey = formKey
    const embedded = /^camunda-forms:bpmn:(.+)$/.exec(formKey)
    if (embedded) {
      const body = extensionElements(ctx.process, 'zeebe:UserTaskForm').find(
        (candidate) => stringProperty(candidate, 'id') === embedded[1],
      )
      const schema = body === undefined ? undefined : stringProperty(body, 'body')
      if (schema === undefined) {
        ctx.problems.error(
          'form-not-found',
          `${describeElement(element)} uses form key '${formKey}', but the process has no zeebe:userTaskForm with id '${embedded[1]}'. Link an existing form or embed it again.`,
          idOf(element),
        )
      } else {
        definition.formSchema = schema
      }
    }
  }
  return definition
}

/**
 * `zeebe:calledElement`. Falls back to the plain BPMN `calledElement` attribute (a literal
 * process id) so models from other tools still run.
 */
export function readCalledElement(
  element: ModdleElement,
  ctx: ElementContext,
): CalledElementDefinition | undefined {
  const called = extensionElement(element, 'zeebe:CalledElement')
  const raw =
    (called === undefined ? undefined : stringProperty(called, 'processId'))?.trim() ||
    stringProperty(element, 'calledElement')?.trim() ||
    ''
  if (raw === '' || raw === '=') {
    ctx.problems.error(
      'called-element-required',
      `${describeElement(element)} does not say which process to call. Add zeebe:calledElement with processId (a process id, or a FEEL expression starting with '=').`,
      idOf(element),
    )
    return undefined
  }
  const processId = readAttributeValue(element, 'zeebe:calledElement processId', raw, ctx)
  if (processId === undefined) return undefined
  return {
    processId,
    propagateAllChildVariables:
      (called === undefined ? undefined : booleanProperty(called, 'propagateAllChildVariables')) ??
      true,
    propagateAllParentVariables:
      (called === undefined ? undefined : booleanProperty(called, 'propagateAllParentVariables')) ??
      true,
  }
}

const bindingTypes = new Set(['latest', 'deployment', 'versionTag'] as const)

function isBindingType(
  value: string,
): value is NonNullable<CalledDecisionDefinition['bindingType']> {
  return (bindingTypes as ReadonlySet<string>).has(value)
}

/**
 * An attribute of an extension element, also when the moddle schema does not know it (newer
 * Camunda attributes such as `bindingType` land among the unknown `$attrs`).
 */
function extensionAttribute(extension: ModdleElement, name: string): string | undefined {
  const known = stringProperty(extension, name)
  if (known !== undefined) return known
  const attributes = extension.$attrs as Readonly<Record<string, unknown>> | undefined
  const value = attributes?.[name]
  return typeof value === 'string' ? value : undefined
}

/** `zeebe:calledDecision` on a business rule task; undefined when absent or invalid (reported). */
export function readCalledDecision(
  element: ModdleElement,
  ctx: ElementContext,
): CalledDecisionDefinition | undefined {
  const called = extensionElement(element, 'zeebe:CalledDecision')
  if (called === undefined) return undefined
  const rawId = stringProperty(called, 'decisionId')?.trim() ?? ''
  const resultVariable = stringProperty(called, 'resultVariable')?.trim() ?? ''
  const bindingType = extensionAttribute(called, 'bindingType')?.trim() || 'latest'
  const versionTag = extensionAttribute(called, 'versionTag')?.trim() ?? ''
  let failed = false
  if (rawId === '' || rawId === '=') {
    failed = true
    ctx.problems.error(
      'called-decision-id-required',
      `zeebe:calledDecision of ${describeElement(element)} does not say which decision to evaluate. Set decisionId to the id of a DMN decision (or a FEEL expression starting with '=').`,
      idOf(element),
    )
  }
  if (!variablePath.test(resultVariable)) {
    failed = true
    ctx.problems.error(
      'called-decision-result-variable-required',
      `zeebe:calledDecision of ${describeElement(element)} needs a resultVariable (a variable name) to store the decision's result${resultVariable === '' ? '' : `; '${resultVariable}' is not a valid name`}.`,
      idOf(element),
    )
  }
  if (!isBindingType(bindingType)) {
    failed = true
    ctx.problems.error(
      'called-decision-binding-type-invalid',
      `zeebe:calledDecision bindingType of ${describeElement(element)} is '${bindingType}'; use latest, deployment or versionTag.`,
      idOf(element),
    )
  } else if (bindingType === 'versionTag' && versionTag === '') {
    failed = true
    ctx.problems.error(
      'called-decision-version-tag-required',
      `zeebe:calledDecision of ${describeElement(element)} has bindingType="versionTag" but no versionTag. Set versionTag, or use bindingType="latest".`,
      idOf(element),
    )
  }
  const decisionId =
    rawId === '' || rawId === '='
      ? undefined
      : readAttributeValue(element, 'zeebe:calledDecision decisionId', rawId, ctx)
  if (failed || decisionId === undefined || !isBindingType(bindingType)) return undefined
  return {
    decisionId,
    resultVariable,
    ...(bindingType === 'latest' ? {} : { bindingType }),
    ...(versionTag === '' ? {} : { versionTag }),
  }
}
