/**
 * Event definitions (the trigger or result of an event) -> `EventDefinition`, with the rules of
 * where each one may appear (BPMN 2.0 tables 10.84-10.93) and what it needs in Camunda 8.
 */
import type { AttributeValue } from '../feel/types.ts'
import type { CompileContext } from './compile-context.ts'
import { executableOnly } from './executable-only.ts'
import { checkFormalExpression, compileExpressionBody, expressionText } from './expression-body.ts'
import {
  booleanProperty,
  describeElement,
  elementProperty,
  elementsProperty,
  extensionElement,
  idOf,
  stringProperty,
  typeName,
  type ModdleElement,
} from './moddle-element.ts'
import { checkTimerLiteral } from './timer-syntax.ts'
import type { EventDefinition, TimerDefinition } from './types.ts'
import { readAttributeValue } from './zeebe-extensions.ts'

export type EventDefinitionType = EventDefinition['type']

/** Where an event sits; it decides which definitions it may have and what they need. */
export type EventPosition =
  | 'processStart'
  | 'eventSubProcessStart'
  | 'subProcessStart'
  | 'end'
  | 'intermediateThrow'
  | 'intermediateCatch'
  | 'boundary'

const allowedDefinitions: Readonly<Record<EventPosition, readonly EventDefinitionType[]>> = {
  processStart: ['message', 'timer', 'signal', 'conditional'],
  eventSubProcessStart: [
    'timer',
    'message',
    'signal',
    'error',
    'escalation',
    'compensation',
    'conditional',
  ],
  subProcessStart: [],
  end: ['terminate', 'error', 'escalation', 'message', 'signal', 'compensation', 'cancel'],
  intermediateThrow: ['message', 'signal', 'escalation', 'compensation', 'link'],
  intermediateCatch: ['timer', 'message', 'signal', 'conditional', 'link'],
  boundary: [
    'timer',
    'message',
    'signal',
    'error',
    'escalation',
    'compensation',
    'conditional',
    'cancel',
  ],
}

const positionLabels: Readonly<Record<EventPosition, string>> = {
  processStart: 'a start event of a process',
  eventSubProcessStart: 'the start event of an event subprocess',
  subProcessStart: 'the start event of an embedded subprocess',
  end: 'an end event',
  intermediateThrow: 'an intermediate throw event',
  intermediateCatch: 'an intermediate catch event',
  boundary: 'a boundary event',
}

const definitionTypes: Readonly<Record<string, EventDefinitionType>> = {
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:CompensateEventDefinition': 'compensation',
  'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:LinkEventDefinition': 'link',
  'bpmn:CancelEventDefinition': 'cancel',
  'bpmn:TerminateEventDefinition': 'terminate',
}

/** The event's definitions: its own, then the ones it references (`<eventDefinitionRef>`). */
export function eventDefinitionsOf(event: ModdleElement): ModdleElement[] {
  return [
    ...elementsProperty(event, 'eventDefinitions'),
    ...elementsProperty(event, 'eventDefinitionRef'),
  ]
}

/** The type of the event's first definition, if it has one Baton knows. */
export function eventDefinitionTypeOf(event: ModdleElement): EventDefinitionType | undefined {
  const [first] = eventDefinitionsOf(event)
  return first === undefined ? undefined : definitionTypes[first.$type]
}

/** Where a start, end, intermediate or boundary event sits. */
export function eventPosition(event: ModdleElement): EventPosition | undefined {
  switch (event.$type) {
    case 'bpmn:StartEvent': {
      const parent = event.$parent
      if (parent === undefined || parent.$type === 'bpmn:Process') return 'processStart'
      return booleanProperty(parent, 'triggeredByEvent') === true
        ? 'eventSubProcessStart'
        : 'subProcessStart'
    }
    case 'bpmn:EndEvent':
      return 'end'
    case 'bpmn:IntermediateThrowEvent':
      return 'intermediateThrow'
    case 'bpmn:IntermediateCatchEvent':
      return 'intermediateCatch'
    case 'bpmn:BoundaryEvent':
      return 'boundary'
    default:
      return undefined
  }
}

