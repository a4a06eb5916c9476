/**
 * What goes over the wire between Baton's server and its clients: the JSON bodies of the REST API
 * (the Camunda 8 REST v2 subset under `/v2`, and Baton's own under `/baton`). Keys are decimal
 * strings; dates are ISO 8601 strings. Both the server and the client import these, nothing else.
 */

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type Variables = Record<string, JsonValue>

/**
 * An int64 in a request: a JSON integer, or a decimal string as Camunda's own clients send Java
 * longs (`"10000"`). Responses carry plain numbers.
 */
export type Int64 = number | string

/** The only tenant Baton has. */
export const DEFAULT_TENANT = '<default>'

/** An RFC 9457 problem, as every error response carries it. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly instance: string
  /** A `BATON_*` code of the error catalogue (docs/errors.md). */
  readonly code: string
  /** For invalid requests: each field that was wrong. */
  readonly errors?: readonly { readonly field: string; readonly message: string }[]
  readonly details?: unknown
}

// ---------------------------------------------------------------------------------------------
// Search

export interface SearchPage {
  /** At most this many items (default 100, at most 1000). */
  readonly limit?: number
  /** The `endCursor` of the previous page. */
  readonly after?: string
}

export interface SearchSort<Field extends string = string> {
  readonly field: Field
  readonly order?: 'ASC' | 'DESC'
}

export interface SearchRequest<Filter> {
  readonly filter?: Filter
  /** Results are in key order; only the key field, ascending, is accepted. */
  readonly sort?: readonly SearchSort[]
  readonly page?: SearchPage
}

export interface SearchResult<Item> {
  readonly items: Item[]
  readonly page: {
    /** How many items match in all (counted up to 10000; beyond, `hasMoreTotalItems`). */
    readonly totalItems: number
    /** More items match than `totalItems` says. */
    readonly hasMoreTotalItems?: boolean
    /** An opaque cursor: pass it as `page.after` for the next page; absent on the last page. */
    readonly endCursor?: string
  }
}

// ---------------------------------------------------------------------------------------------
// Cluster

export interface TopologyResponse {
  readonly brokers: {
    readonly nodeId: number
    readonly host: string
    readonly port: number
    readonly partitions: {
      readonly partitionId: number
      readonly role: 'leader' | 'follower' | 'inactive'
      readonly health: 'healthy' | 'unhealthy' | 'dead'
    }[]
    readonly version: string
  }[]
  readonly clusterSize: number
  readonly partitionsCount: number
  readonly replicationFactor: number
  readonly gatewayVersion: string
  /** Camunda's last completed cluster change; always `"-1"` (Baton's topology never changes). */
  readonly lastCompletedChangeId: string
}

// ---------------------------------------------------------------------------------------------
// Deployments and definitions

export interface DeployedProcessWire {
  readonly processDefinitionId: string
  readonly processDefinitionVersion: number
  readonly processDefinitionKey: string
  readonly resourceName: string
  readonly tenantId: string
}

export interface DeployedDecisionWire {
  readonly decisionDefinitionId: string
  readonly version: number
  readonly name: string | null
  readonly decisionDefinitionKey: string
  readonly decisionRequirementsId: string
  readonly resourceName: string
  readonly tenantId: string
}

/** One deployed definition: a process, or a DMN decision (exactly one of the two is set). */
export interface DeploymentItemWire {
  readonly processDefinition?: DeployedProcessWire
  readonly decisionDefinition?: DeployedDecisionWire
}

/**
 * A warning of the model compiler on a deployed file (a Baton extension): e.g. a rule only an
 * executable process must keep, broken by a descriptive diagram, and what Baton does instead.
 */
export interface DeploymentWarningWire {
  /** The deployed file it is in. */
  readonly resourceName: string
  /** Stable rule id, e.g. `start-event-required`. */
  readonly rule: string
  /** The element it is on (absent for file-level warnings). */
  readonly elementId?: string
  /** Line in the file when known. */
  readonly line?: number
  readonly message: string
}

export interface DeploymentResponse {
  readonly deploymentKey: string
  readonly tenantId: string
  readonly deployments: readonly DeploymentItemWire[]
  /** The warnings of every deployed BPMN file, in file order; empty when there are none. */
  readonly warnings: readonly DeploymentWarningWire[]
}

