import type { ExecutableProcess } from '../model/types.ts'

/**
 * The engine core's vocabulary: instance state, commands (imperative, what someone asks for) and
 * events (past tense, what happened). Everything here is plain JSON so it can be stored as is.
 */

/** Keys are decimal strings of safe integers (Camunda style), unique within one database. */
export type Key = string

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type Variables = Record<string, JsonValue>

export const InstanceStates = {
  active: 'active',
  completed: 'completed',
  terminated: 'terminated',
} as const
export type InstanceStatus = (typeof InstanceStates)[keyof typeof InstanceStates]

/** Where an element instance is in its life cycle. */
export type ElementPhase = 'activating' | 'active' | 'completing'

/** An incident blocks one element instance at the step that failed, until it is resolved. */
export interface IncidentRef {
  readonly key: Key
  /** Which step is retried on resolution. */
  readonly step: 'activate' | 'complete' | 'job' | 'child'
}

export interface ElementInstanceState {
  readonly key: Key
  readonly elementId: string
  /** Key of the enclosing scope: the process instance key or a subprocess element instance key. */
  readonly flowScopeKey: Key
  phase: ElementPhase
  /** When the element instance was entered (ms since the epoch); absent in older states. */
  activatedAt?: number
  jobKey?: Key
  userTaskKey?: Key
  childInstanceKey?: Key
  incident?: IncidentRef
  /** Activated by its trigger (a caught event): catch elements complete instead of waiting. */
  triggered?: boolean
  /**
   * Loops: the `body` instance of a multi-instance or standard-loop activity holds its iterations,
   * each an `inner` instance of the same element inside it.
   */
  loopRole?: 'body' | 'inner'
  /** On a loop body: the collection iterated over (null for a cardinality or a standard loop). */
  loop?: { readonly items: readonly JsonValue[] | null; readonly count: number }
  /** On a sequential ad-hoc subprocess: the elements still to run, in order. */
  adHocQueue?: readonly string[]
  /** A compensation handler: the throw event waiting for it (if it waits). */
  compensationFor?: Key
  /** A compensation event subprocess: the completed subprocess instance it compensates. */
  compensatesScope?: Key
  /**
   * A completed subprocess entered again to host the compensation of what ran in it: the key of
   * the instance it stands for. It runs nothing itself and completes when its handlers are done.
   */
  revives?: Key
  /** An event subprocess with several start events (descriptive processes): the one triggered. */
  startEventId?: string
  /** A cancel boundary event: the transaction it caught the cancellation of (it ends it, if left). */
  cancelsTransaction?: Key
  /** A compensation throw event waiting for this many handlers. */
  compensationsPending?: number
  /** The handlers it still has to start, one after the other (most recent work first). */
  compensationQueue?: readonly CompensationHandlerRef[]
}

/** A compensation handler to start: the element, the scope it runs in, and what it compensates. */
export interface CompensationHandlerRef {
  readonly nodeId: string
  readonly scopeKey: Key
  readonly compensatesScope?: Key
}

/** A completed activity that can be compensated (it has a handler, or compensable insides). */
export interface CompensationRecord {
  /** The scope it completed in (a subprocess instance key, or the instance key). */
  readonly scopeKey: Key
  readonly elementId: string
  readonly elementInstanceKey: Key
}

/** Something an instance waits for: a timer, a message, a signal, or a condition. */
export interface SubscriptionState {
  readonly key: Key
  readonly kind: 'timer' | 'message' | 'signal' | 'conditional'
  /**
   * Whose activation opened it: the catch event or receive task itself, the activity of a boundary
   * event, the event-based gateway, or the scope (instance key or subprocess) of an event subprocess.
   * Closed when the holder ends.
   */
  readonly holderKey: Key
  /** The element that catches: catch event, boundary event, event subprocess start, receive task. */
  readonly elementId: string
  readonly interrupting: boolean
  readonly name: string | null
  readonly correlationKey: string | null
  /** Timers: when it fires next; how often it fired; the schedule (for cycles). */
  dueAt: number | null
  fired: number
  readonly schedule: JsonValue
  /** Conditional: the condition's last value, to fire only when it becomes true. */
  lastValue?: boolean
}

export interface JobState {
  readonly key: Key
  readonly elementInstanceKey: Key
  readonly elementId: string
  readonly type: string
  retries: number
  readonly headers: Readonly<Record<string, string>>
  readonly createdAt: number
}