export type ReadEventDefinition =
  | {
      readonly ok: true
      readonly eventDefinition?: EventDefinition
      /** Every definition of a "multiple" event Baton runs whole (see `multipleRuns`). */
      readonly eventDefinitions?: readonly EventDefinition[]
    }
  | { readonly ok: false }

/** The "multiple" events Baton runs with all their definitions, and which definitions they take. */
const multipleRuns: Partial<Record<EventPosition, ReadonlySet<EventDefinitionType>>> = {
  intermediateCatch: new Set<EventDefinitionType>(['timer', 'message', 'signal', 'conditional']),
  intermediateThrow: new Set<EventDefinitionType>(['signal']),
  end: new Set<EventDefinitionType>(['signal']),
}

/**
 * Reads the event's definition for its position. Several definitions (a BPMN "multiple" event)
 * are all compiled where Baton runs them (`multipleRuns`); elsewhere the first one is compiled
 * and a warning says the others are ignored.
 */
export function readEventDefinition(
  event: ModdleElement,
  position: EventPosition,
  ctx: CompileContext,
): ReadEventDefinition {
  const definitions = eventDefinitionsOf(event)
  const [first, ...others] = definitions
  if (first === undefined) {
    if (position === 'intermediateCatch' || position === 'boundary') {
      const error = `${describeElement(event)} has no event definition, so nothing could ever trigger it. Give it a trigger (timer, message, signal ...) or remove it.`
      if (position === 'intermediateCatch') {
        ctx.problems.error('event-definition-required', error, idOf(event))
        return { ok: false }
      }
      // A descriptive diagram may draw a boundary event only to show an exceptional path.
      const relaxed = executableOnly(ctx, 'event-definition-required', idOf(event), {
        error,
        warning: `${describeElement(event)} has no event definition, so nothing could ever trigger it; as a descriptive model, Baton deploys it and never triggers it (its activity runs as if it were not there).`,
      })
      return relaxed ? { ok: true } : { ok: false }
    }
    return { ok: true }
  }
  const runsAll =
    others.length > 0 &&
    definitions.every((d) => {
      const type = definitionTypes[d.$type]
      return type !== undefined && multipleRuns[position]?.has(type) === true
    })
  if (others.length > 0 && !runsAll) {
    ctx.problems.warn(
      'event-definition-multiple',
      `${describeElement(event)} has ${definitions.length} event definitions (${definitions.map(typeName).join(', ')}); Baton runs only the first one (${typeName(first)}) and ignores the others. Split it into one event per trigger (e.g. behind an event-based gateway).`,
      idOf(event),
    )
  }
  // Every definition of a "multiple" event must be allowed where the event sits.
  for (const definition of definitions) {
    const type = definitionTypes[definition.$type]
    if (type === undefined) {
      ctx.problems.error(
        'event-definition-unknown',
        `${describeElement(event)} has a ${typeName(definition)}, which is not a BPMN event definition Baton knows. Use a timer, message, signal, error, escalation, compensation, conditional, link, cancel or terminate definition.`,
        idOf(event),
      )
      return { ok: false }
    }
    if (!allowedDefinitions[position].includes(type)) {
      const allowed = allowedDefinitions[position]
      ctx.problems.error(
        'event-definition-not-allowed',
        `${describeElement(event)} is ${positionLabels[position]} with a ${type} trigger, which BPMN does not allow there. ${allowed.length === 0 ? 'It must be a none event (remove the definition).' : `Use one of: ${allowed.join(', ')}${position === 'end' || position === 'intermediateThrow' || position === 'processStart' ? ', or none' : ''}.`}`,
        idOf(event),
      )
      return { ok: false }
    }
  }
  const type = definitionTypes[first.$type]
  if (type === undefined) return { ok: false }
  const eventDefinition = readDefinition(event, first, type, position, ctx)
  if (eventDefinition === undefined) return { ok: false }
  if (!runsAll) return { ok: true, eventDefinition }
  const all: EventDefinition[] = [eventDefinition]
  for (const definition of others) {
    const otherType = definitionTypes[definition.$type]
    const read =
      otherType === undefined
        ? undefined
        : readDefinition(event, definition, otherType, position, ctx)
    if (read === undefined) return { ok: false }
    all.push(read)
  }
  return { ok: true, eventDefinition, eventDefinitions: all }
}

