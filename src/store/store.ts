/**
 * The Store port: everything Baton persists goes through this interface, and SQL lives only in
 * its adapters (src/store/sqlite/, later src/store/postgres/). One contract test suite
 * (src/store/store-contract.ts) runs unchanged against every adapter.
 */
import type { ElementStatisticsDelta, StatisticsStore } from './statistics.ts'
import type { EngineEvent, InstanceState, InstanceStatus, JsonValue, Key } from '../engine/types.ts'
import type {
  BufferedMessageRecord,
  SubscriptionRecord,
  SubscriptionStore,
} from './subscriptions.ts'

export interface ProcessDefinitionRecord {
  readonly key: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly name: string | null
  readonly resourceName: string
  /** The BPMN XML as deployed. */
  readonly xml: string
  /** sha-256 hex of the XML of the resource. */
  readonly contentHash: string
  readonly deployedAt: number
}

/**
 * One version of a deployed DMN decision. Decisions are versioned by decision id like processes:
 * the resource's content hash makes a redeploy of the same file a no-op.
 */
export interface DecisionDefinitionRecord {
  readonly key: Key
  /** The DMN decision id (`decisionDefinitionId` in Camunda). */
  readonly decisionId: string
  readonly version: number
  readonly name: string | null
  /** The id of the DMN `definitions` element holding it (the decision requirements graph). */
  readonly decisionRequirementsId: string
  readonly resourceName: string
  /** The DMN XML as deployed (the whole file; it may hold several decisions). */
  readonly xml: string
  /** sha-256 hex of the XML of the resource. */
  readonly contentHash: string
  readonly deployedAt: number
}

/** An instance: the searchable index columns plus the state document. */
export interface InstanceRecord {
  readonly key: Key
  readonly processDefinitionKey: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly status: InstanceStatus
  readonly startedAt: number
  readonly endedAt: number | null
  readonly parentKey: Key | null
  readonly businessKey: string | null
  /** Whether the instance has at least one open incident. */
  readonly hasIncident: boolean
  /** Optimistic concurrency: incremented by every commit that changes the instance. */
  readonly stateVersion: number
  readonly state: InstanceState
}

export type JobStatus = 'activatable' | 'activated' | 'failed'

export interface JobRecord {
  readonly key: Key
  readonly instanceKey: Key
  readonly elementInstanceKey: Key
  readonly elementId: string
  readonly bpmnProcessId: string
  readonly processDefinitionKey: Key
  readonly type: string
  readonly retries: number
  readonly headers: Readonly<Record<string, string>>
  /** `failed`: no retries left (an incident is open). */
  readonly status: JobStatus
  /** Who holds the lease while `activated`. */
  readonly worker: string | null
  /** Lease expiry (ms since epoch) while `activated`; an expired lease makes the job activatable. */
  readonly deadline: number | null
  /** Not activatable before this time (retry backoff). */
  readonly retryAt: number | null
  readonly errorMessage: string | null
  readonly createdAt: number
}

export type UserTaskStatus = 'created' | 'completed' | 'canceled'

export interface UserTaskRecord {
  readonly key: Key
  readonly instanceKey: Key
  readonly elementInstanceKey: Key
  readonly elementId: string
  readonly name: string | null
  readonly bpmnProcessId: string
  readonly processDefinitionKey: Key
  readonly status: UserTaskStatus
  readonly assignee: string | null
  readonly candidateUsers: readonly string[]
  readonly candidateGroups: readonly string[]
  readonly dueDate: string | null
  readonly followUpDate: string | null
  readonly priority: number
  readonly formKey: string | null
  readonly formId: string | null
  readonly createdAt: number
  readonly endedAt: number | null
}

export type IncidentStatus = 'active' | 'resolved'

export interface IncidentRecord {
  readonly key: Key
  readonly instanceKey: Key
  readonly elementInstanceKey: Key
  readonly elementId: string
  readonly bpmnProcessId: string
  readonly processDefinitionKey: Key
  readonly errorType: string
  readonly errorMessage: string
  readonly jobKey: Key | null
  readonly status: IncidentStatus
  readonly createdAt: number
  readonly resolvedAt: number | null
}

