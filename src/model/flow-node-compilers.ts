/**
 * One compiler per BPMN flow node type, registered in one table (like Zeebe's element
 * processors). A type missing from the table is reported as `element-unsupported`: the model cannot
 * represent it. What the model represents but the engine does not run yet is gated separately
 * (engine-support.ts); to run a new element, add its behaviour in src/engine/elements/ and its
 * construct to `engineSupport`.
 */
import type { CompileContext } from './compile-context.ts'
import { eventPosition, readEventDefinition, readMessage } from './event-definitions.ts'
import { checkFormalExpression, compileExpressionBody, expressionText } from './expression-body.ts'
import { readLoopCharacteristics } from './loop-characteristics.ts'
import { isScriptFormat } from './mime-type.ts'
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
import type { FlowNode, FlowNodeType, JobDefinition } from './types.ts'
import {
  readCalledDecision,
  readCalledElement,
  readJobDefinition,
  readScript,
  readUserTask,
} from './zeebe-extensions.ts'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** What a type-specific compiler adds to the common flow node fields. */
export type FlowNodeDetails = Pick<FlowNode, 'type'> &
  Partial<
    Pick<
      FlowNode,
      | 'job'
      | 'script'
      | 'calledDecision'
      | 'userTask'
      | 'calledElement'
      | 'eventDefinition'
      | 'attachedToRef'
      | 'cancelActivity'
      | 'isInterrupting'
      | 'triggeredByEvent'
      | 'multiInstance'
      | 'standardLoop'
      | 'isForCompensation'
      | 'adHoc'
      | 'isTransaction'
      | 'instantiate'
      | 'activationCondition'
      | 'eventDefinitions'
      | 'parallelMultiple'
      | 'startQuantity'
      | 'completionQuantity'
    >
  >

/** Compiles one element; undefined when it cannot be executed (the problem is reported). */
export type FlowNodeCompiler = (
  element: ModdleElement,
  ctx: CompileContext,
) => FlowNodeDetails | undefined

/**
 * Reports an element the executable model cannot represent (a complex gateway, a choreography
 * ...), naming exactly what it is. Elements the model represents but the engine does not run yet
 * are reported later, by `checkEngineSupport`.
 */
export function reportUnsupported(
  element: ModdleElement,
  ctx: CompileContext,
  what?: string,
): undefined {
  const kind = what ?? describeKind(element)
  ctx.problems.error(
    'element-unsupported',
    `${describeElement(element)} (${kind}) is not supported by Baton. Remove it or model the step with supported elements (events, tasks, exclusive/parallel/inclusive/event-based gateways, subprocesses, call activities).`,
    idOf(element),
  )
  return undefined
}

function describeKind(element: ModdleElement): string {
  const definitions = elementsProperty(element, 'eventDefinitions')
  if (definitions.length > 0) {
    return `${typeName(element)} with ${definitions.map((definition) => typeName(definition)).join(' + ')}`
  }
  return typeName(element)
}

/**
 * `startQuantity` / `completionQuantity`: how many tokens an activity waits for before it starts,
 * and how many it sends down each outgoing flow when it completes (default 1). Above 1 they are
 * run on plain activities; an activity that loops, is triggered by an event or compensates keeps
 * them at 1.
 */