function readDefinition(
  event: ModdleElement,
  definition: ModdleElement,
  type: EventDefinitionType,
  position: EventPosition,
  ctx: CompileContext,
): EventDefinition | undefined {
  switch (type) {
    case 'terminate':
    case 'cancel':
      return { type }
    case 'timer': {
      const timer = readTimer(event, definition, ctx)
      return timer === undefined ? undefined : { type, timer }
    }
    case 'message':
      return readMessage(
        event,
        elementProperty(definition, 'messageRef'),
        position,
        definition,
        ctx,
      )
    case 'signal':
      return readSignal(event, definition, ctx)
    case 'error':
      return readError(event, definition, position, ctx)
    case 'escalation':
      return readEscalation(event, definition, position, ctx)
    case 'compensation':
      return readCompensation(event, definition, ctx)
    case 'conditional':
      return readConditional(event, definition, ctx)
    case 'link': {
      const name = stringProperty(definition, 'name')?.trim() ?? ''
      if (name === '') {
        ctx.problems.error(
          'link-name-required',
          `${describeElement(event)} is a link event without a name; a link throw jumps to the link catch of the same name. Name the link.`,
          idOf(event),
        )
        return undefined
      }
      return { type, name }
    }
  }
}

const timerKinds = [
  ['timeDate', 'date'],
  ['timeDuration', 'duration'],
  ['timeCycle', 'cycle'],
] as const

function readTimer(
  event: ModdleElement,
  definition: ModdleElement,
  ctx: CompileContext,
): TimerDefinition | undefined {
  const present = timerKinds.filter(
    ([property]) => elementProperty(definition, property) !== undefined,
  )
  const [only, ...more] = present
  if (only === undefined || more.length > 0) {
    ctx.problems.error(
      'timer-invalid',
      `The timer of ${describeElement(event)} ${only === undefined ? 'has no timeDate, timeDuration or timeCycle' : `has ${present.map(([property]) => property).join(' and ')}`}; it needs exactly one. Set e.g. a timeDuration 'PT15M'.`,
      idOf(event),
    )
    return undefined
  }
  const [property, kind] = only
  const expression = elementProperty(definition, property)
  if (ctx.strict === true && expression?.$type === 'bpmn:Expression') {
    // Camunda reads untyped timer text as ISO 8601; plain BPMN files follow the specification.
    ctx.problems.error(
      'expression-not-formal',
      `The ${property} of ${describeElement(event)} is a plain bpmn:Expression ('${(expressionText(expression) ?? '').slice(0, 80)}'), which BPMN treats as natural-language text that is not executed (a file without engine extensions is checked against the BPMN specification). Add xsi:type="bpmn:tFormalExpression" to <${property}>.`,
      idOf(event),
    )
    return undefined
  }
  const text = expressionText(expression) ?? ''
  if (text === '' || text === '=') {
    ctx.problems.error(
      'timer-invalid',
      `The ${property} of ${describeElement(event)} is empty. Write ${kind === 'date' ? "an ISO 8601 date-time such as '2025-03-01T09:00:00Z'" : kind === 'duration' ? "an ISO 8601 duration such as 'PT15M'" : "a cycle such as 'R5/PT10M' or a cron expression"}, or a FEEL expression starting with '='.`,
      idOf(event),
    )
    return undefined
  }
  if (!text.startsWith('=')) {
    const error = checkTimerLiteral(kind, text)
    if (error !== undefined) {
      ctx.problems.error(
        'timer-invalid',
        `The ${property} '${text.slice(0, 100)}' of ${describeElement(event)} is not valid: ${error}. Fix the value, or compute it with a FEEL expression starting with '='.`,
        idOf(event),
      )
      return undefined
    }
  }
  const value = readAttributeValue(event, property, text, ctx)
  return value === undefined ? undefined : { kind, value }
}