// ---------------------------------------------------------------------------------------------
// Decisions

export interface EvaluateDecisionRequest {
  /** The DMN decision id (latest version); this or `decisionDefinitionKey`. */
  readonly decisionDefinitionId?: string
  readonly decisionDefinitionKey?: string
  readonly variables?: Variables
  readonly tenantId?: string
}

export interface MatchedRuleWire {
  readonly ruleId: string
  /** From 1, in table order. */
  readonly ruleIndex: number
}

export interface EvaluatedInputWire {
  readonly inputId: string
  readonly inputName: string
  /** The value as JSON text. */
  readonly inputValue: string
}

export interface EvaluatedDecisionWire {
  readonly decisionDefinitionId: string
  readonly decisionDefinitionKey: string
  readonly decisionDefinitionName: string | null
  readonly decisionDefinitionVersion: number
  /** The decision's value as JSON text. */
  readonly output: string
  readonly matchedRules: readonly MatchedRuleWire[]
  readonly evaluatedInputs: readonly EvaluatedInputWire[]
  readonly tenantId: string
}

export interface EvaluateDecisionResponse {
  readonly decisionDefinitionId: string
  readonly decisionDefinitionKey: string
  readonly decisionDefinitionName: string | null
  readonly decisionDefinitionVersion: number
  readonly decisionRequirementsId: string
  /** The called decision's value as JSON text (Camunda's convention). */
  readonly output: string
  /** The called decision first, then each decision it required that matched rules. */
  readonly evaluatedDecisions: readonly EvaluatedDecisionWire[]
  readonly tenantId: string
}

export interface ProcessDefinitionWire extends DeployedProcessWire {
  readonly name: string | null
  readonly deployedAt: string
}

// ---------------------------------------------------------------------------------------------
// Process instances

export type ProcessInstanceState = 'ACTIVE' | 'COMPLETED' | 'TERMINATED'

export interface CreateProcessInstanceRequest {
  /** The BPMN process id; this or `processDefinitionKey`. */
  readonly processDefinitionId?: string
  readonly processDefinitionKey?: string
  /** A specific version of `processDefinitionId` instead of the latest. */
  readonly processDefinitionVersion?: number
  readonly variables?: Variables
  readonly tenantId?: string
  /** Answer once the instance has ended, with its variables. */
  readonly awaitCompletion?: boolean
  /** With `awaitCompletion`: only these root variables. */
  readonly fetchVariables?: readonly string[]
  /** With `awaitCompletion`: give up after this many ms (the instance keeps running). */
  readonly requestTimeout?: Int64
  readonly businessKey?: string
}

export interface CreateProcessInstanceResponse {
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly processDefinitionId: string
  readonly processDefinitionVersion: number
  readonly tenantId: string
  /** With `awaitCompletion`: the root variables when the instance ended; else empty. */
  readonly variables: Variables
  /** With `awaitCompletion`: how it ended. */
  readonly state?: ProcessInstanceState
}

/** Under `/v2`, a field with no value is left out (Camunda's way), never `null`. */
export interface ProcessInstanceWire {
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly processDefinitionId: string
  /** The process name, or its id when it has none. */
  readonly processDefinitionName: string
  readonly processDefinitionVersion: number
  readonly state: ProcessInstanceState
  readonly startDate: string
  readonly endDate?: string
  readonly parentProcessInstanceKey?: string
  readonly businessKey?: string
  readonly hasIncident: boolean
  readonly tenantId: string
}

export interface ProcessInstanceFilter {
  readonly processInstanceKey?: string
  readonly processDefinitionId?: string
  readonly processDefinitionKey?: string
  readonly processDefinitionVersion?: number
  readonly parentProcessInstanceKey?: string
  readonly state?: ProcessInstanceState
  readonly hasIncident?: boolean
  readonly tenantId?: string
  /** Started at or after this time (ISO 8601 date-time). */
  readonly startedAfter?: string
  /** Started before this time (ISO 8601 date-time). */
  readonly startedBefore?: string
  readonly businessKey?: string
  /** Conditions on root variables, all of which must hold. */
  readonly variables?: readonly VariableFilterWire[]
}