function readQuantities(
  element: ModdleElement,
  ctx: CompileContext,
): { ok: boolean; startQuantity?: number; completionQuantity?: number } {
  let ok = true
  const quantities: { startQuantity?: number; completionQuantity?: number } = {}
  const plain =
    elementProperty(element, 'loopCharacteristics') === undefined &&
    booleanProperty(element, 'triggeredByEvent') !== true &&
    booleanProperty(element, 'isForCompensation') !== true &&
    element.$type !== 'bpmn:AdHocSubProcess'
  for (const property of ['startQuantity', 'completionQuantity'] as const) {
    const value = element[property]
    if (value === undefined || value === 1) continue
    const valid = typeof value === 'number' && Number.isInteger(value) && value >= 1
    if (valid && plain) {
      quantities[property] = value
      continue
    }
    ok = false
    ctx.problems.error(
      valid ? 'activity-quantity-unsupported' : 'activity-quantity-invalid',
      valid
        ? `${describeElement(element)} has ${property}="${value}"; Baton runs ${property} above 1 only on activities without loop markers that are not event subprocesses or compensation handlers. Remove the attribute, or model the tokens with a parallel gateway.`
        : `${describeElement(element)} has ${property}="${typeof value === 'number' || typeof value === 'string' ? value : '?'}", but it must be a whole number of at least 1. Remove the attribute (the default is 1).`,
      idOf(element),
    )
  }
  return { ok, ...quantities }
}

/** Shared parts of every activity: loop markers, compensation handler flag, token quantities. */
function activity(compile: FlowNodeCompiler): FlowNodeCompiler {
  return (element, ctx) => {
    const { ok: quantitiesOk, ...quantities } = readQuantities(element, ctx)
    const loop = readLoopCharacteristics(element, ctx)
    const details = compile(element, ctx)
    if (details === undefined || !quantitiesOk) return undefined
    return {
      ...details,
      ...loop,
      ...quantities,
      ...(booleanProperty(element, 'isForCompensation') === true
        ? { isForCompensation: true }
        : {}),
    }
  }
}

/** An event: its definition for where it sits, and what boundary and start events add. */
function event(type: FlowNodeType): FlowNodeCompiler {
  return (element, ctx) => {
    const position = eventPosition(element)
    if (position === undefined) return reportUnsupported(element, ctx)
    const read = readEventDefinition(element, position, ctx)
    if (!read.ok) return undefined
    const { eventDefinition, eventDefinitions } = read
    if (
      booleanProperty(element, 'parallelMultiple') === true &&
      eventDefinitions === undefined &&
      elementsProperty(element, 'eventDefinitions').length > 1
    ) {
      // Only an intermediate catch waits for all its triggers; elsewhere it would fire on one.
      return reportUnsupported(
        element,
        ctx,
        `a parallel multiple ${position === 'boundary' ? 'boundary' : 'start'} event, which Baton runs only as an intermediate catch event`,
      )
    }
    const details: Mutable<FlowNodeDetails> = {
      type,
      ...(eventDefinition === undefined ? {} : { eventDefinition }),
      ...(eventDefinitions === undefined ? {} : { eventDefinitions }),
      ...(eventDefinitions !== undefined && booleanProperty(element, 'parallelMultiple') === true
        ? { parallelMultiple: true }
        : {}),
    }
    if (position === 'eventSubProcessStart') {
      const isInterrupting = booleanProperty(element, 'isInterrupting') ?? true
      if (
        !isInterrupting &&
        (eventDefinition?.type === 'error' || eventDefinition?.type === 'compensation')
      ) {
        ctx.problems.error(
          'event-subprocess-start-must-interrupt',
          `${describeElement(element)} starts an event subprocess on ${eventDefinition.type === 'error' ? 'an error' : 'compensation'} but is non-interrupting; ${eventDefinition.type === 'error' ? 'an error always ends the scope it is thrown in' : 'compensation runs after the scope completed'}. Remove isInterrupting="false".`,
          idOf(element),
        )
        return undefined
      }
      details.isInterrupting = isInterrupting
    }
    if (position === 'boundary') {
      const attachedTo = readAttachment(element, ctx)
      if (attachedTo === undefined) return undefined
      const cancelActivity = booleanProperty(element, 'cancelActivity') ?? true
      const trigger = eventDefinition?.type
      if (
        !cancelActivity &&
        (trigger === 'error' || trigger === 'cancel' || trigger === 'compensation')
      ) {
        ctx.problems.error(
          'boundary-event-must-interrupt',
          `${describeElement(element)} is a non-interrupting (cancelActivity="false") ${trigger} boundary event, but ${trigger === 'compensation' ? 'a compensation boundary event only connects its handler and cannot be non-interrupting' : `${trigger === 'error' ? 'an error' : 'a cancel'} always ends the activity`}. Remove cancelActivity="false".`,
          idOf(element),
        )
        return undefined
      }
      details.attachedToRef = attachedTo
      details.cancelActivity = cancelActivity
    }
    if (
      eventDefinition?.type === 'message' &&
      (position === 'end' || position === 'intermediateThrow')
    ) {
      // Camunda 8 sends messages from throw events through a job worker, like a send task; a
      // message the file itself catches is delivered by the engine (message-exchange.ts).
      if (extensionElement(element, 'zeebe:TaskDefinition') === undefined) {
        if (caughtInFile(messageOf(element), ctx)) return details
        if (ctx.descriptive === true) {
          ctx.problems.warn(
            'task-definition-required',
            `${describeElement(element)} throws a message but has no zeebe:taskDefinition, so no job worker would send it; as a descriptive model, Baton sends its message itself (when it names one, without correlation key) and goes on.`,
            idOf(element),
          )
          return details
        }
      }
      const job = requireJob(element, ctx)
      if (job === undefined) return undefined
      details.job = job
    }
    return details
  }
}

