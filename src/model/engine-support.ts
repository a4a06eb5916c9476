/**
 * What the engine can execute today. The compiler rejects (rule `element-unsupported`) every
 * construct outside this list at deploy, so a model is never half-run. The engine team widens it
 * as behaviours land; tests of the compiler may pass `{ allowUnsupported: true }`.
 */
import type { EventDefinition, FlowNodeType } from './types.ts'

export type SupportedConstruct =
  | FlowNodeType
  | `${'startEvent' | 'endEvent' | 'intermediateThrowEvent' | 'intermediateCatchEvent' | 'boundaryEvent'}:${EventDefinition['type']}`
  | 'eventSubProcess'
  | 'multiInstance'
  | 'standardLoop'
  | 'adHocSubProcess'
  | 'transaction'
  | 'compensationHandler'
  | 'processStart:conditional'
  | 'receiveTask:instantiate'
  | 'eventBasedGateway:instantiate'
  | `businessRuleTask:calledDecision${'' | ':deployment' | ':versionTag'}`

export const engineSupport: ReadonlySet<SupportedConstruct> = new Set<SupportedConstruct>([
  'startEvent',
  'endEvent',
  'endEvent:terminate',
  'intermediateThrowEvent',
  'serviceTask',
  'sendTask',
  'scriptTask',
  'businessRuleTask',
  // Decisions: a business rule task evaluates the latest version of a deployed DMN decision.
  'businessRuleTask:calledDecision',
  'userTask',
  'manualTask',
  'task',
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  // A complex gateway splits like an inclusive one; its join fires on its activation condition.
  'complexGateway',
  'subProcess',
  'callActivity',
  // Events (issue 3): waiting on timers, messages, signals and conditions; errors and escalations.
  'intermediateCatchEvent',
  'intermediateCatchEvent:timer',
  'intermediateCatchEvent:message',
  'intermediateCatchEvent:signal',
  'intermediateCatchEvent:conditional',
  'intermediateCatchEvent:link',
  'intermediateThrowEvent:signal',
  'intermediateThrowEvent:escalation',
  'intermediateThrowEvent:link',
  'intermediateThrowEvent:message',
  'endEvent:message',
  'endEvent:error',
  'endEvent:escalation',
  'endEvent:signal',
  'startEvent:timer',
  'startEvent:message',
  'startEvent:signal',
  'startEvent:error',
  'startEvent:escalation',
  'startEvent:conditional',
  // A conditional start of the process is evaluated on request (`engine.evaluateConditionals`,
  // `POST /v2/conditionals/evaluation`), as in Camunda 8.9.
  'processStart:conditional',
  'boundaryEvent',
  'boundaryEvent:timer',
  'boundaryEvent:message',
  'boundaryEvent:signal',
  'boundaryEvent:error',
  'boundaryEvent:escalation',
  'boundaryEvent:conditional',
  'receiveTask',
  // An instantiating receive task starts its process on its message, like a message start event.
  'receiveTask:instantiate',
  'eventBasedGateway',
  'eventSubProcess',
  // Loops (issue 3).
  'multiInstance',
  'standardLoop',
  'adHocSubProcess',
  'transaction',
  'endEvent:cancel',
  'boundaryEvent:cancel',
  // Compensation (issue 3).
  'compensationHandler',
  'boundaryEvent:compensation',
  'intermediateThrowEvent:compensation',
  'endEvent:compensation',
  'startEvent:compensation',
])