export interface UserTaskState {
  readonly key: Key
  readonly elementInstanceKey: Key
  readonly elementId: string
  readonly name: string | null
  assignee: string | null
  readonly candidateUsers: readonly string[]
  readonly candidateGroups: readonly string[]
  readonly dueDate: string | null
  readonly followUpDate: string | null
  readonly priority: number
  readonly formKey: string | null
  readonly formId: string | null
  readonly createdAt: number
}

export interface IncidentState {
  readonly key: Key
  readonly elementInstanceKey: Key
  readonly elementId: string
  readonly errorType: string
  readonly errorMessage: string
  readonly jobKey: Key | null
  readonly createdAt: number
}

/** The state document of one process instance (stored as JSON, versioned). */
export interface InstanceState {
  readonly key: Key
  readonly processDefinitionKey: Key
  readonly bpmnProcessId: string
  readonly version: number
  status: InstanceStatus
  readonly startedAt: number
  endedAt?: number
  readonly businessKey?: string
  /**
   * The correlation key of the message that started the instance at a message start event (not
   * set for an empty key): while the instance is active, no other message with this key starts an
   * instance of its process.
   */
  readonly startCorrelationKey?: string
  readonly parent?: { readonly instanceKey: Key; readonly elementInstanceKey: Key }
  /** Active element instances by key. */
  elements: Record<Key, ElementInstanceState>
  /** Variables by scope key (the instance key is the root scope). */
  variables: Record<Key, Variables>
  /** Tokens waiting at joining gateways: `${flowScopeKey}/${gatewayId}` -> flow id -> count. */
  joins: Record<string, Record<string, number>>
  /**
   * Complex gateways that fired and wait for the rest of their tokens before they reset:
   * `${flowScopeKey}/${gatewayId}` -> true.
   */
  firedJoins?: Record<string, true>
  jobs: Record<Key, JobState>
  userTasks: Record<Key, UserTaskState>
  /** Open incidents by key. */
  incidents: Record<Key, IncidentState>
  /** Open subscriptions by key. */
  subscriptions?: Record<Key, SubscriptionState>
  /** Completed activities that can still be compensated, in completion order. */
  compensations?: CompensationRecord[]
  /** Number of events this instance has produced (the next event's position). */
  position: number
}

// ---------------------------------------------------------------------------------------------
// Commands

export type Command =
  | {
      readonly type: 'CreateInstance'
      readonly instanceKey: Key
      readonly processDefinitionKey: Key
      readonly variables?: Variables
      readonly businessKey?: string
      readonly parent?: { readonly instanceKey: Key; readonly elementInstanceKey: Key }
      /** Start at this start event (message, timer, signal start) instead of the none start. */
      readonly startEventId?: string
      /** A message with this (non-empty) correlation key starts the instance (see InstanceState). */
      readonly startCorrelationKey?: string
    }
  | {
      /** A timer fired, a message was correlated, a signal was broadcast to this subscription. */
      readonly type: 'TriggerSubscription'
      readonly instanceKey: Key
      readonly subscriptionKey: Key
      readonly variables?: Variables
      /** For timers: the due time that fired (a stale firing of a rescheduled cycle is refused). */
      readonly dueAt?: number
    }
  | {
      /** A called instance threw an error it did not catch: the parent looks for a catcher. */
      readonly type: 'PropagateError'
      readonly instanceKey: Key
      readonly elementInstanceKey: Key
      readonly errorCode: string
      readonly errorMessage: string
      readonly variables?: Variables
    }
  | {
      /**
       * A called instance threw an escalation it did not catch: the parent looks for a catcher
       * from the call activity outwards (nothing catching it is not an error).
       */
      readonly type: 'PropagateEscalation'
      readonly instanceKey: Key
      /** The call activity's element instance. */
      readonly elementInstanceKey: Key
      readonly escalationCode: string
      /** The called instance it came from. */
      readonly childInstanceKey: Key
    }
  | {
      readonly type: 'CompleteJob'
      readonly instanceKey: Key
      readonly jobKey: Key
      readonly variables?: Variables
    }
  | {
      readonly type: 'FailJob'
      readonly instanceKey: Key
      readonly jobKey: Key
      readonly retries: number
      readonly errorMessage: string
      readonly retryBackoffMs?: number
    }
  | {
      readonly type: 'ThrowJobError'
      readonly instanceKey: Key
      readonly jobKey: Key
      readonly errorCode: string
      readonly errorMessage?: string
      readonly variables?: Variables
    }
  | {
      readonly type: 'CompleteUserTask'
      readonly instanceKey: Key
      readonly userTaskKey: Key
      readonly variables?: Variables
    }
  | {
      readonly type: 'AssignUserTask'
      readonly instanceKey: Key
      readonly userTaskKey: Key
      readonly assignee: string | null
    }
  | {
      readonly type: 'SetVariables'
      readonly instanceKey: Key
      /** Scope key; the instance key for process variables. */
      readonly scopeKey: Key
      readonly variables: Variables
      readonly local?: boolean
    }
  | {
      readonly type: 'CancelInstance'
      readonly instanceKey: Key
      /** Set when a parent cancels the instance it called (a called instance cannot be cancelled alone). */
      readonly byParent?: boolean
    }
  | {
      readonly type: 'ResolveIncident'
      readonly instanceKey: Key
      readonly incidentKey: Key
      /** For a job incident: the retries the job gets again (default 1). */
      readonly jobRetries?: number
    }
  | {
      /** Sent by a child instance to its parent when it completes. */
      readonly type: 'CompleteCallActivity'
      readonly instanceKey: Key
      readonly elementInstanceKey: Key
      readonly variables: Variables
    }