/** The id of the activity a boundary event is attached to, checked to be in the same scope. */
function readAttachment(element: ModdleElement, ctx: CompileContext): string | undefined {
  const id = idOf(element)
  const activity = elementProperty(element, 'attachedToRef')
  if (activity === undefined) {
    const raw = ctx.unresolved.get(element)?.get('attachedToRef')
    ctx.problems.error(
      'boundary-event-attachment-invalid',
      raw === undefined
        ? `${describeElement(element)} is not attached to any activity (attachedToRef is missing). Attach it to a task, subprocess or call activity.`
        : `${describeElement(element)} is attached to '${raw}', which is not in the file. Attach it to an existing task, subprocess or call activity.`,
      id,
    )
    return undefined
  }
  const activityId = idOf(activity)
  if (
    !activity.$instanceOf('bpmn:Activity') ||
    booleanProperty(activity, 'triggeredByEvent') === true ||
    activityId === undefined
  ) {
    ctx.problems.error(
      'boundary-event-attachment-invalid',
      `${describeElement(element)} is attached to ${describeElement(activity)}, but boundary events attach only to activities (tasks, subprocesses, call activities${booleanProperty(activity, 'triggeredByEvent') === true ? '; not event subprocesses' : ''}). Attach it to an activity.`,
      id,
    )
    return undefined
  }
  const scope = ctx.scopeOf.get(element)
  if (ctx.scopeOf.get(activity) !== scope) {
    ctx.problems.error(
      'boundary-event-attachment-invalid',
      `${describeElement(element)} is attached to ${describeElement(activity)}, which is in another process or subprocess. Put the boundary event in the same scope as its activity.`,
      id,
    )
    return undefined
  }
  return activityId
}

/** `zeebe:taskDefinition` of an element that runs as a job; reports it missing. */
function requireJob(element: ModdleElement, ctx: CompileContext): JobDefinition | undefined {
  if (extensionElement(element, 'zeebe:TaskDefinition') === undefined) {
    ctx.problems.error(
      'task-definition-required',
      `${describeElement(element)} has no zeebe:taskDefinition, so no job worker would ever do it. Add <zeebe:taskDefinition type="..."/> with the job type your worker subscribes to.`,
      idOf(element),
    )
    return undefined
  }
  return readJobDefinition(element, ctx)
}

/** The message a throw event's message definition refers to. */
function messageOf(event: ModdleElement): ModdleElement | undefined {
  const definition = elementsProperty(event, 'eventDefinitions').find(
    (d) => d.$type === 'bpmn:MessageEventDefinition',
  )
  return definition === undefined ? undefined : elementProperty(definition, 'messageRef')
}

