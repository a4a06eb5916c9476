/**
 * Rules about how flow nodes fit together inside one process or subprocess: start events per kind
 * of scope, boundary events and compensation handlers, event subprocesses, link events,
 * event-based gateways, cancel events, and the sequence flows each kind of node needs.
 */
import type { CompileContext } from './compile-context.ts'
import { eventDefinitionTypeOf, eventDefinitionsOf } from './event-definitions.ts'
import { executableOnly } from './executable-only.ts'
import {
  booleanProperty,
  describeElement,
  elementProperty,
  elementsProperty,
  idOf,
  type ModdleElement,
} from './moddle-element.ts'
import type { FlowNode } from './types.ts'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export type ScopeKind = 'process' | 'subProcess' | 'transaction' | 'adHoc' | 'eventSubProcess'

export function scopeKind(scope: ModdleElement): ScopeKind {
  if (scope.$type === 'bpmn:Process') return 'process'
  if (booleanProperty(scope, 'triggeredByEvent') === true) return 'eventSubProcess'
  if (scope.$type === 'bpmn:Transaction') return 'transaction'
  if (scope.$type === 'bpmn:AdHocSubProcess') return 'adHoc'
  return 'subProcess'
}

/**
 * The key of `ExecutableProcess.linkTargets`: link names are unique per scope only.
 *
 * @example
 * process.linkTargets?.get(linkTargetKey(throwNode.scopeId, 'retry'))
 */
export function linkTargetKey(scopeId: string, linkName: string): string {
  // Scope ids are XML ids, which cannot contain ':'.
  return `${scopeId}:${linkName}`
}

function ids(elements: readonly ModdleElement[]): string {
  return elements.map((element) => idOf(element) ?? '?').join(', ')
}

export interface ScopeStarts {
  /** The none start event (for an event subprocess: its triggered start event). */
  readonly startEventId?: string
  readonly startEventIds: readonly string[]
}

/**
 * Start events by kind of scope: a process needs at least one and at most one none start; an
 * embedded subprocess or transaction exactly one none start; an event subprocess exactly one
 * start with a trigger; an ad-hoc subprocess none at all.
 */
