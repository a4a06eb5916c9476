/**
 * Baton's public API.
 *
 * @example
 * import { Engine } from 'baton'
 * const engine = await Engine.open({ path: './.baton/baton.db' })
 */
export { Engine } from './runtime/engine.ts'
export type {
  ActivatedJob,
  Clock,
  CreateInstanceOptions,
  CreatedInstance,
  EngineOptions,
} from './runtime/engine.ts'
export { JobWorker } from './runtime/job-worker.ts'
export type { JobControls, JobHandler, JobWorkerOptions, WorkerJob } from './runtime/job-worker.ts'
export { formatProblems } from './runtime/definitions.ts'
export type {
  DeployedDefinition,
  Deployment,
  DeploymentWarning,
  DeployResource,
  NotLoadedDefinition,
} from './runtime/definitions.ts'
export type { DecisionEvaluation, DeployedDecision } from './runtime/decisions.ts'
export { BatonError, ErrorCatalogue } from './errors.ts'
export type { ErrorCode } from './errors.ts'
export { compileBpmn } from './model/index.ts'
export type { CompileResult, ExecutableProcess, ModelProblem } from './model/index.ts'
export { compileExpression } from './feel/compile.ts'
export type { CompiledExpression, FeelResult } from './feel/types.ts'
export { openSqliteStore } from './store/sqlite/sqlite-store.ts'
export { openPostgresStore } from './store/postgres/postgres-store.ts'
export { ConcurrencyConflictError } from './store/store.ts'
export type {
  DecisionDefinitionRecord,
  IncidentFilter,
  IncidentRecord,
  InstanceFilter,
  InstanceRecord,
  JobRecord,
  Page,
  ProcessDefinitionRecord,
  Store,
  UserTaskFilter,
  UserTaskRecord,
} from './store/store.ts'
export type {
  Command,
  DecisionOutcome,
  EngineEvent,
  EngineEventType,
  InstanceState,
  JsonValue,
  Key,
  MatchedDecisionRule,
  Variables,
} from './engine/types.ts'