export type CommandType = Command['type']

/** A command the engine refuses (unknown job, wrong state...): nothing changes. */
export interface Rejection {
  readonly rejected: true
  /** An error code of the catalogue in src/errors.ts. */
  readonly code: string
  readonly message: string
}

// ---------------------------------------------------------------------------------------------
// Events

interface EventBase {
  /** Position within the instance's event log, from 0. */
  position: number
  /** Milliseconds since the epoch, from ctx.clock. */
  at: number
}

export type EngineEventBody =
  | {
      readonly type: 'ProcessInstanceCreated'
      readonly processDefinitionKey: Key
      readonly bpmnProcessId: string
      readonly version: number
      readonly businessKey?: string
      /** The correlation key of the message that started the instance (see InstanceState). */
      readonly startCorrelationKey?: string
      readonly parent?: { readonly instanceKey: Key; readonly elementInstanceKey: Key }
    }
  | { readonly type: 'ProcessInstanceCompleted' }
  | { readonly type: 'ProcessInstanceTerminated' }
  | {
      readonly type: 'ElementActivating'
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly elementType: string
      readonly flowScopeKey: Key
      /** Activated by a caught event (boundary event, event subprocess, event-gateway target). */
      readonly triggered?: boolean
      readonly loopRole?: 'body' | 'inner'
      /** A compensation handler run for this throw event. */
      readonly compensationFor?: Key
      readonly compensatesScope?: Key
      /** A completed subprocess instance entered again for compensation (see `revives`). */
      readonly revivesScope?: Key
      /** An event subprocess with several start events: the one that was triggered. */
      readonly startEventId?: string
      /** A cancel boundary event: the transaction instance whose cancellation it caught. */
      readonly cancelsTransaction?: Key
    }
  | {
      /** A completed activity became compensable. */
      readonly type: 'CompensationRecorded'
      readonly record: CompensationRecord
    }
  | {
      /** Compensation was thrown: these records are being compensated (each only once). */
      readonly type: 'CompensationTriggered'
      readonly throwerKey: Key
      readonly elementInstanceKeys: readonly Key[]
      /** Handlers the thrower waits for (0: it goes on at once). */
      readonly waitFor: number
      /** Handlers started one after the other once the first is done (the thrower holds them). */
      readonly queue?: readonly CompensationHandlerRef[]
    }
  | {
      /** A compensation handler finished; its thrower waits for one fewer. */
      readonly type: 'CompensationHandlerDone'
      readonly throwerKey: Key
    }
  | {
      /** A sequential ad-hoc subprocess's elements still to run (the first is being activated). */
      readonly type: 'AdHocQueued'
      readonly elementInstanceKey: Key
      readonly elementIds: readonly string[]
    }
  | {
      /** A loop body knows what it iterates over (count -1: a standard loop, open-ended). */
      readonly type: 'LoopStarted'
      readonly elementInstanceKey: Key
      readonly items: readonly JsonValue[] | null
      readonly count: number
    }
  | {
      readonly type: 'ElementActivated'
      readonly elementInstanceKey: Key
      readonly elementId: string
    }
  | {
      readonly type: 'ElementCompleting'
      readonly elementInstanceKey: Key
      readonly elementId: string
    }
  | {
      readonly type: 'ElementCompleted'
      readonly elementInstanceKey: Key
      readonly elementId: string
    }
  | {
      readonly type: 'ElementTerminated'
      readonly elementInstanceKey: Key
      readonly elementId: string
    }
  | {
      readonly type: 'SequenceFlowTaken'
      readonly flowId: string
      readonly sourceId: string
      readonly targetId: string
      readonly flowScopeKey: Key
    }
  | {
      /** A token arrived at a joining gateway and waits there. */
      readonly type: 'JoinTokenArrived'
      readonly gatewayId: string
      readonly flowId: string
      readonly flowScopeKey: Key
    }
  | {
      /**
       * A complex gateway's activation condition became true: it fired once, and the tokens that
       * arrive after it (until no more can) are consumed without firing again.
       */
      readonly type: 'ComplexGatewayFired'
      readonly gatewayId: string
      readonly flowScopeKey: Key
    }
  | {
      /** No more tokens can reach a fired complex gateway: it waits for its next activation. */
      readonly type: 'ComplexGatewayReset'
      readonly gatewayId: string
      readonly flowScopeKey: Key
    }
  | {
      /** A joining gateway fired: its waiting tokens are consumed. */
      readonly type: 'JoinTokensConsumed'
      readonly gatewayId: string
      readonly flowScopeKey: Key
      readonly flows: readonly string[]
    }
  | {
      readonly type: 'VariableSet'
      readonly scopeKey: Key
      readonly name: string
      readonly value: JsonValue
      /** True when the variable did not exist in that scope before. */
      readonly created: boolean
    }
  | {
      readonly type: 'JobCreated'
      readonly jobKey: Key
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly jobType: string
      readonly retries: number
      readonly headers: Readonly<Record<string, string>>
    }
  | { readonly type: 'JobCompleted'; readonly jobKey: Key }
  | {
      readonly type: 'JobFailed'
      readonly jobKey: Key
      readonly retries: number
      readonly errorMessage: string
      readonly retryBackoffMs: number
    }
  | { readonly type: 'JobRetriesUpdated'; readonly jobKey: Key; readonly retries: number }
  | {
      readonly type: 'JobErrorThrown'
      readonly jobKey: Key
      readonly errorCode: string
      readonly errorMessage: string
    }
  | { readonly type: 'JobCanceled'; readonly jobKey: Key }
  | {
      readonly type: 'UserTaskCreated'
      readonly userTaskKey: Key
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly name?: string
      readonly assignee: string | null
      readonly candidateUsers: readonly string[]
      readonly candidateGroups: readonly string[]
      readonly dueDate: string | null
      readonly followUpDate: string | null
      readonly priority: number
      readonly formKey: string | null
      readonly formId: string | null
    }
  | {
      readonly type: 'UserTaskAssigned'
      readonly userTaskKey: Key
      readonly assignee: string | null
    }
  | { readonly type: 'UserTaskCompleted'; readonly userTaskKey: Key; readonly variables: Variables }
  | { readonly type: 'UserTaskCanceled'; readonly userTaskKey: Key }
  | {
      readonly type: 'IncidentCreated'
      readonly incidentKey: Key
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly errorType: IncidentErrorType
      readonly errorMessage: string
      readonly step: IncidentRef['step']
      readonly jobKey?: Key
    }
  | {
      readonly type: 'IncidentResolved'
      readonly incidentKey: Key
      readonly elementInstanceKey: Key
    }
  | {
      readonly type: 'SubscriptionOpened'
      readonly subscription: Omit<SubscriptionState, 'lastValue'>
    }
  | { readonly type: 'SubscriptionClosed'; readonly subscriptionKey: Key }
  | {
      readonly type: 'SubscriptionTriggered'
      readonly subscriptionKey: Key
      readonly elementId: string
      readonly variables: Variables
    }
  | {
      /** A timer cycle fired and is due again; or a condition's last value changed. */
      readonly type: 'SubscriptionUpdated'
      readonly subscriptionKey: Key
      readonly dueAt: number | null
      readonly fired: number
      readonly lastValue?: boolean
    }
  | {
      readonly type: 'ErrorThrown'
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly errorCode: string
      readonly errorMessage: string
      /** The catch element, or null when nothing in this instance catches it. */
      readonly caughtBy: string | null
    }
  | {
      readonly type: 'EscalationThrown'
      /** The throw event; for an escalation passed up by a called instance, the call activity. */
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly escalationCode: string
      /** The catch element, or null when nothing in this instance catches it. */
      readonly caughtBy: string | null
      /** Set when a called instance passed the escalation up: that instance. */
      readonly childInstanceKey?: Key
    }
  | {
      /** A business rule task evaluated a DMN decision (the audit trail of the decision). */
      readonly type: 'DecisionEvaluated'
      readonly elementInstanceKey: Key
      readonly elementId: string
      readonly decisionId: string
      readonly decisionKey: Key
      readonly decisionVersion: number
      /** The input data values the decision read, by name (when the model declares them). */
      readonly inputs?: Variables
      readonly matchedRules: readonly MatchedDecisionRule[]
      /** The decision's outputs by decision name (the called decision and those it required). */
      readonly outputs: Variables
      /** The called decision's value, stored in the task's result variable. */
      readonly result: JsonValue
    }
  | {
      readonly type: 'ChildInstanceCreated'
      readonly elementInstanceKey: Key
      readonly childInstanceKey: Key
      readonly bpmnProcessId: string
    }