/**
 * A condition on a root variable. `value` is JSON text, as in Camunda's API (`"100"` is the
 * number 100, `"\"gold\""` the string gold); text that is not JSON is taken as a string.
 * Without an operator the condition is equality. `path` reaches into an object variable.
 */
export interface VariableFilterWire {
  readonly name: string
  readonly value?: string
  readonly operator?: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'exists'
  readonly path?: readonly string[]
  /** The operands of `in`, each JSON text. */
  readonly values?: readonly string[]
}

// ---------------------------------------------------------------------------------------------
// Jobs

export interface ActivateJobsRequest {
  readonly type: string
  readonly worker?: string
  /** How long the jobs stay leased to this worker, ms. */
  readonly timeout: Int64
  readonly maxJobsToActivate: number
  /** Only these variables (default: every variable visible at the job's element). */
  readonly fetchVariable?: readonly string[]
  /**
   * Long polling: with no job to hand out, wait up to this many ms for one. 0 or absent: the
   * server's default (10 s); negative: answer at once.
   */
  readonly requestTimeout?: Int64
  readonly tenantIds?: readonly string[]
}

export interface ActivatedJobWire {
  readonly jobKey: string
  readonly type: string
  readonly processInstanceKey: string
  readonly processDefinitionId: string
  readonly processDefinitionVersion: number
  readonly processDefinitionKey: string
  readonly elementId: string
  readonly elementInstanceKey: string
  readonly customHeaders: Record<string, string>
  readonly worker: string
  readonly retries: number
  /** Lease expiry, ms since the epoch. */
  readonly deadline: number
  readonly variables: Variables
  readonly tenantId: string
  /** Always `BPMN_ELEMENT`: Baton has no execution or task listeners. */
  readonly kind: 'BPMN_ELEMENT'
  /** Always `UNSPECIFIED` (a listener job would say which event it listens to). */
  readonly listenerEventType: 'UNSPECIFIED'
}

export interface ActivateJobsResponse {
  readonly jobs: ActivatedJobWire[]
}

export interface CompleteJobRequest {
  readonly variables?: Variables
}

export interface FailJobRequest {
  /** Retries left (default 0: an incident is raised). */
  readonly retries?: number
  readonly errorMessage?: string
  /** Wait this many ms before the job is offered again. */
  readonly retryBackOff?: Int64
}

export interface ThrowJobErrorRequest {
  readonly errorCode: string
  readonly errorMessage?: string
  readonly variables?: Variables
}

// ---------------------------------------------------------------------------------------------
// Messages and signals

export interface PublishMessageRequest {
  readonly name: string
  /** Instances wait for a message by name and correlation key (default: empty). */
  readonly correlationKey?: string
  /** Keep the message this many ms for subscriptions that open later (default 0: do not keep). */
  readonly timeToLive?: Int64
  /** While a message with this id is kept, another with the same id is refused (409). */
  readonly messageId?: string
  readonly variables?: Variables
  readonly tenantId?: string
}

export interface PublishMessageResponse {
  readonly messageKey: string
  readonly tenantId: string
}

export interface CorrelateMessageRequest {
  readonly name: string
  readonly correlationKey?: string
  readonly variables?: Variables
  readonly tenantId?: string
}

export interface CorrelateMessageResponse {
  readonly messageKey: string
  readonly tenantId: string
}

export interface BroadcastSignalRequest {
  readonly signalName: string
  readonly variables?: Variables
  readonly tenantId?: string
}

export interface BroadcastSignalResponse {
  readonly signalKey: string
  readonly tenantId: string
}

export interface EvaluateConditionalsRequest {
  readonly variables: Variables
  /** Only this process definition; else the latest version of every process. */
  readonly processDefinitionKey?: string
  readonly tenantId?: string
}

export interface EvaluateConditionalsResponse {
  readonly conditionalEvaluationKey: string
  readonly tenantId: string
  readonly processInstances: readonly {
    readonly processDefinitionKey: string
    readonly processInstanceKey: string
  }[]
}

// ---------------------------------------------------------------------------------------------
// User tasks

export type UserTaskState = 'CREATED' | 'COMPLETED' | 'CANCELED'

