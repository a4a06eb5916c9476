/**
 * The executable model: what the compiler (src/model/compile.ts) makes of a BPMN file after it
 * has been parsed and validated. Frozen, with every FEEL expression already compiled, so the
 * engine never parses anything while it runs.
 */
import type { AttributeValue, CompiledExpression } from '../feel/types.ts'

/** The flow node types Baton executes. Validation rejects any other BPMN element. */
export const FlowNodeTypes = {
  startEvent: 'startEvent',
  endEvent: 'endEvent',
  intermediateThrowEvent: 'intermediateThrowEvent',
  intermediateCatchEvent: 'intermediateCatchEvent',
  boundaryEvent: 'boundaryEvent',
  receiveTask: 'receiveTask',
  eventBasedGateway: 'eventBasedGateway',
  serviceTask: 'serviceTask',
  sendTask: 'sendTask',
  scriptTask: 'scriptTask',
  businessRuleTask: 'businessRuleTask',
  userTask: 'userTask',
  manualTask: 'manualTask',
  task: 'task',
  exclusiveGateway: 'exclusiveGateway',
  parallelGateway: 'parallelGateway',
  inclusiveGateway: 'inclusiveGateway',
  complexGateway: 'complexGateway',
  subProcess: 'subProcess',
  callActivity: 'callActivity',
} as const
export type FlowNodeType = (typeof FlowNodeTypes)[keyof typeof FlowNodeTypes]

/** When a timer fires: an ISO 8601 date, duration, or cycle (`R5/PT10M`, or a cron expression). */
export interface TimerDefinition {
  readonly kind: 'date' | 'duration' | 'cycle'
  /** The text, literal or FEEL (evaluated when the timer is scheduled). */
  readonly value: AttributeValue
}

/**
 * What an event waits for or throws. Names and codes come from the referenced root elements
 * (`bpmn:message name`, `bpmn:signal name`, `bpmn:error errorCode`, `bpmn:escalation
 * escalationCode`); they may be FEEL where Camunda allows it.
 */
export type EventDefinition =
  | { readonly type: 'terminate' }
  | { readonly type: 'timer'; readonly timer: TimerDefinition }
  | {
      readonly type: 'message'
      readonly messageName: AttributeValue
      /** `zeebe:subscription correlationKey` (FEEL); required on catch events inside a process. */
      readonly correlationKey?: AttributeValue
    }
  | { readonly type: 'signal'; readonly signalName: AttributeValue }
  | {
      readonly type: 'error'
      /** Absent on a catch event: catches every error. Required on a throw (end) event. */
      readonly errorCode?: AttributeValue
      /** `zeebe:errorEventDefinition errorCodeVariable` / `errorMessageVariable` on catch events. */
      readonly errorCodeVariable?: string
      readonly errorMessageVariable?: string
    }
  | {
      readonly type: 'escalation'
      /** Absent on a catch event: catches every escalation. */
      readonly escalationCode?: AttributeValue
      readonly escalationCodeVariable?: string
    }
  | {
      readonly type: 'compensation'
      /** Throw: the activity to compensate (absent: every completed activity of the scope). */
      readonly activityRef?: string
      readonly waitForCompletion: boolean
    }
  | {
      readonly type: 'conditional'
      readonly condition: CompiledExpression
      /** `zeebe:conditionalFilter variableNames`: re-evaluate only when these change (all when absent). */
      readonly variableNames?: readonly string[]
      readonly variableEvents?: readonly ('create' | 'update')[]
    }
  | { readonly type: 'link'; readonly name: string }
  | { readonly type: 'cancel' }

/** `bpmn:multiInstanceLoopCharacteristics` with `zeebe:loopCharacteristics`. */
export interface MultiInstanceDefinition {
  readonly isSequential: boolean
  /** FEEL list to iterate over (`zeebe:loopCharacteristics inputCollection`). */
  readonly inputCollection?: CompiledExpression
  /** Variable holding the current item, local to each inner instance. */
  readonly inputElement?: string
  /** Variable (in the multi-instance body's flow scope) collecting `outputElement` of each instance. */
  readonly outputCollection?: string
  readonly outputElement?: CompiledExpression
  /** `bpmn:loopCardinality` when there is no input collection. */
  readonly loopCardinality?: CompiledExpression
  readonly completionCondition?: CompiledExpression
  /** BPMN `behavior` of thrown events for each instance (None, One, All, Complex). */
  readonly behavior?: 'None' | 'One' | 'All' | 'Complex'
  /**
   * The event thrown when an instance completes (`noneBehaviorEventRef` with behavior None: after
   * each; `oneBehaviorEventRef` with One: after the first). It is caught, without interrupting, by
   * the activity's boundary events for the same signal, message or escalation.
   */
  readonly behaviorEvent?: {
    readonly type: 'signal' | 'message' | 'escalation'
    readonly name: string
  }
}

