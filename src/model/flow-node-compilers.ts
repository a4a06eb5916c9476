/**
 * One compiler per BPMN flow node type, registered in one table (like Zeebe's element
 * processors). A type missing from the table is reported as `element-unsupported`; to support a
 * new element, add its entry here (and its behaviour in src/engine/elements/).
 */
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
import type {
  CalledElementDefinition,
  FlowNodeType,
  JobDefinition,
  ScriptDefinition,
  UserTaskDefinition,
} from './types.ts'
import {
  readCalledElement,
  readJobDefinition,
  readScript,
  readUserTask,
  type ElementContext,
} from './zeebe-extensions.ts'

/** What a type-specific compiler adds to the common flow node fields. */
export interface FlowNodeDetails {
  readonly type: FlowNodeType
  readonly job?: JobDefinition
  readonly script?: ScriptDefinition
  readonly userTask?: UserTaskDefinition
  readonly calledElement?: CalledElementDefinition
  readonly eventDefinition?: { readonly type: 'terminate' }
}

/** Compiles one element; undefined when it cannot be executed (the problem is reported). */
export type FlowNodeCompiler = (
  element: ModdleElement,
  ctx: ElementContext,
) => FlowNodeDetails | undefined

/** Reports an element Baton does not execute (yet), naming exactly what it is. */
export function reportUnsupported(
  element: ModdleElement,
  ctx: ElementContext,
  what?: string,
): undefined {
  const kind = what ?? describeKind(element)
  ctx.problems.error(
    'element-unsupported',
    `${describeElement(element)} (${kind}) is not supported by Baton yet. Remove it or model the step with supported elements (none start/end/throw events, terminate end events, tasks, exclusive/parallel/inclusive gateways, embedded subprocesses, call activities).`,
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

/** Shared checks of every activity: markers Baton does not execute yet. */
function activity(compile: FlowNodeCompiler): FlowNodeCompiler {
  return (element, ctx) => {
    const loop = elementProperty(element, 'loopCharacteristics')
    if (loop !== undefined) {
      return reportUnsupported(
        element,
        ctx,
        `${typeName(element)} with ${typeName(loop)} (multi-instance / loop)`,
      )
    }
    if (booleanProperty(element, 'isForCompensation') === true) {
      return reportUnsupported(element, ctx, `compensation ${typeName(element)}`)
    }
    return compile(element, ctx)
  }
}

/** An event without event definitions (or only those `allowed` maps to a definition). */
function event(type: FlowNodeType, allowTerminate = false): FlowNodeCompiler {
  return (element, ctx) => {
    const definitions = elementsProperty(element, 'eventDefinitions')
    if (definitions.length === 0) return { type }
    const [only] = definitions
    if (
      allowTerminate &&
      definitions.length === 1 &&
      only?.$type === 'bpmn:TerminateEventDefinition'
    ) {
      return { type, eventDefinition: { type: 'terminate' } }
    }
    return reportUnsupported(element, ctx)
  }
}

function jobTask(type: FlowNodeType): FlowNodeCompiler {
  return activity((element, ctx) => {
    if (type === 'businessRuleTask' && extensionElement(element, 'zeebe:CalledDecision')) {
      return reportUnsupported(
        element,
        ctx,
        'businessRuleTask with zeebe:calledDecision (DMN decision)',
      )
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

function compileScriptTask(element: ModdleElement, ctx: ElementContext): FlowNodeDetails {
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
    return {
      type: 'scriptTask',
      job: {
        type: { kind: 'literal', value: 'script' },
        retries: { kind: 'literal', value: '3' },
        headers: { script: body, scriptFormat: stringProperty(element, 'scriptFormat') ?? '' },
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

function compileSubProcess(
  element: ModdleElement,
  ctx: ElementContext,
): FlowNodeDetails | undefined {
  if (booleanProperty(element, 'triggeredByEvent') === true) {
    return reportUnsupported(element, ctx, 'event subprocess (triggeredByEvent)')
  }
  return { type: 'subProcess' }
}

function compileCallActivity(element: ModdleElement, ctx: ElementContext): FlowNodeDetails {
  const calledElement = readCalledElement(element, ctx)
  return calledElement === undefined
    ? { type: 'callActivity' }
    : { type: 'callActivity', calledElement }
}

/** The flow node types Baton compiles, by moddle type. */
export const flowNodeCompilers: Readonly<Record<string, FlowNodeCompiler>> = {
  'bpmn:StartEvent': event('startEvent'),
  'bpmn:EndEvent': event('endEvent', true),
  'bpmn:IntermediateThrowEvent': event('intermediateThrowEvent'),
  'bpmn:ServiceTask': jobTask('serviceTask'),
  'bpmn:SendTask': jobTask('sendTask'),
  'bpmn:BusinessRuleTask': jobTask('businessRuleTask'),
  'bpmn:ScriptTask': activity(compileScriptTask),
  'bpmn:UserTask': activity((element, ctx) => ({
    type: 'userTask',
    userTask: readUserTask(element, ctx),
  })),
  'bpmn:ManualTask': activity(() => ({ type: 'manualTask' })),
  'bpmn:Task': activity(() => ({ type: 'task' })),
  'bpmn:ExclusiveGateway': () => ({ type: 'exclusiveGateway' }),
  'bpmn:ParallelGateway': () => ({ type: 'parallelGateway' }),
  'bpmn:InclusiveGateway': () => ({ type: 'inclusiveGateway' }),
  'bpmn:SubProcess': activity(compileSubProcess),
  'bpmn:CallActivity': activity(compileCallActivity),
}
