/**
 * Multi-instance and standard loops (Zeebe's multi-instance body): the activity is activated
 * once as a `body` holding the loop's variables and boundary events, and once per iteration as an
 * `inner` instance inside it. Input/output mappings and the element's own behaviour run per inner.
 */
import type { FlowNode } from '../../model/types.ts'
import type { Step } from '../step.ts'
import type { ElementInstanceState, JsonValue } from '../types.ts'
import { IncidentErrorTypes } from '../types.ts'
import { toJson } from './variables.ts'

const counters = ['nrOfInstances', 'nrOfActiveInstances', 'nrOfCompletedInstances'] as const

function setCounters(
  step: Step,
  body: ElementInstanceState,
  total: number,
  active: number,
  completed: number,
): void {
  const values = [total, active, completed]
  counters.forEach((name, i) => step.setLocal(body.key, name, values[i] as number))
  // Camunda 8's names for the same figures, so completion conditions written for it work too.
  step.setLocal(body.key, 'numberOfInstances', total)
  step.setLocal(body.key, 'numberOfActiveInstances', active)
  step.setLocal(body.key, 'numberOfCompletedInstances', completed)
}

function counter(step: Step, body: ElementInstanceState, name: (typeof counters)[number]): number {
  const value = step.state.variables[body.key]?.[name]
  return typeof value === 'number' ? value : 0
}

function activateInner(
  step: Step,
  body: ElementInstanceState,
  node: FlowNode,
  index: number,
): void {
  const item = body.loop?.items?.[index]
  step.enqueueActivateInner(node.id, body.key, {
    loopCounter: index + 1,
    ...(node.multiInstance?.inputElement && body.loop?.items
      ? { [node.multiInstance.inputElement]: item ?? null }
      : {}),
  })
}

/** Starts a loop body: evaluates what it iterates over and activates the first iteration(s). */
export function startLoop(step: Step, body: ElementInstanceState, node: FlowNode): void {
  const mi = node.multiInstance
  if (mi) {
    let items: JsonValue[] | null = null
    let count: number
    if (mi.inputCollection) {
      const result = step.evaluate(body, mi.inputCollection, 'the input collection')
      if (!result.ok) return
      if (!Array.isArray(result.value)) {
        step.raiseIncident(
          body,
          IncidentErrorTypes.extractValue,
          `the input collection '${mi.inputCollection.source}' of '${node.id}' must be a list but was ${JSON.stringify(toJson(result.value))}`,
          'activate',
        )
        return
      }
      items = toJson(result.value) as JsonValue[]
      count = items.length
    } else if (mi.loopCardinality) {
      const result = step.evaluate(body, mi.loopCardinality, 'the loop cardinality')
      if (!result.ok) return
      count = Number(result.value)
      if (!Number.isInteger(count) || count < 0) {
        step.raiseIncident(
          body,
          IncidentErrorTypes.extractValue,
          `the loop cardinality of '${node.id}' must be a whole number >= 0 but was ${JSON.stringify(toJson(result.value))}`,
          'activate',
        )
        return
      }
    } else {
      count = 0
    }
    step.emit({ type: 'LoopStarted', elementInstanceKey: body.key, items, count })
    setCounters(step, body, count, mi.isSequential ? Math.min(1, count) : count, 0)
    if (mi.outputCollection)
      step.setLocal(body.key, mi.outputCollection, Array<JsonValue>(count).fill(null))
    if (count === 0) {
      step.enqueueComplete(body.key)
      return
    }
    if (mi.isSequential) activateInner(step, body, node, 0)
    else for (let i = 0; i < count; i++) activateInner(step, body, node, i)
    return
  }
  const loop = node.standardLoop
  if (!loop) return
  step.emit({ type: 'LoopStarted', elementInstanceKey: body.key, items: null, count: -1 })
  setCounters(step, body, 0, 0, 0)
  if (loop.testBefore && !loopContinues(step, body, node, 0)) {
    step.enqueueComplete(body.key)
    return
  }
  activateInner(step, body, node, 0)
}