/** Events appended to one instance's log by one commit; positions are contiguous. */
export interface EventBatchRecord {
  readonly instanceKey: Key
  /** Position of the first event in `events`. */
  readonly fromPosition: number
  readonly events: readonly EngineEvent[]
}

/** Everything one group commit writes, in one transaction. */
export interface CommitBatch {
  /**
   * Instances to insert (expectedStateVersion null) or update (the stored stateVersion must equal
   * expectedStateVersion, else the whole commit fails with ConcurrencyConflictError).
   */
  readonly instances: readonly {
    readonly record: InstanceRecord
    readonly expectedStateVersion: number | null
  }[]
  readonly events: readonly EventBatchRecord[]
  /** Jobs to insert or replace (by key), and jobs to delete (completed, canceled). */
  readonly jobPuts: readonly JobRecord[]
  readonly jobDeletes: readonly Key[]
  readonly userTaskPuts: readonly UserTaskRecord[]
  readonly incidentPuts: readonly IncidentRecord[]
  /** Subscriptions opened or changed (a timer cycle's next due time), and closed ones. */
  readonly subscriptionPuts?: readonly SubscriptionRecord[]
  readonly subscriptionDeletes?: readonly Key[]
  /** Messages buffered by this commit, and buffered messages consumed or deleted. */
  readonly messagePuts?: readonly BufferedMessageRecord[]
  readonly messageDeletes?: readonly Key[]
  /** What the batch adds to per-element counters (see statistics.ts). */
  readonly elementStatistics?: readonly ElementStatisticsDelta[]
  /**
   * Shared stores: what the batch's message correlation relied on. A shared store checks each
   * guard under a lock on its name and correlation key, and fails the commit with
   * ConcurrencyConflictError when another node's commit added a row the batch did not see (so a
   * message and the subscription waiting for it cannot miss each other on two nodes).
   */
  readonly correlationGuards?: readonly CorrelationGuard[]
  /**
   * Instances that messages with a correlation key started at a message start event (see
   * ActiveMessageStart). The commit fails with ConcurrencyConflictError when its process and
   * correlation key already have a row (another node started one first).
   */
  readonly messageStartPuts?: readonly ActiveMessageStart[]
  /** Rows of such instances that ended; written before the puts. */
  readonly messageStartDeletes?: readonly ActiveMessageStart[]
  /**
   * Shared stores: what the batch's message start decisions relied on, checked like
   * `correlationGuards` under a lock on the process id and correlation key.
   */
  readonly messageStartGuards?: readonly MessageStartGuard[]
  /**
   * Shared stores: timer start events the batch fired, with the due time it fired each for. The
   * commit fails with ConcurrencyConflictError unless each row still has that due time (another
   * node fired it first), so a start timer starts one instance per due time.
   */
  readonly timerGuards?: readonly TimerGuard[]
}

/**
 * An active instance that a message with a non-empty correlation key started at a message start
 * event: while it is active, no other message with that key starts an instance of the process
 * (of any version); such a message waits, buffered, until it ends (Camunda 8's rule).
 */
export interface ActiveMessageStart {
  readonly bpmnProcessId: string
  readonly correlationKey: string
  readonly instanceKey: Key
}

/**
 * `active`: the batch started no instance for a message because the process and correlation key
 * had an active one; fails if that row is gone (its instance ended on another node meanwhile, and
 * missed the message the batch buffers).
 * `ended`: the batch ended the active instance of the process and correlation key after seeing
 * only the buffered messages in `seen` (with one of the names of the process's message start
 * events); fails if another node buffered one more meanwhile.
 */
export type MessageStartGuard =
  | {
      readonly kind: 'active'
      readonly bpmnProcessId: string
      readonly correlationKey: string
    }
  | {
      readonly kind: 'ended'
      readonly bpmnProcessId: string
      readonly correlationKey: string
      readonly names: readonly string[]
      readonly seen: readonly Key[]
      /** Buffered messages expired at this time do not count. */
      readonly now: number
    }

export interface TimerGuard {
  readonly key: Key
  readonly dueAt: number
}

/**
 * `subscriptions`: the batch buffered a message after seeing only the subscriptions in `seen`.
 * `messages`: the batch opened a message subscription after seeing only the messages in `seen`.
 */