export type EngineEvent = EngineEventBody & EventBase
export type EngineEventType = EngineEvent['type']

export const IncidentErrorTypes = {
  expression: 'EXPRESSION_EVALUATION_ERROR',
  condition: 'CONDITION_ERROR',
  jobNoRetries: 'JOB_NO_RETRIES',
  unhandledError: 'UNHANDLED_ERROR_EVENT',
  calledElement: 'CALLED_ELEMENT_ERROR',
  ioMapping: 'IO_MAPPING_ERROR',
  extractValue: 'EXTRACT_VALUE_ERROR',
  calledDecision: 'CALLED_DECISION_ERROR',
  decisionEvaluation: 'DECISION_EVALUATION_ERROR',
} as const
export type IncidentErrorType = (typeof IncidentErrorTypes)[keyof typeof IncidentErrorTypes]

/** Something the runtime must do after (or within) the commit of a command's events. */
export type Effect =
  | {
      /** Another command for another instance (call activities), processed in the same batch. */
      readonly type: 'command'
      readonly command: Command
    }
  | {
      /**
       * A message thrown by the instance without a job (its message is caught in the same file):
       * the runtime publishes it like an API publication with no time to live.
       */
      readonly type: 'publishMessage'
      readonly messageName: string
      readonly correlationKey: string
      readonly variables: Variables
    }
  | {
      /** A signal thrown by the instance: the runtime broadcasts it to every subscription. */
      readonly type: 'broadcastSignal'
      readonly signalName: string
      readonly variables: Variables
      /** The throwing instance, whose own subscriptions were triggered within its step. */
      readonly excludeInstanceKey: Key
    }