/** A reference property that did not resolve, as written in the XML. */
function unresolvedReference(
  owner: ModdleElement,
  property: string,
  ctx: CompileContext,
): string | undefined {
  return ctx.unresolved.get(owner)?.get(property)
}

/** Where a message is waited for by a subscription that needs a correlation key. */
type MessagePosition = EventPosition | 'receiveTask' | 'instantiatingReceiveTask'

const correlatedPositions: ReadonlySet<MessagePosition> = new Set<MessagePosition>([
  'intermediateCatch',
  'boundary',
  'eventSubProcessStart',
  'receiveTask',
])

/**
 * The message of a message event or receive task. Catching inside a running instance needs a
 * name and a correlation key (`zeebe:subscription`); a message start event only a name; a throw
 * event is a job, so its message is optional.
 */
export function readMessage(
  owner: ModdleElement,
  message: ModdleElement | undefined,
  position: MessagePosition,
  referrer: ModdleElement,
  ctx: CompileContext,
): Extract<EventDefinition, { type: 'message' }> | undefined {
  const id = idOf(owner)
  const isThrow = position === 'end' || position === 'intermediateThrow'
  const rawName = message === undefined ? undefined : stringProperty(message, 'name')?.trim()
  const unresolved = unresolvedReference(referrer, 'messageRef', ctx)
  if (unresolved !== undefined || rawName === undefined || rawName === '' || rawName === '=') {
    // A throw event is a job: its worker publishes the message, named or not.
    if (isThrow && unresolved === undefined) {
      return { type: 'message', messageName: { kind: 'literal', value: '' } }
    }
    ctx.problems.error(
      'message-name-required',
      unresolved !== undefined
        ? `${describeElement(owner)} refers to message '${unresolved}', which is not in the file. Add <bpmn:message id="${unresolved}" name="..."/> or pick an existing message.`
        : message === undefined
          ? `${describeElement(owner)} does not say which message it waits for. Reference a message (messageRef) that has a name.`
          : `The message '${idOf(message) ?? '?'}' of ${describeElement(owner)} has no name, and messages are correlated by name. Give the message a name.`,
      id,
    )
    return undefined
  }
  const messageName = readAttributeValue(owner, 'message name', rawName, ctx)
  if (messageName === undefined) return undefined
  const subscription =
    message === undefined ? undefined : extensionElement(message, 'zeebe:Subscription')
  const rawKey =
    subscription === undefined ? undefined : stringProperty(subscription, 'correlationKey')?.trim()
  let correlationKey: AttributeValue | undefined
  if (rawKey !== undefined && rawKey !== '' && rawKey !== '=') {
    correlationKey = readAttributeValue(owner, 'zeebe:subscription correlationKey', rawKey, ctx)
    if (correlationKey === undefined) return undefined
  } else if (
    correlatedPositions.has(position) &&
    !(message !== undefined && ctx.messages?.thrown.has(message) === true)
  ) {
    ctx.problems.error(
      'message-correlation-key-required',
      `The message '${rawName}' of ${describeElement(owner)} has no correlation key, so Baton cannot tell which process instance a published message is for. Add <zeebe:subscription correlationKey="=orderId"/> to the message (a message that a send task or throw event of the same file sends needs none: it is correlated by name).`,
      id,
    )
    return undefined
  }
  return {
    type: 'message',
    messageName,
    ...(correlationKey === undefined ? {} : { correlationKey }),
  }
}