export function checkStartEvents(
  scope: ModdleElement,
  scopeId: string,
  nodes: readonly ModdleElement[],
  ctx: CompileContext,
  /** Flow nodes a descriptive scope starts at besides its start events (no incoming flow). */
  implicitStartIds: readonly string[] = [],
): ScopeStarts {
  const kind = scopeKind(scope)
  const starts = nodes.filter((node) => node.$type === 'bpmn:StartEvent')
  const noneStarts = starts.filter((start) => eventDefinitionsOf(start).length === 0)
  const startEventIds = starts.map(idOf).filter((id) => id !== undefined)

  if (kind === 'adHoc') {
    const events = nodes.filter(
      (node) => node.$type === 'bpmn:StartEvent' || node.$type === 'bpmn:EndEvent',
    )
    if (events.length > 0) {
      ctx.problems.error(
        'ad-hoc-subprocess-event-not-allowed',
        `${describeElement(scope)} is an ad-hoc subprocess and contains start or end events (${ids(events)}); its activities are started on demand and it completes by its completion condition. Remove the start and end events.`,
        scopeId,
      )
    }
    if (!nodes.some((node) => node.$instanceOf('bpmn:Activity'))) {
      ctx.problems.error(
        'ad-hoc-subprocess-empty',
        `${describeElement(scope)} is an ad-hoc subprocess without any activity, so there is nothing to do in it. Add the activities it offers, or remove it.`,
        scopeId,
      )
    }
    return { startEventIds: [] }
  }

  if (kind === 'eventSubProcess') {
    const [first, ...others] = starts
    if (first === undefined) {
      ctx.problems.error(
        'event-subprocess-start-required',
        `${describeElement(scope)} is an event subprocess without a start event, so nothing can trigger it. Add one start event with a trigger (timer, message, signal, error, escalation, compensation or conditional).`,
        scopeId,
      )
      return { startEventIds }
    }
    if (
      others.length > 0 &&
      !executableOnly(ctx, 'event-subprocess-start-multiple', scopeId, {
        error: `${describeElement(scope)} is an event subprocess with ${starts.length} start events (${ids(starts)}); it has exactly one, whose trigger starts it. Keep one, or use one event subprocess per trigger.`,
        warning: `${describeElement(scope)} is an event subprocess with ${starts.length} start events (${ids(starts)}), where BPMN allows exactly one; as a descriptive model, Baton starts it whenever any one of them is triggered, at that start event.`,
      })
    ) {
      return { startEventIds }
    }
    let triggered = true
    for (const start of starts) {
      if (eventDefinitionsOf(start).length > 0) continue
      triggered = false
      ctx.problems.error(
        'event-subprocess-start-trigger-required',
        `${describeElement(start)} starts event subprocess '${scopeId}' but has no trigger, so it would never start. Give it a timer, message, signal, error, escalation, compensation or conditional definition.`,
        idOf(start),
      )
    }
    if (!triggered) return { startEventIds }
    const id = idOf(first)
    return { ...(id === undefined ? {} : { startEventId: id }), startEventIds }
  }

  const [none, ...otherNones] = noneStarts
  // A process may have several (BPMN: whoever starts an instance picks one); an embedded
  // subprocess is entered by its incoming flow, which says nothing about which one to take.
  for (const other of kind === 'process' ? [] : otherNones) {
    executableOnly(ctx, 'start-event-multiple', idOf(other), {
      error: `${describeElement(scope)} has ${noneStarts.length} none start events (${ids(noneStarts)}); Baton needs exactly one to know where to start. Keep one and connect the others' paths to it.`,
      warning: `${describeElement(scope)} has ${noneStarts.length} none start events (${ids(noneStarts)}), where an executable subprocess has exactly one; as a descriptive model, Baton starts every one of them when the subprocess starts.`,
    })
  }
  // A receive task or event-based gateway with instantiate="true" also starts a process.
  const instantiating = nodes.filter((node) => booleanProperty(node, 'instantiate') === true)
  if (kind === 'process' ? starts.length + instantiating.length === 0 : none === undefined) {
    const error =
      kind === 'process'
        ? `${describeElement(scope)} has no start event, so it cannot be started. Add a start event and connect it to the first step.`
        : `${describeElement(scope)} has no none start event (a plain start event without trigger), so it cannot be started. Add one start event and connect it to the first step.`
    if (implicitStartIds.length > 0) {
      executableOnly(ctx, 'start-event-required', scopeId, {
        error,
        warning: `${describeElement(scope)} has no ${kind === 'process' ? '' : 'none '}start event; as a descriptive model, Baton starts it at its flow nodes without incoming sequence flow (${implicitStartIds.join(', ')}).`,
      })
    } else if (kind === 'process') {
      // A pool of a descriptive collaboration may be drawn only for what happens inside it.
      executableOnly(ctx, 'start-event-required', scopeId, {
        error,
        warning: `${describeElement(scope)} has no start event and no flow node without incoming sequence flow, so nothing can start it; as a descriptive model, Baton deploys it, but no instance of it can be created.`,
      })
    } else ctx.problems.error('start-event-required', error, scopeId)
  }
  // With several none starts, an instance names the one it starts at.
  const noneId = none === undefined || otherNones.length > 0 ? undefined : idOf(none)
  // An instantiating receive task waits at deploy like a message start event.
  if (kind === 'process') {
    for (const node of instantiating) {
      const id = idOf(node)
      if (node.$type === 'bpmn:ReceiveTask' && id !== undefined) startEventIds.push(id)
    }
  }
  return { ...(noneId === undefined ? {} : { startEventId: noneId }), startEventIds }
}