export interface CorrelationGuard {
  readonly kind: 'subscriptions' | 'messages'
  readonly name: string
  readonly correlationKey: string
  readonly seen: readonly Key[]
  /** Buffered messages expired at this time do not count. */
  readonly now: number
}

export interface Page {
  /** At most this many items (default 100). */
  readonly limit?: number
  /** Items strictly after this key, in key order (keyset paging). */
  readonly after?: Key
}

export interface InstanceFilter {
  readonly status?: InstanceStatus
  readonly bpmnProcessId?: string
  readonly processDefinitionKey?: Key
  readonly parentKey?: Key
  readonly hasIncident?: boolean
  /** Started at or after this time (ms since the epoch). */
  readonly startedAfter?: number
  /** Started before this time. */
  readonly startedBefore?: number
  readonly businessKey?: string
  readonly version?: number
  /** Conditions on the instance's root variables; all must hold. */
  readonly variables?: readonly VariableCondition[]
}

export type VariableOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'exists'

/**
 * A condition on a root variable, or on a value inside it (`path`: the property names leading
 * to it). eq/neq/in compare JSON values exactly (type and value); lt/lte/gt/gte compare numbers
 * with numbers and strings with strings (ISO dates order as strings); neq needs the value to
 * exist; exists is true for any value, null included.
 */
export interface VariableCondition {
  readonly name: string
  readonly path?: readonly string[]
  readonly operator: VariableOperator
  /** The operand (eq, neq, lt, lte, gt, gte). */
  readonly value?: JsonValue
  /** The operands of `in`. */
  readonly values?: readonly JsonValue[]
}

export interface UserTaskFilter {
  readonly status?: UserTaskStatus
  readonly assignee?: string
  /** Tasks whose candidate groups include this group. */
  readonly candidateGroup?: string
  /** Tasks whose candidate users include this user. */
  readonly candidateUser?: string
  readonly bpmnProcessId?: string
  readonly instanceKey?: Key
}

export interface IncidentFilter {
  readonly status?: IncidentStatus
  readonly instanceKey?: Key
  readonly bpmnProcessId?: string
}

export interface ActivateJobsRequest {
  readonly types: readonly string[]
  readonly worker: string
  /** Lease length: the job's deadline becomes now + timeoutMs. */
  readonly timeoutMs: number
  readonly now: number
  readonly max: number
}

/** A job lease to extend: the job stays leased to its worker until `deadline`. */
export interface JobLease {
  readonly key: Key
  readonly deadline: number
}

/** An instance's stored version as the caller knows it (null: not known, load it). */
export interface KnownInstance {
  readonly key: Key
  readonly stateVersion: number | null
}

/**
 * What `refreshInstances` found: the stored version, and the record when it differs from the
 * known one. Instances not stored are left out.
 */
export interface RefreshedInstance {
  readonly key: Key
  readonly stateVersion: number
  readonly record?: InstanceRecord
}

/** What another node's commit made ready (sent by stores shared by several nodes). */
export interface StoreWakeup {
  /** Types of jobs that became activatable. */
  readonly jobTypes: readonly string[]
  /** Timers were opened or moved. */
  readonly timers: boolean
  /** Process or decision definitions were deployed. */
  readonly deployed: boolean
}

/** Thrown by commit() when an instance was changed by someone else since it was loaded. */
export class ConcurrencyConflictError extends Error {
  constructor(readonly instanceKey: Key) {
    super(`instance ${instanceKey} was changed concurrently`)
    this.name = 'ConcurrencyConflictError'
  }
}

/**
 * A commit the store did not write because one called before it failed (see
 * Store.commitsInFlight): nothing of it was written; build it again on fresh state.
 */
export class CommitNotWrittenError extends Error {
  constructor() {
    super('an earlier commit failed: this one, built on its state, was not written')
    this.name = 'CommitNotWrittenError'
  }
}

export interface Store extends SubscriptionStore, StatisticsStore {
  /**
   * Whether several engine nodes may use this store at once (PostgreSQL). An engine on a shared
   * store revalidates cached instances, renews its job leases and never voids other nodes' leases.
   */
  readonly shared?: boolean

  /** Reserves `count` consecutive keys that no other caller will get; returns the first. */
  reserveKeys(count: number): Promise<number>