function readSignal(
  event: ModdleElement,
  definition: ModdleElement,
  ctx: CompileContext,
): EventDefinition | undefined {
  const signal = elementProperty(definition, 'signalRef')
  const rawName = signal === undefined ? undefined : stringProperty(signal, 'name')?.trim()
  if (rawName === undefined || rawName === '' || rawName === '=') {
    const unresolved = unresolvedReference(definition, 'signalRef', ctx)
    ctx.problems.error(
      'signal-name-required',
      unresolved !== undefined
        ? `${describeElement(event)} refers to signal '${unresolved}', which is not in the file. Add <bpmn:signal id="${unresolved}" name="..."/> or pick an existing signal.`
        : `${describeElement(event)} has a signal ${signal === undefined ? 'trigger without signalRef' : `'${idOf(signal) ?? '?'}' without a name`}; signals are broadcast by name. Reference a signal that has a name.`,
      idOf(event),
    )
    return undefined
  }
  const signalName = readAttributeValue(event, 'signal name', rawName, ctx)
  return signalName === undefined ? undefined : { type: 'signal', signalName }
}

/** Error and escalation: the code of the referenced root element, required when thrown. */
function readCode(
  event: ModdleElement,
  definition: ModdleElement,
  kind: 'error' | 'escalation',
  position: EventPosition,
  ctx: CompileContext,
): { ok: true; code?: AttributeValue } | { ok: false } {
  const property = kind === 'error' ? 'errorRef' : 'escalationRef'
  const codeProperty = kind === 'error' ? 'errorCode' : 'escalationCode'
  const referenced = elementProperty(definition, property)
  const unresolved = unresolvedReference(definition, property, ctx)
  if (unresolved !== undefined) {
    ctx.problems.error(
      `${kind}-reference-unresolved`,
      `${describeElement(event)} refers to ${kind} '${unresolved}', which is not in the file. Add <bpmn:${kind} id="${unresolved}" ${codeProperty}="..."/> or pick an existing ${kind}.`,
      idOf(event),
    )
    return { ok: false }
  }
  if (
    referenced !== undefined &&
    referenced.$type !== `bpmn:${kind === 'error' ? 'Error' : 'Escalation'}`
  ) {
    ctx.problems.error(
      `${kind}-reference-unresolved`,
      `${property} of ${describeElement(event)} points to ${describeElement(referenced)}, which is not a bpmn:${kind}. Reference a <bpmn:${kind}>.`,
      idOf(event),
    )
    return { ok: false }
  }
  const raw =
    referenced === undefined ? undefined : stringProperty(referenced, codeProperty)?.trim()
  const isThrow = position === 'end' || position === 'intermediateThrow'
  if (raw === undefined || raw === '' || raw === '=') {
    if (!isThrow) return { ok: true }
    ctx.problems.error(
      `${kind}-code-required`,
      `${describeElement(event)} throws ${referenced === undefined ? `an ${kind} without ${property}` : `${kind} '${idOf(referenced) ?? '?'}', which has no ${codeProperty}`}; the catching event is found by that code. Reference a bpmn:${kind} with an ${codeProperty}.`,
      idOf(event),
    )
    return { ok: false }
  }
  const code = readAttributeValue(event, `${kind} ${codeProperty}`, raw, ctx)
  return code === undefined ? { ok: false } : { ok: true, code }
}

function readError(
  event: ModdleElement,
  definition: ModdleElement,
  position: EventPosition,
  ctx: CompileContext,
): EventDefinition | undefined {
  const code = readCode(event, definition, 'error', position, ctx)
  if (!code.ok) return undefined
  return { type: 'error', ...(code.code === undefined ? {} : { errorCode: code.code }) }
}