/** `bpmn:standardLoopCharacteristics`. */
export interface StandardLoopDefinition {
  readonly loopCondition?: CompiledExpression
  readonly testBefore: boolean
  readonly loopMaximum?: number
}

/** One `zeebe:input` or `zeebe:output`: a FEEL source evaluated into a (possibly dotted) target. */
export interface VariableMapping {
  readonly source: CompiledExpression
  /** Variable name, or a dotted path (`customer.address.city`) that builds nested contexts. */
  readonly target: string
}

export interface IoMapping {
  readonly inputs: readonly VariableMapping[]
  readonly outputs: readonly VariableMapping[]
}

/** What makes a task a job for a worker (`zeebe:taskDefinition` + `zeebe:taskHeaders`). */
export interface JobDefinition {
  readonly type: AttributeValue
  /** Retries as written in the model (default "3"); may be FEEL. */
  readonly retries: AttributeValue
  readonly headers: Readonly<Record<string, string>>
}

/** `zeebe:userTask` and its companions. Absent attributes are undefined. */
export interface UserTaskDefinition {
  readonly assignee?: AttributeValue
  /** A comma-separated literal or a FEEL list of strings. */
  readonly candidateUsers?: AttributeValue
  readonly candidateGroups?: AttributeValue
  readonly dueDate?: AttributeValue
  readonly followUpDate?: AttributeValue
  readonly priority?: AttributeValue
  /** `zeebe:formDefinition formKey` (embedded/linked form key). */
  readonly formKey?: string
  /** `zeebe:formDefinition formId` (a deployed form's id). */
  readonly formId?: string
  /** An embedded form-js schema (`zeebe:userTaskForm`) referenced by formKey `camunda-forms:bpmn:ID`. */
  readonly formSchema?: string
  readonly externalReference?: AttributeValue
}

export interface CalledElementDefinition {
  /** The called process id; may be FEEL. */
  readonly processId: AttributeValue
  readonly propagateAllChildVariables: boolean
  readonly propagateAllParentVariables: boolean
}

/**
 * `zeebe:calledDecision`: a business rule task that evaluates a deployed DMN decision in the
 * engine and stores its result in `resultVariable`.
 */
export interface CalledDecisionDefinition {
  /** The DMN decision id; may be FEEL. */
  readonly decisionId: AttributeValue
  readonly resultVariable: string
  /** Which version is called (Camunda's `bindingType`; default `latest`). */
  readonly bindingType?: 'latest' | 'deployment' | 'versionTag'
  /** With `bindingType="versionTag"`: the version tag to call. */
  readonly versionTag?: string
}

export interface ScriptDefinition {
  /** `zeebe:script expression`: FEEL evaluated in the engine. */
  readonly expression: CompiledExpression
  readonly resultVariable: string
}

export interface FlowNode {
  readonly id: string
  readonly name?: string
  readonly type: FlowNodeType
  /** Id of the enclosing scope: the process id, or the id of the embedded subprocess. */
  readonly scopeId: string
  /** Ids of incoming sequence flows, in document order. */
  readonly incoming: readonly string[]
  /** Ids of outgoing sequence flows, in document order. */
  readonly outgoing: readonly string[]
  /**
   * Complex gateway: `activationCondition` (FEEL; `activationCount` is the number of tokens
   * waiting). Absent: the join waits like an inclusive join.
   */
  readonly activationCondition?: CompiledExpression
  /** Default flow id (exclusive/inclusive/complex gateways and activities). */
  readonly defaultFlow?: string
  readonly ioMapping?: IoMapping
  /** Service, send, business rule (job flavour) and non-FEEL script tasks. */
  readonly job?: JobDefinition
  readonly script?: ScriptDefinition
  /** Business rule task evaluating a DMN decision in the engine (instead of a job). */
  readonly calledDecision?: CalledDecisionDefinition
  readonly userTask?: UserTaskDefinition
  readonly calledElement?: CalledElementDefinition
  /** The event's trigger or result; absent for none events. */
  readonly eventDefinition?: EventDefinition
  /**
   * A BPMN "multiple" event runs all its definitions (the first is also `eventDefinition`): an
   * intermediate catch waits for any one of its triggers (every one with `parallelMultiple`), a
   * throw event throws every signal.
   */
  readonly eventDefinitions?: readonly EventDefinition[]
  readonly parallelMultiple?: boolean
  /** Boundary event: the activity it is attached to, and whether it interrupts it (default true). */
  readonly attachedToRef?: string
  readonly cancelActivity?: boolean
  /** Activity: ids of its boundary events, in document order. */
  readonly boundaryEventIds?: readonly string[]
  /** Start event of an event subprocess: interrupting (default true). */
  readonly isInterrupting?: boolean
  /** Subprocess: an event subprocess (`triggeredByEvent="true"`), started by its start event. */
  readonly triggeredByEvent?: boolean
  /** Process or subprocess scope: ids of the event subprocesses directly inside it. */
  readonly eventSubProcessIds?: readonly string[]
  /** Activity: tokens it waits for before it starts (absent: 1); they are consumed together. */
  readonly startQuantity?: number
  /** Activity: tokens it sends down each outgoing flow when it completes (absent: 1). */
  readonly completionQuantity?: number
  readonly multiInstance?: MultiInstanceDefinition
  readonly standardLoop?: StandardLoopDefinition
  /** A compensation handler (`isForCompensation="true"`): runs only when compensation is thrown. */
  readonly isForCompensation?: boolean
  /** Activity with a compensation boundary event: the handler activity's id (via association). */
  readonly compensationHandlerId?: string
  /** Ad-hoc subprocess (`bpmn:adHocSubProcess`): `zeebe:adHoc activeElementsCollection` etc. */
  readonly adHoc?: {
    readonly activeElementsCollection?: CompiledExpression
    readonly completionCondition?: CompiledExpression
    readonly cancelRemainingInstances: boolean
    readonly ordering: 'Parallel' | 'Sequential'
  }
  /** Transaction subprocess (`bpmn:transaction`). */
  readonly isTransaction?: boolean
  /** Receive task: `bpmn:instantiate`. Event-based gateway: `instantiate` / `eventGatewayType`. */
  readonly instantiate?: boolean
  /** For subProcess: the id of its none start event (an event subprocess: its first start event). */
  readonly startEventId?: string
  /**
   * An event subprocess of a descriptive process with several start events: all of them, in
   * document order; any one of them starts it (the one that did is on its element instance).
   */
  readonly startEventIds?: readonly string[]
  /**
   * A subprocess of a descriptive process that starts at more than one flow node (see
   * `ExecutableProcess.tokenStartIds`): every none start event gets a token when it starts (an
   * event subprocess: the start event that triggered it).
   */
  readonly tokenStartIds?: readonly string[]
  /** Ids of the flow nodes directly inside this subprocess. */
  readonly childNodeIds?: readonly string[]
}

