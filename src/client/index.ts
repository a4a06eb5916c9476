/**
 * `baton/client`: talk to a Baton server from TypeScript, and run job workers remotely.
 *
 * @example
 * import { createClient } from 'baton/client'
 * const baton = createClient({ baseUrl: 'http://127.0.0.1:8080', token })
 * const worker = baton.worker('charge-card', async (job) => ({ charged: true }), { maxJobsActive: 8 })
 * await worker.close()
 */
export { BatonClient, createClient } from './client.ts'
export type { ClientOptions, DeployFile, RequestOptions } from './client.ts'
export { BatonHttpError, isTransientError } from './http-error.ts'
export { ClientJobWorker } from './worker.ts'
export type {
  ClientJob,
  ClientJobControls,
  ClientJobHandler,
  ClientWorkerOptions,
} from './worker.ts'
export { DEFAULT_TENANT } from './wire-types.ts'
export type {
  ActivateJobsRequest,
  ActivateJobsResponse,
  ActivatedJobWire,
  AssignUserTaskRequest,
  BroadcastSignalRequest,
  BroadcastSignalResponse,
  CompleteJobRequest,
  CompleteUserTaskRequest,
  CorrelateMessageRequest,
  CorrelateMessageResponse,
  CreateProcessInstanceRequest,
  CreateProcessInstanceResponse,
  DeployedDecisionWire,
  DeployedProcessWire,
  DeploymentItemWire,
  DeploymentResponse,
  DeploymentWarningWire,
  ElementInstanceFilter,
  ElementInstanceState,
  ElementInstanceWire,
  EvaluateDecisionRequest,
  EvaluateDecisionResponse,
  EvaluatedDecisionWire,
  EvaluatedInputWire,
  FailJobRequest,
  HealthResponse,
  HistoryEventWire,
  HistoryResponse,
  IncidentFilter,
  Int64,
  IncidentState,
  IncidentWire,
  JsonValue,
  MatchedRuleWire,
  Problem,
  ProcessDefinitionWire,
  ProcessDefinitionsResponse,
  ProcessInstanceFilter,
  ProcessInstanceState,
  ProcessInstanceWire,
  PublishMessageRequest,
  PublishMessageResponse,
  ResolveIncidentRequest,
  SearchPage,
  SearchRequest,
  SearchResult,
  SearchSort,
  ThrowJobErrorRequest,
  TopologyResponse,
  UserTaskFilter,
  UserTaskState,
  UserTaskWire,
  VariableFilter,
  VariableWire,
  Variables,
} from './wire-types.ts'