/** Message start events of one process must differ by (literal) message name. */
export function checkMessageStartNames(
  startEventIds: readonly string[],
  nodes: ReadonlyMap<string, FlowNode>,
  ctx: CompileContext,
): void {
  const byName = new Map<string, string[]>()
  for (const id of startEventIds) {
    const definition = nodes.get(id)?.eventDefinition
    if (definition?.type !== 'message' || definition.messageName.kind !== 'literal') continue
    const name = definition.messageName.value
    byName.set(name, [...(byName.get(name) ?? []), id])
  }
  for (const [name, starts] of byName) {
    if (starts.length < 2) continue
    ctx.problems.error(
      'message-start-name-duplicate',
      `Start events ${starts.join(', ')} all start the process on message '${name}', so a published message could not tell which one to use. Give each message start event its own message name.`,
      starts[1],
    )
  }
}

const eventGatewayTargets = new Set(['message', 'timer', 'signal', 'conditional'])

/**
 * The sequence flows each kind of node needs, on top of the start/end event rules: boundary
 * events, event subprocesses, compensation handlers, link events, event-based gateways. Like
 * Zeebe, a node without outgoing flow ends its path (an implicit end).
 */
export function checkNodeFlows(
  element: ModdleElement,
  incoming: readonly ModdleElement[],
  outgoing: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  const id = idOf(element)
  const definition = eventDefinitionTypeOf(element)
  const error = (rule: string, message: string): void => ctx.problems.error(rule, message, id)

  if (booleanProperty(element, 'triggeredByEvent') === true) {
    if (incoming.length > 0 || outgoing.length > 0) {
      error(
        'event-subprocess-flow-not-allowed',
        `${describeElement(element)} is an event subprocess and has sequence flows (${ids([...incoming, ...outgoing])}); it starts by its trigger and ends on its own. Remove the flows.`,
      )
    }
    return
  }
  if (booleanProperty(element, 'isForCompensation') === true) {
    if (incoming.length > 0 || outgoing.length > 0) {
      error(
        'compensation-handler-flow-not-allowed',
        `${describeElement(element)} is a compensation handler (isForCompensation) and has sequence flows (${ids([...incoming, ...outgoing])}); it runs only when compensation is thrown, reached through its association. Remove the flows.`,
      )
    }
    return
  }
  if (booleanProperty(element, 'instantiate') === true && incoming.length > 0) {
    error(
      'instantiate-incoming-flow',
      `${describeElement(element)} has instantiate="true", so it starts the process, but it also has incoming sequence flows (${ids(incoming)}). Remove the incoming flows, or set instantiate="false".`,
    )
  }
  switch (element.$type) {
    case 'bpmn:BoundaryEvent':
      if (incoming.length > 0) {
        error(
          'boundary-event-incoming-flow',
          `${describeElement(element)} has incoming sequence flows (${ids(incoming)}); a boundary event is triggered on its activity. Remove the incoming flows.`,
        )
      }
      if (definition === 'compensation' && outgoing.length > 0) {
        error(
          'compensation-boundary-outgoing-flow',
          `${describeElement(element)} is a compensation boundary event with outgoing sequence flows (${ids(outgoing)}); its handler is connected by an association, not a flow. Remove the flows and associate the handler activity.`,
        )
      }
      if (definition !== 'compensation' && outgoing.length === 0) {
        executableOnly(ctx, 'boundary-event-outgoing-flow-required', id, {
          error: `${describeElement(element)} has no outgoing sequence flow, so the instance could not go on after it is triggered. Connect it to the next step.`,
          warning: `${describeElement(element)} has no outgoing sequence flow; as a descriptive model, Baton ends the path there when it is triggered (like an end event).`,
        })
      }
      return
    case 'bpmn:IntermediateCatchEvent':
      if (definition === 'link' && incoming.length > 0) {
        error(
          'link-event-flow-invalid',
          `${describeElement(element)} is a link catch event with incoming sequence flows (${ids(incoming)}); it is reached by the link throw event of the same name. Remove the incoming flows.`,
        )
      }
      return
    case 'bpmn:IntermediateThrowEvent':
      if (definition === 'link' && outgoing.length > 0) {
        error(
          'link-event-flow-invalid',
          `${describeElement(element)} is a link throw event with outgoing sequence flows (${ids(outgoing)}); it continues at the link catch event of the same name. Remove the outgoing flows.`,
        )
      }
      return
    case 'bpmn:EventBasedGateway':
      checkEventGateway(element, outgoing, ctx)
      return
    default:
      return
  }
}