function caughtInFile(message: ModdleElement | undefined, ctx: CompileContext): boolean {
  return message !== undefined && ctx.messages?.caught.has(message) === true
}

function jobTask(type: FlowNodeType): FlowNodeCompiler {
  return activity((element, ctx) => {
    const message = type === 'sendTask' ? elementProperty(element, 'messageRef') : undefined
    if (
      extensionElement(element, 'zeebe:TaskDefinition') === undefined &&
      caughtInFile(message, ctx)
    ) {
      // A send task whose message the file catches sends it itself (message-exchange.ts).
      const eventDefinition = readMessage(element, message, 'intermediateThrow', element, ctx)
      return eventDefinition === undefined ? undefined : { type, eventDefinition }
    }
    if (extensionElement(element, 'zeebe:TaskDefinition') === undefined) {
      ctx.problems.error(
        'task-definition-required',
        `${describeElement(element)} has no zeebe:taskDefinition, so no job worker would ever do it. Add <zeebe:taskDefinition type="..."/> with the job type your worker subscribes to.`,
        idOf(element),
      )
      return { type }
    }
    const job = readJobDefinition(element, ctx)
    return job === undefined ? { type } : { type, job }
  })
}

/**
 * A business rule task either evaluates a deployed DMN decision in the engine
 * (`zeebe:calledDecision`) or hands the rules to a job worker (`zeebe:taskDefinition`).
 */
function compileBusinessRuleTask(element: ModdleElement, ctx: CompileContext): FlowNodeDetails {
  const hasDecision = extensionElement(element, 'zeebe:CalledDecision') !== undefined
  const hasTaskDefinition = extensionElement(element, 'zeebe:TaskDefinition') !== undefined
  if (hasDecision && hasTaskDefinition) {
    ctx.problems.error(
      'business-rule-task-ambiguous',
      `${describeElement(element)} has both zeebe:calledDecision and zeebe:taskDefinition. Keep zeebe:calledDecision to evaluate a deployed DMN decision in the engine, or zeebe:taskDefinition to hand the rules to a job worker.`,
      idOf(element),
    )
    return { type: 'businessRuleTask' }
  }
  if (hasDecision) {
    const calledDecision = readCalledDecision(element, ctx)
    return calledDecision === undefined
      ? { type: 'businessRuleTask' }
      : { type: 'businessRuleTask', calledDecision }
  }
  if (hasTaskDefinition) {
    const job = readJobDefinition(element, ctx)
    return job === undefined ? { type: 'businessRuleTask' } : { type: 'businessRuleTask', job }
  }
  ctx.problems.error(
    'business-rule-task-implementation-required',
    `${describeElement(element)} has neither zeebe:calledDecision nor zeebe:taskDefinition, so nothing would decide it. Add <zeebe:calledDecision decisionId="..." resultVariable="..."/> to evaluate a deployed DMN decision, or <zeebe:taskDefinition type="..."/> for a job worker.`,
    idOf(element),
  )
  return { type: 'businessRuleTask' }
}