/** What the outside world provides to the pure core. */
export interface EngineContext {
  /**
   * Called with every event just before it is applied, while the state still shows what it
   * changes. The runtime derives its table rows (jobs, tasks, incidents) here.
   */
  observe?(state: InstanceState, event: EngineEvent): void
  /** Current time in ms since the epoch (virtual in tests and simulation). */
  now(): number
  /** A fresh unique key. */
  nextKey(): Key
  /** Looks up a deployed process: by definition key, or the latest version of a BPMN process id. */
  processByKey(processDefinitionKey: Key): DeployedProcess | undefined
  /** Why a stored definition is not loaded (it failed to compile), when that is the case. */
  notLoadedReason?(processDefinitionKey: Key): string | undefined
  latestProcess(bpmnProcessId: string): DeployedProcess | undefined
  /**
   * Evaluates the latest version of a deployed DMN decision with these variables. Absent when the
   * runtime has no decisions: a business rule task calling one then raises an incident.
   */
  evaluateDecision?(decisionId: string, variables: Variables): DecisionOutcome
}

/** A rule of a decision table that matched (`ruleIndex` from 1). */
export interface MatchedDecisionRule {
  readonly decisionId: string
  readonly ruleIndex: number
  readonly ruleId: string | null
}

/** What evaluating a decision gave: its value and audit, or why it could not be evaluated. */
export type DecisionOutcome =
  | {
      readonly ok: true
      readonly decisionId: string
      readonly decisionKey: Key
      readonly decisionVersion: number
      readonly value: JsonValue
      readonly outputs: Variables
      readonly matchedRules: readonly MatchedDecisionRule[]
      readonly inputs?: Variables
    }
  | {
      readonly ok: false
      /** `notFound`: no such decision is deployed; `evaluation`: it failed while evaluating. */
      readonly reason: 'notFound' | 'evaluation'
      readonly message: string
    }

export interface DeployedProcess {
  readonly key: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly process: ExecutableProcess
}

export interface ProcessResult {
  readonly events: readonly EngineEvent[]
  readonly effects: readonly Effect[]
}