export interface SequenceFlow {
  readonly id: string
  readonly name?: string
  readonly sourceRef: string
  readonly targetRef: string
  /** Absent for unconditional flows. */
  readonly condition?: CompiledExpression
}

/** One executable process of a deployed BPMN file. */
export interface ExecutableProcess {
  /** The BPMN process id (`bpmnProcessId` in Camunda). */
  readonly id: string
  readonly name?: string
  /** Every flow node of the process, nested ones included, by id. */
  readonly nodes: ReadonlyMap<string, FlowNode>
  readonly flows: ReadonlyMap<string, SequenceFlow>
  /** The process's none start event; '' when it only has message, timer or signal starts. */
  readonly startEventId: string
  /** Every start event directly in the process, the none start included. */
  readonly startEventIds?: readonly string[]
  /**
   * A descriptive process (not executable) that starts at more than its start event: its start
   * events and the flow nodes without incoming sequence flow (implicit starts), in document order.
   * When an instance starts, each of them gets a token except the start events it did not start
   * at (BPMN's token-flow semantics, as bpmn-js-token-simulation plays it). Absent otherwise.
   */
  readonly tokenStartIds?: readonly string[]
  /** Event subprocesses directly in the process. */
  readonly eventSubProcessIds?: readonly string[]
  /** Link catch events by `${scopeId}:${linkName}` (a link throw jumps to the catch of its name in its scope). */
  readonly linkTargets?: ReadonlyMap<string, string>
  /** Ids of the flow nodes directly inside the process. */
  readonly childNodeIds: readonly string[]
  /**
   * For each inclusive or complex gateway with more than one incoming flow: the ids of the flow nodes in
   * the same scope from which a token could still reach it (without passing through it).
   */
  readonly inclusiveJoinSources: ReadonlyMap<string, ReadonlySet<string>>
  /**
   * The same flow nodes, each with the incoming flows of the gateway that its paths end on: a
   * token there holds the join back only while it can reach an incoming flow without a token and
   * none with one (BPMN's activation rule of the inclusive gateway).
   */
  readonly inclusiveJoinReach: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>
}

/** A problem found while validating a model: which rule, where, and what to do. */
export interface ModelProblem {
  /** Stable rule id, e.g. `start-event-required`, `flow-target-missing`, `feel-syntax`. */
  readonly rule: string
  /** The element the problem is on (absent for file-level problems such as malformed XML). */
  readonly elementId?: string
  /** Line in the XML file when known. */
  readonly line?: number
  /** What is wrong and what to change, in one or two sentences. */
  readonly message: string
}

/** The result of compiling a BPMN file. */
export type CompileResult =
  | {
      readonly ok: true
      readonly processes: readonly ExecutableProcess[]
      readonly warnings: readonly ModelProblem[]
    }
  | { readonly ok: false; readonly problems: readonly ModelProblem[] }