function compileScriptTask(element: ModdleElement, ctx: CompileContext): FlowNodeDetails {
  const hasScript = extensionElement(element, 'zeebe:Script') !== undefined
  const hasTaskDefinition = extensionElement(element, 'zeebe:TaskDefinition') !== undefined
  if (hasScript && hasTaskDefinition) {
    ctx.problems.error(
      'script-task-ambiguous',
      `${describeElement(element)} has both zeebe:script and zeebe:taskDefinition. Keep zeebe:script to evaluate FEEL in the engine, or zeebe:taskDefinition to hand the script to a job worker.`,
      idOf(element),
    )
    return { type: 'scriptTask' }
  }
  if (hasScript) {
    const script = readScript(element, ctx)
    return script === undefined ? { type: 'scriptTask' } : { type: 'scriptTask', script }
  }
  if (hasTaskDefinition) {
    const job = readJobDefinition(element, ctx)
    return job === undefined ? { type: 'scriptTask' } : { type: 'scriptTask', job }
  }
  // A plain BPMN script (JavaScript, Groovy ...) becomes a job of type `script`, so a worker
  // that knows the language can run it.
  const body = stringProperty(element, 'script')
  if (body !== undefined && body.trim() !== '') {
    const format = stringProperty(element, 'scriptFormat')?.trim()
    if (format === undefined || format === '') {
      ctx.problems.error(
        'script-format-required',
        `${describeElement(element)} has a script but no scriptFormat, so no worker could tell which language it is in. Set scriptFormat (e.g. "text/javascript" or "groovy"), or use zeebe:script for a FEEL expression.`,
        idOf(element),
      )
      return { type: 'scriptTask' }
    }
    if (ctx.strict === true && !isScriptFormat(format)) {
      ctx.problems.error(
        'script-format-invalid',
        `${describeElement(element)} has scriptFormat="${format}", which names no script language: BPMN asks for a MIME type (engines also accept a language name such as "groovy"). Use e.g. "text/javascript".`,
        idOf(element),
      )
      return { type: 'scriptTask' }
    }
    return {
      type: 'scriptTask',
      job: {
        type: { kind: 'literal', value: 'script' },
        retries: { kind: 'literal', value: '3' },
        headers: { script: body, scriptFormat: format },
      },
    }
  }
  ctx.problems.error(
    'script-required',
    `${describeElement(element)} has no script. Add zeebe:script (a FEEL expression and resultVariable), a zeebe:taskDefinition for a job worker, or a <script> body.`,
    idOf(element),
  )
  return { type: 'scriptTask' }
}

function compileSubProcess(element: ModdleElement, ctx: CompileContext): FlowNodeDetails {
  if (booleanProperty(element, 'triggeredByEvent') === true) {
    return { type: 'subProcess', triggeredByEvent: true }
  }
  if (element.$type === 'bpmn:Transaction') return { type: 'subProcess', isTransaction: true }
  if (element.$type !== 'bpmn:AdHocSubProcess') return { type: 'subProcess' }
  const ordering = stringProperty(element, 'ordering') ?? 'Parallel'
  if (ordering !== 'Parallel' && ordering !== 'Sequential') {
    ctx.problems.error(
      'ad-hoc-ordering-invalid',
      `${describeElement(element)} has ordering="${ordering}"; it must be Parallel or Sequential.`,
      idOf(element),
    )
  }
  checkFormalExpression(
    element,
    'completion condition',
    elementProperty(element, 'completionCondition'),
    ctx.problems,
  )
  const completionText = expressionText(elementProperty(element, 'completionCondition'))
  const completionCondition =
    completionText === undefined || completionText === ''
      ? undefined
      : compileExpressionBody(element, 'completion condition', completionText, ctx.problems)
  const zeebeAdHoc = extensionElement(element, 'zeebe:AdHoc')
  const collectionText =
    zeebeAdHoc === undefined ? undefined : stringProperty(zeebeAdHoc, 'activeElementsCollection')
  const activeElementsCollection =
    collectionText === undefined || collectionText.trim() === ''
      ? undefined
      : compileExpressionBody(
          element,
          'zeebe:adHoc activeElementsCollection',
          collectionText.trim(),
          ctx.problems,
        )
  return {
    type: 'subProcess',
    adHoc: {
      ordering: ordering === 'Sequential' ? 'Sequential' : 'Parallel',
      cancelRemainingInstances: booleanProperty(element, 'cancelRemainingInstances') ?? true,
      ...(completionCondition === undefined ? {} : { completionCondition }),
      ...(activeElementsCollection === undefined ? {} : { activeElementsCollection }),
    },
  }
}