function checkEventGateway(
  gateway: ModdleElement,
  outgoing: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  if (outgoing.length < 2) {
    const error = `${describeElement(gateway)} has ${outgoing.length} outgoing sequence flow${outgoing.length === 1 ? '' : 's'}; an event-based gateway chooses between at least two events. Add the events it waits for, or remove the gateway.`
    if (outgoing.length === 0)
      ctx.problems.error('event-gateway-outgoing-flows', error, idOf(gateway))
    else {
      executableOnly(ctx, 'event-gateway-outgoing-flows', idOf(gateway), {
        error,
        warning: `${describeElement(gateway)} has 1 outgoing sequence flow, where an event-based gateway chooses between at least two events; as a descriptive model, Baton waits for that one event.`,
      })
    }
  }
  for (const flow of outgoing) {
    if (elementProperty(flow, 'conditionExpression') !== undefined) {
      ctx.problems.error(
        'event-gateway-condition-not-allowed',
        `${describeElement(flow)} leaves event-based gateway '${idOf(gateway) ?? '?'}' and has a condition; the first event to happen decides the path. Remove the condition.`,
        idOf(flow),
      )
    }
    const target = elementProperty(flow, 'targetRef')
    if (target === undefined) continue
    const trigger = eventDefinitionTypeOf(target)
    const valid =
      target.$type === 'bpmn:ReceiveTask' ||
      (target.$type === 'bpmn:IntermediateCatchEvent' &&
        trigger !== undefined &&
        eventGatewayTargets.has(trigger))
    if (!valid) {
      ctx.problems.error(
        'event-gateway-target-invalid',
        `${describeElement(flow)} leads from event-based gateway '${idOf(gateway) ?? '?'}' to ${describeElement(target)}; an event-based gateway may only lead to intermediate catch events (message, timer, signal, conditional) or receive tasks. Put such an event after the gateway.`,
        idOf(flow),
      )
    }
  }
}

/** Cancel end events belong in a transaction; cancel boundary events on one. */
export function checkCancelPlacement(
  element: ModdleElement,
  scope: ModdleElement,
  ctx: CompileContext,
): void {
  if (eventDefinitionTypeOf(element) !== 'cancel') return
  if (element.$type === 'bpmn:EndEvent' && scope.$type !== 'bpmn:Transaction') {
    ctx.problems.error(
      'cancel-event-outside-transaction',
      `${describeElement(element)} is a cancel end event outside a transaction; cancel ends a transaction subprocess. Put it inside a <bpmn:transaction>, or use a terminate or error end event.`,
      idOf(element),
    )
  }
  const attachedTo = elementProperty(element, 'attachedToRef')
  if (
    element.$type === 'bpmn:BoundaryEvent' &&
    attachedTo !== undefined &&
    attachedTo.$type !== 'bpmn:Transaction'
  ) {
    ctx.problems.error(
      'cancel-event-outside-transaction',
      `${describeElement(element)} is a cancel boundary event on ${describeElement(attachedTo)}, which is not a transaction; only a transaction can be cancelled. Attach it to a <bpmn:transaction>, or use an error boundary event.`,
      idOf(element),
    )
  }
}