export interface UserTaskWire {
  readonly userTaskKey: string
  readonly name?: string
  readonly state: UserTaskState
  readonly assignee?: string
  readonly candidateUsers: string[]
  readonly candidateGroups: string[]
  readonly elementId: string
  readonly elementInstanceKey: string
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly processDefinitionId: string
  /** A custom form key (`zeebe:formDefinition formKey`); Camunda's `formKey` is a numeric key. */
  readonly externalFormReference?: string
  /** A linked form's id (`zeebe:formDefinition formId`). */
  readonly formId?: string
  readonly dueDate?: string
  readonly followUpDate?: string
  readonly priority: number
  readonly creationDate: string
  readonly completionDate?: string
  readonly tenantId: string
}

export interface UserTaskFilter {
  readonly userTaskKey?: string
  readonly state?: UserTaskState
  readonly assignee?: string
  readonly candidateUser?: string
  readonly candidateGroup?: string
  readonly processInstanceKey?: string
  readonly processDefinitionId?: string
  readonly elementId?: string
  readonly tenantId?: string
}

export interface AssignUserTaskRequest {
  readonly assignee: string
  /** Take the task from whoever holds it (default true); false refuses a task someone else holds. */
  readonly allowOverride?: boolean
}

export interface CompleteUserTaskRequest {
  readonly variables?: Variables
}

// ---------------------------------------------------------------------------------------------
// Incidents

export type IncidentState = 'ACTIVE' | 'RESOLVED'

export interface IncidentWire {
  readonly incidentKey: string
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly processDefinitionId: string
  readonly elementId: string
  readonly elementInstanceKey: string
  readonly errorType: string
  readonly errorMessage: string
  readonly jobKey?: string
  readonly state: IncidentState
  readonly creationTime: string
  readonly tenantId: string
}

export interface IncidentFilter {
  readonly incidentKey?: string
  readonly processInstanceKey?: string
  readonly processDefinitionId?: string
  readonly state?: IncidentState
  readonly errorType?: string
  readonly elementId?: string
  readonly jobKey?: string
  readonly tenantId?: string
}

export interface ResolveIncidentRequest {
  /** For a job incident: the retries the job gets again (default 1). */
  readonly jobRetries?: number
}

// ---------------------------------------------------------------------------------------------
// Variables and element instances

export interface VariableWire {
  /** `<scopeKey>-<name>`: variables have no key of their own in Baton. */
  readonly variableKey: string
  readonly name: string
  /** The value as JSON text (Camunda style). */
  readonly value: string
  readonly isTruncated: false
  readonly scopeKey: string
  readonly processInstanceKey: string
  readonly tenantId: string
}

export interface VariableFilter {
  /** Required: variables are read from that instance's state. */
  readonly processInstanceKey: string
  readonly scopeKey?: string
  readonly name?: string
  readonly tenantId?: string
}

export type ElementInstanceState = 'ACTIVE' | 'COMPLETED' | 'TERMINATED'

export interface ElementInstanceWire {
  readonly elementInstanceKey: string
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly processDefinitionId: string
  readonly elementId: string
  /** The element's name in the model, or its id when it has none (as Camunda answers). */
  readonly elementName: string
  /** Camunda's element type names: `SERVICE_TASK`, `EXCLUSIVE_GATEWAY`... */
  readonly type: string
  readonly state: ElementInstanceState
  readonly flowScopeKey: string
  readonly startDate: string
  readonly endDate?: string
  readonly hasIncident: boolean
  readonly incidentKey?: string
  readonly tenantId: string
}

export interface ElementInstanceFilter {
  /** Required: element instances are read from that instance's state and event log. */
  readonly processInstanceKey: string
  readonly elementInstanceKey?: string
  readonly elementId?: string
  readonly state?: ElementInstanceState
  readonly type?: string
  readonly hasIncident?: boolean
  readonly tenantId?: string
}

// ---------------------------------------------------------------------------------------------
// Baton's own

/** One event of an instance's audit trail (the engine's event, as stored). */
export interface HistoryEventWire {
  readonly type: string
  readonly position: number
  /** ms since the epoch. */
  readonly at: number
  readonly [field: string]: JsonValue | undefined
}

export interface HistoryResponse {
  readonly processInstanceKey: string
  readonly items: HistoryEventWire[]
}

export interface ProcessDefinitionsResponse {
  readonly items: ProcessDefinitionWire[]
}

export interface HealthResponse {
  readonly status: 'ok'
  readonly uptimeSeconds: number
}