function compileCallActivity(element: ModdleElement, ctx: CompileContext): FlowNodeDetails {
  const calledElement = readCalledElement(element, ctx)
  return calledElement === undefined
    ? { type: 'callActivity' }
    : { type: 'callActivity', calledElement }
}

/** A receive task waits for a message like a message catch event (or starts the process). */
function compileReceiveTask(
  element: ModdleElement,
  ctx: CompileContext,
): FlowNodeDetails | undefined {
  const instantiate = booleanProperty(element, 'instantiate') === true
  const message = readMessage(
    element,
    elementProperty(element, 'messageRef'),
    instantiate ? 'instantiatingReceiveTask' : 'receiveTask',
    element,
    ctx,
  )
  if (message === undefined) return undefined
  return { type: 'receiveTask', eventDefinition: message, ...(instantiate ? { instantiate } : {}) }
}

/** A complex gateway: its optional `activationCondition` (FEEL over `activationCount`). */
function compileComplexGateway(element: ModdleElement, ctx: CompileContext): FlowNodeDetails {
  const condition = elementProperty(element, 'activationCondition')
  if (!checkFormalExpression(element, 'activation condition', condition, ctx.problems)) {
    return { type: 'complexGateway' }
  }
  const text = expressionText(condition)
  if (text === undefined || text === '') return { type: 'complexGateway' }
  const activationCondition = compileExpressionBody(
    element,
    'activation condition',
    text,
    ctx.problems,
    { boolean: true },
  )
  return activationCondition === undefined
    ? { type: 'complexGateway' }
    : { type: 'complexGateway', activationCondition }
}

function compileEventBasedGateway(
  element: ModdleElement,
  ctx: CompileContext,
): FlowNodeDetails | undefined {
  if (stringProperty(element, 'eventGatewayType') === 'Parallel') {
    return reportUnsupported(
      element,
      ctx,
      'parallel event-based gateway (eventGatewayType="Parallel")',
    )
  }
  return booleanProperty(element, 'instantiate') === true
    ? { type: 'eventBasedGateway', instantiate: true }
    : { type: 'eventBasedGateway' }
}

/** The flow node types Baton compiles, by moddle type. */
export const flowNodeCompilers: Readonly<Record<string, FlowNodeCompiler>> = {
  'bpmn:StartEvent': event('startEvent'),
  'bpmn:EndEvent': event('endEvent'),
  'bpmn:IntermediateThrowEvent': event('intermediateThrowEvent'),
  'bpmn:IntermediateCatchEvent': event('intermediateCatchEvent'),
  'bpmn:BoundaryEvent': event('boundaryEvent'),
  'bpmn:ServiceTask': jobTask('serviceTask'),
  'bpmn:SendTask': jobTask('sendTask'),
  'bpmn:BusinessRuleTask': activity(compileBusinessRuleTask),
  'bpmn:ScriptTask': activity(compileScriptTask),
  'bpmn:UserTask': activity((element, ctx) => ({
    type: 'userTask',
    userTask: readUserTask(element, ctx),
  })),
  'bpmn:ManualTask': activity(() => ({ type: 'manualTask' })),
  'bpmn:Task': activity(() => ({ type: 'task' })),
  'bpmn:ReceiveTask': activity(compileReceiveTask),
  'bpmn:ExclusiveGateway': () => ({ type: 'exclusiveGateway' }),
  'bpmn:ParallelGateway': () => ({ type: 'parallelGateway' }),
  'bpmn:InclusiveGateway': () => ({ type: 'inclusiveGateway' }),
  'bpmn:ComplexGateway': compileComplexGateway,
  'bpmn:EventBasedGateway': compileEventBasedGateway,
  'bpmn:SubProcess': activity(compileSubProcess),
  'bpmn:AdHocSubProcess': activity(compileSubProcess),
  'bpmn:Transaction': activity(compileSubProcess),
  'bpmn:CallActivity': activity(compileCallActivity),
}