/** Every link catch of the scope by name; reports duplicate catches and throws without catch. */
export function linkTargetsOf(
  scopeId: string,
  childNodeIds: readonly string[],
  nodes: ReadonlyMap<string, FlowNode>,
  ctx: CompileContext,
): [string, string][] {
  const catches = new Map<string, string>()
  const throws: FlowNode[] = []
  for (const id of childNodeIds) {
    const node = nodes.get(id)
    if (node?.eventDefinition?.type !== 'link') continue
    if (node.type === 'intermediateThrowEvent') {
      throws.push(node)
      continue
    }
    const name = node.eventDefinition.name
    const existing = catches.get(name)
    if (existing !== undefined) {
      ctx.problems.error(
        'link-catch-duplicate',
        `Link catch events ${existing} and ${node.id} in '${scopeId}' both have the link name '${name}', so a link throw could not tell where to go. Give each link catch event its own name.`,
        node.id,
      )
      continue
    }
    catches.set(name, node.id)
  }
  for (const node of throws) {
    if (node.eventDefinition?.type !== 'link') continue
    const { name } = node.eventDefinition
    if (catches.has(name)) continue
    ctx.problems.error(
      'link-target-missing',
      `Link throw event '${node.id}' jumps to link '${name}', but '${scopeId}' has no link catch event with that name${catches.size === 0 ? '' : ` (it has: ${[...catches.keys()].map((key) => `'${key}'`).join(', ')})`}. Add the catch event or fix the name; links do not cross subprocess borders.`,
      node.id,
    )
  }
  return [...catches].map(([name, id]) => [linkTargetKey(scopeId, name), id])
}

/**
 * Fills `boundaryEventIds` on each activity of the scope and, for a compensation boundary event,
 * `compensationHandlerId` from its association to an activity with isForCompensation.
 */
export function attachBoundaryEvents(
  elements: readonly ModdleElement[],
  nodes: ReadonlyMap<string, FlowNode>,
  associations: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  for (const element of elements) {
    if (element.$type !== 'bpmn:BoundaryEvent') continue
    const id = idOf(element)
    const boundary = id === undefined ? undefined : nodes.get(id)
    const activity =
      boundary?.attachedToRef === undefined
        ? undefined
        : (nodes.get(boundary.attachedToRef) as Mutable<FlowNode> | undefined)
    if (id === undefined || boundary === undefined || activity === undefined) continue
    activity.boundaryEventIds = [...(activity.boundaryEventIds ?? []), id]
    if (boundary.eventDefinition?.type !== 'compensation') continue

    const handlers = associations
      .map((association) => {
        const source = elementProperty(association, 'sourceRef')
        const target = elementProperty(association, 'targetRef')
        if (source === element) return target
        // Some tools draw the association from the handler to the event.
        if (target === element) return source
        return undefined
      })
      .filter((handler) => handler !== undefined)
    const [handler, ...others] = handlers
    if (handler === undefined) {
      executableOnly(ctx, 'compensation-handler-missing', id, {
        error: `${describeElement(element)} is a compensation boundary event without a handler. Connect it with an association to an activity marked isForCompensation="true".`,
        warning: `${describeElement(element)} is a compensation boundary event without a handler (no association to an activity marked isForCompensation="true"); as a descriptive model, Baton compensates nothing for '${boundary.attachedToRef ?? '?'}'.`,
      })
      continue
    }
    const handlerId = idOf(handler)
    if (
      others.length > 0 ||
      handlerId === undefined ||
      !handler.$instanceOf('bpmn:Activity') ||
      booleanProperty(handler, 'isForCompensation') !== true ||
      ctx.scopeOf.get(handler) !== ctx.scopeOf.get(element)
    ) {
      ctx.problems.error(
        'compensation-handler-invalid',
        others.length > 0
          ? `${describeElement(element)} is associated with ${handlers.length} elements (${ids(handlers)}); a compensation boundary event has exactly one handler. Keep one association.`
          : `${describeElement(element)} is associated with ${describeElement(handler)}, which is not an activity marked isForCompensation="true" in the same scope. Associate it with the compensation activity.`,
        id,
      )
      continue
    }
    activity.compensationHandlerId = handlerId
  }
}

/** Every association of the process, nested subprocesses included. */
export function associationsOf(scope: ModdleElement): ModdleElement[] {
  const found = elementsProperty(scope, 'artifacts').filter(
    (artifact) => artifact.$type === 'bpmn:Association',
  )
  for (const element of elementsProperty(scope, 'flowElements')) {
    if (element.$instanceOf('bpmn:FlowElementsContainer')) found.push(...associationsOf(element))
  }
  return found
}
