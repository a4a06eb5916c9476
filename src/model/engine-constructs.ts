/**
 * Which engine constructs a compiled flow node needs, and the deploy-time gate that rejects a
 * node whose constructs are not all in `engineSupport`, so a model is never half-run.
 */
import { engineSupport, type SupportedConstruct } from './engine-support.ts'
import type { ProblemCollector } from './problem-collector.ts'
import type { FlowNode, FlowNodeType } from './types.ts'

const eventTypes = new Set<FlowNodeType>([
  'startEvent',
  'endEvent',
  'intermediateThrowEvent',
  'intermediateCatchEvent',
  'boundaryEvent',
])

type EventNodeType =
  'startEvent' | 'endEvent' | 'intermediateThrowEvent' | 'intermediateCatchEvent' | 'boundaryEvent'

function isEventType(type: FlowNodeType): type is EventNodeType {
  return eventTypes.has(type)
}

/**
 * The constructs the engine must run for this node: its type, `<eventType>:<definition>` for an
 * event with a trigger, the markers (event subprocess, loops, ad-hoc, transaction, compensation
 * handler), and a business rule task's called decision with its binding.
 *
 * @example
 * constructsOf(timerBoundary) // ['boundaryEvent', 'boundaryEvent:timer']
 */
export function constructsOf(node: FlowNode, processId?: string): SupportedConstruct[] {
  const constructs: SupportedConstruct[] = [node.type]
  if (node.eventDefinition !== undefined && isEventType(node.type)) {
    constructs.push(`${node.type}:${node.eventDefinition.type}`)
  }
  // A conditional start of the whole process (not of an event subprocess) is evaluated on request.
  if (
    node.type === 'startEvent' &&
    node.eventDefinition?.type === 'conditional' &&
    node.scopeId === processId
  ) {
    constructs.push('processStart:conditional')
  }
  if (
    node.instantiate === true &&
    (node.type === 'receiveTask' || node.type === 'eventBasedGateway')
  ) {
    constructs.push(`${node.type}:instantiate`)
  }
  if (node.triggeredByEvent === true) constructs.push('eventSubProcess')
  if (node.multiInstance !== undefined) constructs.push('multiInstance')
  if (node.standardLoop !== undefined) constructs.push('standardLoop')
  if (node.adHoc !== undefined) constructs.push('adHocSubProcess')
  if (node.isTransaction === true) constructs.push('transaction')
  if (node.isForCompensation === true) constructs.push('compensationHandler')
  if (node.calledDecision !== undefined) {
    constructs.push('businessRuleTask:calledDecision')
    const binding = node.calledDecision.bindingType
    if (binding !== undefined && binding !== 'latest') {
      constructs.push(`businessRuleTask:calledDecision:${binding}`)
    }
  }
  return constructs
}

const typeWords: Readonly<Record<FlowNodeType, string>> = {
  startEvent: 'start event',
  endEvent: 'end event',
  intermediateThrowEvent: 'intermediate throw event',
  intermediateCatchEvent: 'intermediate catch event',
  boundaryEvent: 'boundary event',
  receiveTask: 'receive task',
  eventBasedGateway: 'event-based gateway',
  serviceTask: 'service task',
  sendTask: 'send task',
  scriptTask: 'script task',
  businessRuleTask: 'business rule task',
  userTask: 'user task',
  manualTask: 'manual task',
  task: 'task',
  exclusiveGateway: 'exclusive gateway',
  parallelGateway: 'parallel gateway',
  inclusiveGateway: 'inclusive gateway',
  complexGateway: 'complex gateway',
  subProcess: 'subprocess',
  callActivity: 'call activity',
}

/** How a user would name the node: `multi-instance service task`, `timer boundary event`. */
export function describeNodeKind(node: FlowNode): string {
  const words: string[] = []
  if (node.multiInstance !== undefined) words.push('multi-instance')
  if (node.standardLoop !== undefined) words.push('looping')
  if (node.cancelActivity === false || node.isInterrupting === false) {
    words.push('non-interrupting')
  }
  if (node.eventDefinition !== undefined && isEventType(node.type)) {
    words.push(node.eventDefinition.type)
  }
  if (node.triggeredByEvent === true) words.push('event subprocess')
  else if (node.adHoc !== undefined) words.push('ad-hoc subprocess')
  else if (node.isTransaction === true) words.push('transaction subprocess')
  else words.push(typeWords[node.type])
  if (node.isForCompensation === true) words.push('(compensation handler)')
  return words.join(' ')
}

/**
 * Reports `element-unsupported` when the node needs a construct the engine does not run yet
 * (`supported` is the engine's list; tests pass their own). Returns whether the node is executable.
 */
export function checkEngineSupport(
  node: FlowNode,
  problems: ProblemCollector,
  supported: ReadonlySet<SupportedConstruct> = engineSupport,
  processId?: string,
): boolean {
  const missing = constructsOf(node, processId).filter((construct) => !supported.has(construct))
  if (missing.length === 0) return true
  const label =
    node.name === undefined || node.name.trim() === ''
      ? `'${node.id}'`
      : `'${node.name.trim()}' (${node.id})`
  problems.error(
    'element-unsupported',
    `${describeNodeKind(node)} ${label} is not executable by Baton yet (the engine does not run ${missing.join(', ')}). Remove it, or model the step with elements Baton runs.`,
    node.id,
  )
  return false
}