function readEscalation(
  event: ModdleElement,
  definition: ModdleElement,
  position: EventPosition,
  ctx: CompileContext,
): EventDefinition | undefined {
  const code = readCode(event, definition, 'escalation', position, ctx)
  if (!code.ok) return undefined
  return { type: 'escalation', ...(code.code === undefined ? {} : { escalationCode: code.code }) }
}

function readCompensation(
  event: ModdleElement,
  definition: ModdleElement,
  ctx: CompileContext,
): EventDefinition | undefined {
  const waitForCompletion = booleanProperty(definition, 'waitForCompletion') ?? true
  const activity = elementProperty(definition, 'activityRef')
  const unresolved = unresolvedReference(definition, 'activityRef', ctx)
  if (unresolved !== undefined) {
    ctx.problems.error(
      'compensation-activity-invalid',
      `${describeElement(event)} compensates activity '${unresolved}', which is not in the file. Point activityRef to an activity of the same scope, or remove it to compensate every completed activity.`,
      idOf(event),
    )
    return undefined
  }
  if (activity === undefined) return { type: 'compensation', waitForCompletion }
  const activityId = idOf(activity)
  if (!activity.$instanceOf('bpmn:Activity') || activityId === undefined) {
    ctx.problems.error(
      'compensation-activity-invalid',
      `${describeElement(event)} compensates ${describeElement(activity)}, which is not an activity. Point activityRef to a task, subprocess or call activity.`,
      idOf(event),
    )
    return undefined
  }
  // The activity must be in the event's scope or, for an event in an event subprocess, in the
  // scope the event subprocess belongs to.
  const eventScope = ctx.scopeOf.get(event)
  const activityScope = ctx.scopeOf.get(activity)
  const outerScope =
    eventScope !== undefined && booleanProperty(eventScope, 'triggeredByEvent') === true
      ? ctx.scopeOf.get(eventScope)
      : undefined
  if (activityScope !== eventScope && activityScope !== outerScope) {
    ctx.problems.error(
      'compensation-activity-invalid',
      `${describeElement(event)} compensates ${describeElement(activity)}, which is not in the same process or subprocess as the event. Compensate an activity of the event's own scope.`,
      idOf(event),
    )
    return undefined
  }
  return { type: 'compensation', activityRef: activityId, waitForCompletion }
}

const variableEventNames = new Set(['create', 'update'])

function readConditional(
  event: ModdleElement,
  definition: ModdleElement,
  ctx: CompileContext,
): EventDefinition | undefined {
  const conditionElement = elementProperty(definition, 'condition')
  if (!checkFormalExpression(event, 'condition', conditionElement, ctx.problems)) return undefined
  const text = expressionText(conditionElement)
  if (text === undefined) {
    ctx.problems.error(
      'condition-required',
      `${describeElement(event)} is a conditional event without a condition. Add a FEEL condition (e.g. '=stock < 10').`,
      idOf(event),
    )
    return undefined
  }
  const condition = compileExpressionBody(event, 'condition', text, ctx.problems, {
    boolean: true,
  })
  if (condition === undefined) return undefined
  const filter = extensionElement(definition, 'zeebe:ConditionalFilter')
  const list = (property: string): string[] =>
    (filter === undefined ? '' : (stringProperty(filter, property) ?? ''))
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
  const variableNames = list('variableNames')
  const variableEvents = list('variableEvents')
  const wrong = variableEvents.filter((name) => !variableEventNames.has(name))
  if (wrong.length > 0) {
    ctx.problems.error(
      'conditional-filter-invalid',
      `zeebe:conditionalFilter variableEvents of ${describeElement(event)} lists ${wrong.map((name) => `'${name}'`).join(', ')}; only 'create' and 'update' are variable events. Fix the list.`,
      idOf(event),
    )
    return undefined
  }
  return {
    type: 'conditional',
    condition,
    ...(variableNames.length === 0 ? {} : { variableNames }),
    ...(variableEvents.length === 0
      ? {}
      : { variableEvents: variableEvents as ('create' | 'update')[] }),
  }
}