/** Standard loop: whether another iteration runs after `done` iterations. */
function loopContinues(
  step: Step,
  body: ElementInstanceState,
  node: FlowNode,
  done: number,
): boolean {
  const loop = node.standardLoop
  if (!loop) return false
  if (loop.loopMaximum !== undefined && done >= loop.loopMaximum) return false
  if (!loop.loopCondition) return loop.loopMaximum !== undefined
  const result = step.evaluate(body, loop.loopCondition, 'the loop condition', 'complete')
  return result.ok && result.value === true
}

/**
 * An iteration is about to complete: its output element goes into the output collection, and the
 * completion condition is read, both while its variables are still there. Returns whether the
 * loop ends early; undefined when an expression failed (an incident was raised).
 */
export function innerCompleting(
  step: Step,
  inner: ElementInstanceState,
  node: FlowNode,
): boolean | undefined {
  const body = step.state.elements[inner.flowScopeKey]
  const mi = node.multiInstance
  if (!body || !mi) return false
  if (mi.outputCollection && mi.outputElement) {
    const result = step.evaluate(inner, mi.outputElement, 'the output element', 'complete')
    if (!result.ok) return undefined
    const index = Number(step.state.variables[inner.key]?.['loopCounter'] ?? 0) - 1
    const current = step.state.variables[body.key]?.[mi.outputCollection]
    const list = Array.isArray(current) ? [...current] : []
    if (index >= 0) list[index] = toJson(result.value)
    step.setLocal(body.key, mi.outputCollection, list)
  }
  if (mi.completionCondition) {
    const result = step.evaluate(
      inner,
      mi.completionCondition,
      'the completion condition',
      'complete',
    )
    if (!result.ok) return undefined
    return result.value === true
  }
  return false
}

/** An iteration completed: count it, then start the next one or end the loop. */
export function innerCompleted(
  step: Step,
  body: ElementInstanceState,
  node: FlowNode,
  stop: boolean,
): void {
  const total = counter(step, body, 'nrOfInstances')
  const completed = counter(step, body, 'nrOfCompletedInstances') + 1
  const active = Math.max(0, counter(step, body, 'nrOfActiveInstances') - 1)
  const mi = node.multiInstance
  if (mi) {
    const next = !stop && mi.isSequential && completed < total
    setCounters(step, body, total, next ? active + 1 : active, completed)
    if (mi.behaviorEvent && (mi.behavior === 'None' || completed === 1)) {
      throwBehaviorEvent(step, body, node, mi.behaviorEvent)
    }
    if (stop) step.terminateChildren(body.key)
    else if (next) activateInner(step, body, node, completed)
    return
  }
  setCounters(step, body, completed, 0, completed)
  if (loopContinues(step, body, node, completed)) activateInner(step, body, node, completed)
}

/** The body completes: its output collection leaves the loop. */
export function bodyCompleting(step: Step, body: ElementInstanceState, node: FlowNode): void {
  const name = node.multiInstance?.outputCollection
  if (!name) return
  const value = step.state.variables[body.key]?.[name] ?? null
  step.setPropagated(body.flowScopeKey, name, value)
}

/**
 * The event of a multi-instance `behavior` (None: after each instance, One: after the first),
 * thrown to the activity itself: each boundary event of the activity for that signal, message or
 * escalation (an escalation boundary without a code catches every one) starts its path without
 * interrupting the instances, as BPMN implies for these implicit events.
 */
function throwBehaviorEvent(
  step: Step,
  body: ElementInstanceState,
  node: FlowNode,
  event: NonNullable<NonNullable<FlowNode['multiInstance']>['behaviorEvent']>,
): void {
  for (const id of node.boundaryEventIds ?? []) {
    const definition = step.node(id).eventDefinition
    if (definition?.type !== event.type) continue
    const name =
      definition.type === 'signal'
        ? definition.signalName
        : definition.type === 'message'
          ? definition.messageName
          : definition.type === 'escalation'
            ? definition.escalationCode
            : undefined
    const matches =
      name === undefined
        ? definition.type === 'escalation'
        : name.kind === 'literal' && name.value === event.name
    if (matches) step.beginActivation(id, body.flowScopeKey, {})
  }
}