  saveProcessDefinitions(records: readonly ProcessDefinitionRecord[]): Promise<void>
  listProcessDefinitions(): Promise<ProcessDefinitionRecord[]>
  /** Saves decision definitions (replacing any with the same key). */
  saveDecisionDefinitions(records: readonly DecisionDefinitionRecord[]): Promise<void>
  /** Every saved decision definition, ordered by decision id then version. */
  listDecisionDefinitions(): Promise<DecisionDefinitionRecord[]>

  loadInstance(key: Key): Promise<InstanceRecord | undefined>
  /** Writes one batch atomically and durably (the promise resolves after the commit). */
  commit(batch: CommitBatch): Promise<void>
  /**
   * Whether a caller may build its next batch while a commit is under way (the engine then
   * overlaps them): `commit` has read everything it needs from the batch when it returns its
   * promise (the caller may change those objects after), commits run in the order they were
   * called, and every other method waits for the commits called before it.
   */
  readonly pipelinedCommits?: boolean
  /**
   * With pipelinedCommits: how many commits may be under way at once (default 1: the caller
   * awaits a commit before it calls the next). Above 1, a commit that fails makes the store
   * refuse, with CommitNotWrittenError, every commit called before its failure was seen and
   * until the caller has had a turn to react: those were built on state that did not commit.
   */
  readonly commitsInFlight?: number
  /**
   * With commitsInFlight above 1: the most commands the engine puts in one batch (where a
   * commit costs little beyond its rows, small batches keep both sides busy). Unset: the
   * engine's own limit.
   */
  readonly pipelinedBatchLimit?: number | undefined

  /**
   * Leases up to `max` jobs of the given types that are due now and marks them activated. A job is
   * due from its retryAt, or its creation when it has none, while activatable; from its lease's
   * deadline (and retryAt, if later) while activated; never once failed. Those due longest are
   * chosen first (due time, then key), so no due job waits behind a stream of newer ones; the
   * result is in key order. Found without visiting unexpired leases: workers may hold many.
   */
  activateJobs(request: ActivateJobsRequest): Promise<JobRecord[]>
  /** Earliest time a job of these types becomes activatable (retryAt or lease expiry), if any. */
  nextJobDueAt(types: readonly string[]): Promise<number | null>
  /** Makes every leased job activatable again (used when an embedded engine reopens its file). */
  releaseAllJobLeases(): Promise<number>
  getJob(key: Key): Promise<JobRecord | undefined>
  /**
   * Extends leases this worker still holds (status activated, same worker); returns how many.
   * Shared stores only: a node's heartbeat, so that its leases expire soon after it dies.
   */
  renewJobLeases?(worker: string, leases: readonly JobLease[]): Promise<number>
  /**
   * The stored versions of these instances, with the record of each whose version differs from
   * the known one: one round trip validates a batch's cached instances (shared stores).
   */
  refreshInstances?(known: readonly KnownInstance[]): Promise<RefreshedInstance[]>
  /**
   * Calls `onWakeup` when a commit (of any node) makes jobs activatable, opens timers or deploys;
   * resolves with a function that stops listening. Shared stores only (LISTEN/NOTIFY).
   */
  listen?(onWakeup: (wakeup: StoreWakeup) => void): Promise<() => Promise<void>>

  /**
   * History retention: deletes up to `limit` instances that ended (completed or terminated)
   * before `endedBefore`, with their events, jobs, user tasks, incidents and subscriptions;
   * returns how many instances were deleted. Call it again until it returns less than `limit`.
   */
  deleteEndedInstances(endedBefore: number, limit: number): Promise<number>

  queryInstances(filter: InstanceFilter, page?: Page): Promise<InstanceRecord[]>
  countInstances(filter: InstanceFilter): Promise<number>
  getUserTask(key: Key): Promise<UserTaskRecord | undefined>
  queryUserTasks(filter: UserTaskFilter, page?: Page): Promise<UserTaskRecord[]>
  getIncident(key: Key): Promise<IncidentRecord | undefined>
  queryIncidents(filter: IncidentFilter, page?: Page): Promise<IncidentRecord[]>
  /** The instance's whole event log, in position order. */
  readEvents(instanceKey: Key): Promise<EngineEvent[]>

  close(): Promise<void>
}
