/**
 * The impure loop around the pure core: queue commands, load state, run the core, commit the
 * batch (group commit), then hand new jobs to workers and wake whoever waits.
 */
import { randomUUID } from 'node:crypto'
import { visibleVariables } from '../engine/behaviors/variables.ts'
import { processCommand } from '../engine/process-command.ts'
import type {
  Command,
  DeployedProcess,
  EngineContext,
  EngineEvent,
  InstanceState,
  Key,
  Rejection,
  Variables,
} from '../engine/types.ts'
import { BatonError } from '../errors.ts'
import { CommitNotWrittenError, ConcurrencyConflictError } from '../store/store.ts'
import type {
  CommitBatch,
  DecisionDefinitionRecord,
  EventBatchRecord,
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
  StoreWakeup,
} from '../store/store.ts'
import type { DecisionEvaluation } from './decisions.ts'
import type {
  DeployedDefinition,
  Deployment,
  DeployResource,
  NotLoadedDefinition,
} from './definitions.ts'
import { Definitions } from './definitions.ts'
import { BatchProjection } from './projection.ts'
import type {
  BroadcastResult,
  CorrelationHost,
  PublishResult,
  RuntimeOperation,
} from './correlation.ts'
import {
  correlateBuffered,
  correlateNextStart,
  isRuntimeOperation,
  operationOf,
  runOperation,
} from './correlation.ts'
import type { SubscriptionRecord, SubscriptionStore } from '../store/subscriptions.ts'
import type { ElementStatisticsRecord, IncidentGroupRecord } from '../store/statistics.ts'
import { quantileOfBuckets } from '../store/statistics.ts'
import { firstDue, parseTimer } from '../engine/timers/timer-schedule.ts'
import type { JobHandler, JobWorkerOptions } from './job-worker.ts'
import { JobWorker } from './job-worker.ts'

/** Where time comes from; tests pass a fake one. */
export interface Clock {
  now(): number
}

export interface EngineOptions {
  /** A store; or use `path` to open the embedded SQLite store. */
  readonly store?: Store
  /** SQLite file path, or ':memory:' (default). Ignored when `store` is given. */
  readonly path?: string
  /** fsync every commit (default true). */
  readonly durable?: boolean
  readonly clock?: Clock
  /** Most commands in one transaction (default 2000). */
  readonly maxBatch?: number
  /** Queued commands beyond which new ones are refused with BATON_ENGINE_OVERLOADED (default 200000). */
  readonly maxQueue?: number
  /**
   * Most instances whose state stays in memory between commands (default 10000). Beyond it the
   * longest-cached ones are dropped after a commit and read from the store when a command next
   * needs them, so memory does not grow with the number of waiting instances.
   */
  readonly maxCachedInstances?: number
  /** How often idle workers look for due jobs (retry backoff, expired leases), ms (default 500). */
  readonly pollIntervalMs?: number
  /** This node's name in job leases. */
  readonly nodeId?: string
  /**
   * Shared stores (several nodes on one PostgreSQL): how long this node's job leases and timer
   * claims last without a heartbeat, ms (default 10000). The node renews them every third of it
   * while it lives; when it dies, other nodes take its jobs and timers over after at most this
   * long plus `pollIntervalMs`.
   */
  readonly leaseMs?: number
  /**
   * History retention: data of instances that ended more than this many days ago is deleted
   * (in batches, at open and then every `housekeepingIntervalMs`). Default: kept forever.
   */
  readonly retentionDays?: number
  /** How often housekeeping runs, ms (default one hour). */
  readonly housekeepingIntervalMs?: number
  /** Called when a command hits a bug in the engine (the instance is left as it was committed). */
  readonly onInternalError?: (error: unknown, command: Command | RuntimeOperation) => void
}

/** What one group commit changed, as the change feed tells it (see `Engine.onChange`). */
export type EngineChange =
  | {
      readonly kind: 'events'
      /** Each instance the commit touched, with the events appended to its log. */
      readonly instances: readonly {
        readonly instanceKey: Key
        readonly processDefinitionKey: Key
        readonly bpmnProcessId: string
        readonly events: readonly EngineEvent[]
      }[]
    }
  | { readonly kind: 'deployment'; readonly processes: readonly DeployedDefinition[] }

export interface CreateInstanceOptions {
  readonly variables?: Variables
  /** A specific version instead of the latest. */
  readonly version?: number
  readonly businessKey?: string
  /** Resolve only once the instance has ended; the result then carries its final variables. */
  readonly awaitCompletion?: boolean
  /**
   * The none start event to start at, for a process with several (BPMN lets a process offer
   * several ways in); a process with one starts there without it.
   */
  readonly startEventId?: string
}

export interface CreatedInstance {
  readonly instanceKey: Key
  readonly processDefinitionKey: Key
  readonly bpmnProcessId: string
  readonly version: number
  /** With `awaitCompletion`: how the instance ended and its root variables. */
  readonly status?: 'completed' | 'terminated'
  readonly variables?: Variables
}

/** An instance started by `evaluateConditionals`, and the conditional start event it began at. */
export interface ConditionalStart {
  readonly instanceKey: Key
  readonly processDefinitionKey: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly startEventId: string
}

/** What `evaluateConditionals` did: a key for the evaluation and the instances it started. */
export interface ConditionalEvaluation {
  readonly key: Key
  readonly instances: readonly ConditionalStart[]
}

interface QueuedCommand {
  readonly command: Command | RuntimeOperation
  resolve(result: unknown): void
  reject(error: unknown): void
  /** Commits of this command that failed on a concurrent change (shared stores). */
  conflicts?: number
}

/** After this many conflicting commits in a row a command is refused (BATON_STORE_CONFLICT). */
const MAX_CONFLICTS = 25

interface CachedInstance {
  readonly state: InstanceState
  stateVersion: number
  /** Not yet in the store (created in the batch being built). */
  isNew: boolean
}

/** A batch run on the cached state, with the commit that writes it. */
interface PreparedBatch {
  readonly commit: CommitBatch
  readonly dirty: Map<Key, DirtyInstance>
  readonly outcomes: { queued: QueuedCommand; events: unknown }[]
  readonly projection: BatchProjection
  /** Jobs local workers took in this batch, by type. */
  readonly claims: ReadonlyMap<string, number>
  /** Those jobs with their variables as this batch left them. */
  readonly activated: ReadonlyMap<Key, ActivatedJob> | undefined
}

interface DirtyInstance {
  readonly cached: CachedInstance
  readonly expectedStateVersion: number | null
  readonly fromPosition: number
  readonly events: EngineEvent[]
}

const systemClock: Clock = { now: () => Date.now() }
/** Queued commands from which an idle pipelined engine splits them over two batches. */
const PIPELINE_SPLIT = 64
const KEY_BLOCK = 100_000
/** Keys carry their partition in the high bits (Zeebe style), so a sharded store can route by key. */
const PARTITION_BASE = 2 ** 51

/**
 * A Baton engine: deploy BPMN, start instances, work jobs and user tasks.
 *
 * @example
 * const engine = await Engine.open({ path: './.baton/baton.db' })
 * await engine.deploy([{ name: 'order.bpmn', xml }])
 * engine.worker('charge-card', async (job) => ({ charged: true }))
 * const { instanceKey } = await engine.createInstance('order', { variables: { amount: 42 } })
 */
export class Engine {
  readonly nodeId: string
  private readonly clock: Clock
  private readonly maxBatch: number
  private readonly maxQueue: number
  private readonly maxCachedInstances: number
  private readonly pollIntervalMs: number
  private queue: QueuedCommand[] = []
  private flushing = false
  /** A commit failed since the flush loop last looked (see flush; pipelined engines only). */
  private commitFailed = false
  private flushScheduled = false
  private closed = false
  private readonly cache = new Map<Key, CachedInstance>()
  private readonly workers = new Map<string, JobWorker[]>()
  private readonly completionWaiters = new Map<Key, ((state: InstanceState) => void)[]>()
  private nextKeyValue = 0
  private keyLimit = 0
  private readonly context: EngineContext
  private projection: BatchProjection | undefined
  private idleWaiters: (() => void)[] = []
  private pollTimer: NodeJS.Timeout | undefined
  private readonly counters = { batches: 0, commands: 0, commitMs: 0, conflicts: 0 }
  /** Jobs local workers took in batches still being committed, by type. */
  private readonly claimsInFlight = new Map<string, number>()
  /** Several nodes share the store: revalidate cached state, heartbeat leases, claim timers. */
  private readonly shared: boolean
  private readonly leaseMs: number
  /** Jobs this node's workers are handling: key -> when the worker's own timeout ends. */
  private readonly heldLeases = new Map<Key, number>()
  private heartbeatTimer: NodeJS.Timeout | undefined
  private housekeepingTimer: NodeJS.Timeout | undefined
  private stopListening: (() => Promise<void>) | undefined
  private readonly changeListeners = new Set<(change: EngineChange) => void>()

  private constructor(
    readonly store: Store,
    private readonly definitions: Definitions,
    private readonly options: EngineOptions,
  ) {
    this.clock = options.clock ?? systemClock
    this.maxBatch = options.maxBatch ?? 2000
    this.maxQueue = options.maxQueue ?? 200_000
    this.maxCachedInstances = Math.max(0, options.maxCachedInstances ?? 10_000)
    this.pollIntervalMs = options.pollIntervalMs ?? 500
    this.nodeId = options.nodeId ?? `baton-${randomUUID().slice(0, 8)}`
    this.shared = store.shared === true
    this.leaseMs = options.leaseMs ?? 10_000
    if (!Number.isFinite(this.leaseMs) || this.leaseMs < 100) {
      throw new BatonError(
        'BATON_VARIABLES_INVALID',
        `leaseMs must be at least 100 ms, got ${String(options.leaseMs)}`,
      )
    }
    this.context = {
      now: () => this.clock.now(),
      nextKey: () => this.nextKey(),
      processByKey: (key) => this.definitions.byDefinitionKey(key),
      notLoadedReason: (key) => this.definitions.notLoadedReason(key),
      latestProcess: (id) => this.definitions.latestOf(id),
      evaluateDecision: (id, variables) => this.definitions.decisions.evaluate(id, variables),
      observe: (state, event) => this.projection?.observe(state, event),
    }
  }

  /** Opens an engine on a store (the embedded SQLite file by default) and resumes its work. */
  static async open(options: EngineOptions = {}): Promise<Engine> {
    let store = options.store
    if (!store) {
      const { openSqliteStore } = await import('../store/sqlite/sqlite-store.ts')
      store = await openSqliteStore({
        path: options.path ?? ':memory:',
        durable: options.durable ?? true,
      })
      // An embedded store has one owner: leases held by a previous (crashed) process are void.
      await store.releaseAllJobLeases()
    }
    const definitions = await Definitions.load(store)
    const engine = new Engine(store, definitions, options)
    await engine.reserveKeys()
    engine.pollTimer = setInterval(() => engine.pollWorkers(), engine.pollIntervalMs)
    engine.pollTimer.unref()
    if (engine.shared) await engine.joinCluster()
    engine.scheduleTimers()
    engine.startHousekeeping()
    return engine
  }

  /**
   * On a shared store: wake on other nodes' commits (LISTEN/NOTIFY), and renew this node's job
   * leases every third of `leaseMs` while it lives.
   */
  private async joinCluster(): Promise<void> {
    if (typeof this.store.listen === 'function') {
      this.stopListening = await this.store.listen((wakeup) => this.onWakeup(wakeup))
    }
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.floor(this.leaseMs / 3))
    this.heartbeatTimer.unref()
  }

  private onWakeup(wakeup: StoreWakeup): void {
    if (this.closed) return
    if (wakeup.deployed) void this.refreshDefinitions().catch(() => undefined)
    if (wakeup.timers) this.scheduleTimers()
    const all = wakeup.jobTypes.includes('*')
    for (const [type, list] of this.workers) {
      if (all || wakeup.jobTypes.includes(type)) for (const worker of list) worker.wake()
    }
  }

  /** Renews the leases of the jobs this node's workers are handling. */
  private async heartbeat(): Promise<void> {
    if (this.closed || this.heldLeases.size === 0 || !this.store.renewJobLeases) return
    const now = this.clock.now()
    const leases = [...this.heldLeases].map(([key, until]) => ({
      key,
      deadline: Math.min(now + this.leaseMs, until),
    }))
    await this.store.renewJobLeases(this.nodeId, leases).catch(() => undefined)
  }

  /** @internal How long a lease a worker with this timeout takes (shorter on shared stores). */
  leaseFor(timeoutMs: number): number {
    return this.shared ? Math.min(timeoutMs, this.leaseMs) : timeoutMs
  }

  /** @internal A local worker started a job: keep its lease alive until its timeout. */
  holdLease(jobKey: Key, timeoutMs: number): void {
    if (this.shared) this.heldLeases.set(jobKey, this.clock.now() + timeoutMs)
  }

  /** @internal A local worker is done with a job. */
  releaseLease(jobKey: Key): void {
    this.heldLeases.delete(jobKey)
  }

  private definitionsRefresh: Promise<void> | undefined

  /** Loads definitions another node deployed. */
  private async refreshDefinitions(): Promise<void> {
    this.definitionsRefresh ??= this.definitions.refresh().finally(() => {
      this.definitionsRefresh = undefined
    })
    await this.definitionsRefresh
  }

  private startHousekeeping(): void {
    const days = this.options.retentionDays
    if (days === undefined) return
    if (!Number.isFinite(days) || days < 0) {
      throw new BatonError(
        'BATON_VARIABLES_INVALID',
        `retentionDays must be a non-negative number of days, got ${String(days)}`,
      )
    }
    const run = (): void => void this.deleteHistory(days).catch(() => undefined)
    this.housekeepingTimer = setInterval(run, this.options.housekeepingIntervalMs ?? 3_600_000)
    this.housekeepingTimer.unref()
    setImmediate(run)
  }

  /**
   * Deletes the data of instances that ended more than `days` days ago, 1000 at a time (so that
   * no transaction holds locks long); returns how many instances were deleted.
   *
   * @example
   * const deleted = await engine.deleteHistory(30)
   */
  async deleteHistory(days: number): Promise<number> {
    const before = this.clock.now() - days * 86_400_000
    let total = 0
    for (;;) {
      if (this.closed) return total
      const deleted = await this.store.deleteEndedInstances(before, 1000)
      total += deleted
      if (deleted < 1000) return total
    }
  }

  // -------------------------------------------------------------------------------------------
  // Deployments and instances

  /**
   * Validates and deploys BPMN and DMN resources, all or nothing; identical content is a no-op.
   * Returns the processes; `deployResources` also tells what happened to the decisions, and
   * returns the compiler's warnings (e.g. the rules relaxed for a descriptive diagram).
   *
   * @example
   * await engine.deploy([{ name: 'order.bpmn', xml }, { name: 'risk.dmn', xml: dmn }])
   */
  async deploy(
    resources: readonly DeployResource[] | DeployResource,
  ): Promise<DeployedDefinition[]> {
    return [...(await this.deployResources(resources)).processes]
  }

  /**
   * Like `deploy`, returning the deployed processes and decisions, and the warnings of the BPMN
   * files: a file without any executable process deploys as a descriptive diagram, where the
   * rules only executable processes must keep are warnings saying what Baton does instead.
   * Decisions are versioned by decision id: the same file again is a no-op, changed content is
   * the next version, which business rule tasks call from then on.
   *
   * @example
   * const { decisions, warnings } = await engine.deployResources({ name: 'risk.dmn', xml })
   * console.log(decisions.map((d) => `${d.decisionId} v${d.version}`))
   * for (const w of warnings) console.warn(formatProblems(w.resourceName, [w]))
   */
  async deployResources(
    resources: readonly DeployResource[] | DeployResource,
  ): Promise<Deployment> {
    this.assertOpen()
    const list = Array.isArray(resources) ? resources : [resources as DeployResource]
    if (this.keyLimit - this.nextKeyValue < list.length * 10) await this.reserveKeys()
    const previous = new Map<string, Key>()
    for (const d of this.definitions.list()) {
      const latest = this.definitions.latestOf(d.bpmnProcessId)
      if (latest) previous.set(d.bpmnProcessId, latest.key)
    }
    const deployment = await this.definitions.deploy(list, () => this.nextKey(), this.clock.now())
    await this.openStartSubscriptions(
      deployment.processes.filter((d) => d.isNew),
      previous,
    )
    const created = deployment.processes.filter((d) => d.isNew)
    if (created.length > 0) this.notify({ kind: 'deployment', processes: created })
    return deployment
  }

  /**
   * Calls `listener` after every commit with what it appended to instances' logs, and after
   * every deployment of a new process version: the feed behind live views. Returns the
   * function that stops it. A listener must be quick; one that throws is ignored.
   *
   * @example
   * const stop = engine.onChange((change) => console.log(change.kind))
   */
  onChange(listener: (change: EngineChange) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  private notify(change: EngineChange): void {
    for (const listener of this.changeListeners) {
      try {
        listener(change)
      } catch {
        // A listener's failure is its own; the engine goes on.
      }
    }
  }

  private notifyCommit(commit: CommitBatch): void {
    const definitions = new Map<Key, InstanceRecord>()
    for (const { record } of commit.instances) definitions.set(record.key, record)
    const instances = []
    for (const batch of commit.events) {
      const record = definitions.get(batch.instanceKey)
      if (!record) continue
      instances.push({
        instanceKey: batch.instanceKey,
        processDefinitionKey: record.processDefinitionKey,
        bpmnProcessId: record.bpmnProcessId,
        events: batch.events,
      })
    }
    if (instances.length > 0) this.notify({ kind: 'events', instances })
  }

  /** Every deployed decision version, ordered by decision id then version. */
  decisionDefinitions(): DecisionDefinitionRecord[] {
    return this.definitions.decisions.list()
  }

  decisionDefinition(key: Key): DecisionDefinitionRecord | undefined {
    return this.definitions.decisions.record(key)
  }

  /**
   * Evaluates a deployed DMN decision (the latest version, or `version`) with these variables:
   * its result, the outputs of every decision on the way, and the rules that matched.
   * Throws BATON_DECISION_NOT_FOUND or BATON_DECISION_EVALUATION_FAILED.
   *
   * @example
   * const { result, matchedRules } = await engine.evaluateDecision('risk', { amount: 1200 })
   */
  async evaluateDecision(
    decisionId: string,
    variables: Variables = {},
    options: { readonly version?: number } = {},
  ): Promise<DecisionEvaluation> {
    this.assertOpen()
    const outcome = this.definitions.decisions.evaluate(decisionId, variables, options.version)
    if (!outcome.ok) {
      throw outcome.reason === 'notFound'
        ? new BatonError(
            'BATON_DECISION_NOT_FOUND',
            `${outcome.message}; deploy its DMN file first`,
          )
        : new BatonError(
            'BATON_DECISION_EVALUATION_FAILED',
            `decision '${decisionId}' could not be evaluated: ${outcome.message}`,
          )
    }
    const record = this.definitions.decisions.record(outcome.decisionKey)
    return {
      decisionKey: outcome.decisionKey,
      decisionId: outcome.decisionId,
      decisionName: record?.name ?? null,
      version: outcome.decisionVersion,
      decisionRequirementsId: record?.decisionRequirementsId ?? '',
      result: outcome.value,
      outputs: outcome.outputs,
      matchedRules: outcome.matchedRules,
      ...(outcome.inputs === undefined ? {} : { inputs: outcome.inputs }),
    }
  }

  /**
   * Message, timer and signal start events of newly deployed versions wait for their event; the
   * previous version's start events stop waiting (new instances use the latest version).
   */
  private async openStartSubscriptions(
    deployed: readonly DeployedDefinition[],
    previous: ReadonlyMap<string, Key>,
  ): Promise<void> {
    const store = this.store as Store & Partial<SubscriptionStore>
    const puts: SubscriptionRecord[] = []
    const deletes: Key[] = []
    const now = this.clock.now()
    for (const definition of deployed) {
      const process = this.definitions.byDefinitionKey(definition.key)?.process
      if (!process) continue
      const starts = (process.startEventIds ?? [])
        .map((id) => process.nodes.get(id))
        .filter((node) => node?.eventDefinition !== undefined)
      const before = previous.get(definition.bpmnProcessId)
      if (before && before !== definition.key && typeof store.startSubscriptionsOf === 'function') {
        for (const old of await store.startSubscriptionsOf(before)) deletes.push(old.key)
      }
      if (starts.length === 0) continue
      this.subscriptionStore()
      for (const node of starts) {
        const event = node?.eventDefinition
        if (!node || !event) continue
        const base = {
          key: this.nextKey(),
          instanceKey: null,
          processDefinitionKey: definition.key,
          bpmnProcessId: definition.bpmnProcessId,
          elementId: node.id,
          correlationKey: null,
          createdAt: now,
        }
        const literal = (value: { kind: 'feel' | 'literal' } & ({ value: string } | object)) =>
          value.kind === 'literal' ? (value as { value: string }).value : undefined
        if (event.type === 'message' || event.type === 'signal') {
          const name = literal(event.type === 'message' ? event.messageName : event.signalName)
          if (name === undefined) {
            throw new BatonError(
              'BATON_MODEL_INVALID',
              `start event '${node.id}' of '${definition.bpmnProcessId}': a start event's ${event.type} name must be a literal, not FEEL`,
            )
          }
          puts.push({ ...base, kind: event.type, name, dueAt: null, payload: null })
        } else if (event.type === 'timer') {
          const value = event.timer.value
          let text = literal(value)
          if (text === undefined && value.kind === 'feel') {
            const result = value.expression.evaluate({}, { now: () => new Date(now) })
            text = result.ok && typeof result.value === 'string' ? result.value : undefined
          }
          const parsed = parseTimer(event.timer.kind, text ?? '')
          if (!parsed.ok) {
            throw new BatonError(
              'BATON_MODEL_INVALID',
              `the timer of start event '${node.id}' of '${definition.bpmnProcessId}' is invalid: ${parsed.error}`,
            )
          }
          const dueAt = firstDue(parsed.schedule, now)
          if (dueAt === null) continue
          puts.push({
            ...base,
            kind: 'timer',
            name: null,
            dueAt,
            payload: { schedule: parsed.schedule, fired: 0 },
          })
        }
      }
    }
    if (puts.length === 0 && deletes.length === 0) return
    await this.store.commit({
      instances: [],
      events: [],
      jobPuts: [],
      jobDeletes: [],
      userTaskPuts: [],
      incidentPuts: [],
      subscriptionPuts: puts,
      subscriptionDeletes: deletes,
    })
    this.scheduleTimers()
  }

  processDefinitions(): ProcessDefinitionRecord[] {
    return this.definitions.list()
  }

  /**
   * Stored process definitions this Baton could not compile (deployed by a version whose compiler
   * accepted them): they are not listed or started, and their instances are refused with the
   * reason. Empty in the common case; `baton start` prints them.
   */
  definitionsNotLoaded(): readonly NotLoadedDefinition[] {
    return this.definitions.notLoaded()
  }

  processDefinition(key: Key): ProcessDefinitionRecord | undefined {
    return this.definitions.record(key)
  }

  /** The `name` of an element of a deployed process definition, if it has one. */
  elementName(processDefinitionKey: Key, elementId: string): string | undefined {
    return this.definitions.byDefinitionKey(processDefinitionKey)?.process.nodes.get(elementId)
      ?.name
  }

  /** Starts an instance of the latest (or a given) version of a process; resolves once committed. */
  async createInstance(
    bpmnProcessId: string,
    options: CreateInstanceOptions = {},
  ): Promise<CreatedInstance> {
    const find = () =>
      options.version === undefined
        ? this.definitions.latestOf(bpmnProcessId)
        : this.definitions.version(bpmnProcessId, options.version)
    let deployed = find()
    if (!deployed && this.shared) {
      await this.refreshDefinitions() // deployed by another node
      deployed = find()
    }
    if (!deployed) {
      throw new BatonError(
        'BATON_PROCESS_NOT_FOUND',
        `no process '${bpmnProcessId}'${options.version === undefined ? '' : ` version ${options.version}`} is deployed; deploy its BPMN file first`,
      )
    }
    return this.createInstanceOf(deployed, options)
  }

  /** Starts an instance of a process definition given by key. */
  async createInstanceByKey(
    processDefinitionKey: Key,
    options: CreateInstanceOptions = {},
  ): Promise<CreatedInstance> {
    let deployed = this.definitions.byDefinitionKey(processDefinitionKey)
    if (!deployed && this.shared) {
      await this.refreshDefinitions()
      deployed = this.definitions.byDefinitionKey(processDefinitionKey)
    }
    if (!deployed) {
      throw new BatonError(
        'BATON_PROCESS_NOT_FOUND',
        `no process definition with key ${processDefinitionKey} is deployed`,
      )
    }
    return this.createInstanceOf(deployed, options)
  }

  private async createInstanceOf(
    deployed: DeployedProcess,
    options: CreateInstanceOptions,
  ): Promise<CreatedInstance> {
    if (options.variables !== undefined) assertVariables(options.variables)
    if (this.keyLimit - this.nextKeyValue < 1000) await this.reserveKeys()
    const instanceKey = this.nextKey()
    const ended = options.awaitCompletion ? this.whenEnded(instanceKey) : undefined
    await this.submit({
      type: 'CreateInstance',
      instanceKey,
      processDefinitionKey: deployed.key,
      ...(options.variables === undefined ? {} : { variables: options.variables }),
      ...(options.businessKey === undefined ? {} : { businessKey: options.businessKey }),
      ...(options.startEventId === undefined ? {} : { startEventId: options.startEventId }),
    })
    const created = {
      instanceKey,
      processDefinitionKey: deployed.key,
      bpmnProcessId: deployed.bpmnProcessId,
      version: deployed.version,
    }
    if (!ended) return created
    const state = await ended
    return {
      ...created,
      status: state.status === 'terminated' ? 'terminated' : 'completed',
      variables: state.variables[state.key] ?? {},
    }
  }

  /** Resolves with the state once the instance ends; register before the instance can end. */
  private whenEnded(instanceKey: Key): Promise<InstanceState> {
    return new Promise<InstanceState>((resolve) => {
      const list = this.completionWaiters.get(instanceKey) ?? []
      list.push(resolve)
      this.completionWaiters.set(instanceKey, list)
    })
  }

  /** Resolves with the final state once the instance has completed or was terminated. */
  async awaitInstance(instanceKey: Key): Promise<InstanceRecord> {
    const record = await this.getInstance(instanceKey)
    if (!record)
      throw new BatonError(
        'BATON_INSTANCE_NOT_FOUND',
        `no process instance with key ${instanceKey}`,
      )
    if (record.status !== 'active') return record
    const ended = this.whenEnded(instanceKey)
    // It may have ended between the read and the registration.
    const again = await this.getInstance(instanceKey)
    if (again && again.status !== 'active') return again
    await ended
    return (await this.getInstance(instanceKey)) as InstanceRecord
  }

  async cancelInstance(instanceKey: Key): Promise<void> {
    await this.submit({ type: 'CancelInstance', instanceKey })
  }

  /** Sets variables on the instance (or an element instance scope). */
  async setVariables(
    instanceKey: Key,
    variables: Variables,
    options: { scopeKey?: Key; local?: boolean } = {},
  ): Promise<void> {
    assertVariables(variables)
    await this.submit({
      type: 'SetVariables',
      instanceKey,
      scopeKey: options.scopeKey ?? instanceKey,
      variables,
      ...(options.local === undefined ? {} : { local: options.local }),
    })
  }

  async getInstance(instanceKey: Key): Promise<InstanceRecord | undefined> {
    return this.store.loadInstance(instanceKey)
  }

  async instances(filter: InstanceFilter = {}, page?: Page): Promise<InstanceRecord[]> {
    return this.store.queryInstances(filter, page)
  }

  /** The instance's audit trail: every event, oldest first. */
  /**
   * Per element of a process definition: element instances active, completed and terminated,
   * open incidents, and the average and 95th percentile duration of the completed ones (the p95
   * within about 10%: durations are kept as a histogram). The process itself is not listed: see
   * processDefinitionStatistics.
   */
  async elementStatistics(processDefinitionKey: Key): Promise<ElementStatistics[]> {
    const definition = this.definitions.byDefinitionKey(processDefinitionKey)
    if (!definition) {
      throw new BatonError(
        'BATON_PROCESS_NOT_FOUND',
        `no process definition with key ${processDefinitionKey}`,
      )
    }
    const records = await this.store.elementStatistics(processDefinitionKey)
    return records
      .filter((record) => record.elementId !== definition.bpmnProcessId)
      .map(summarizeElement)
  }

  /**
   * Per deployed process version: instances active, completed, terminated, with open incidents,
   * and active for longer than `waitingLongerThanMs`; the completed ones' average and p95 cycle
   * time. Versions without instances are listed with zeros.
   */
  async processDefinitionStatistics(
    options: { waitingLongerThanMs?: number } = {},
  ): Promise<ProcessDefinitionStatistics[]> {
    const waitingSince = this.clock.now() - (options.waitingLongerThanMs ?? 24 * 3600_000)
    const counts = new Map(
      (await this.store.processDefinitionStatistics(waitingSince)).map((r) => [
        r.processDefinitionKey,
        r,
      ]),
    )
    const result: ProcessDefinitionStatistics[] = []
    for (const definition of this.processDefinitions()) {
      const count = counts.get(definition.key)
      let cycle: { averageDurationMs: number | null; p95DurationMs: number | null } = {
        averageDurationMs: null,
        p95DurationMs: null,
      }
      if (count && count.completed > 0) {
        const own = (await this.store.elementStatistics(definition.key)).find(
          (record) => record.elementId === definition.bpmnProcessId,
        )
        if (own) cycle = summarizeElement(own)
      }
      result.push({
        processDefinitionKey: definition.key,
        bpmnProcessId: definition.bpmnProcessId,
        version: definition.version,
        name: definition.name,
        active: count?.active ?? 0,
        completed: count?.completed ?? 0,
        terminated: count?.terminated ?? 0,
        withIncidents: count?.withIncidents ?? 0,
        waitingLongerThan: count?.waitingSince ?? 0,
        averageDurationMs: cycle.averageDurationMs,
        p95DurationMs: cycle.p95DurationMs,
      })
    }
    return result
  }

  /** Open incidents grouped by error type and message, largest group first. */
  async incidentGroups(limit = 100): Promise<IncidentGroupRecord[]> {
    return this.store.incidentGroups(limit)
  }

  async history(instanceKey: Key): Promise<EngineEvent[]> {
    if (!(await this.store.loadInstance(instanceKey))) {
      throw new BatonError(
        'BATON_INSTANCE_NOT_FOUND',
        `no process instance with key ${instanceKey}`,
      )
    }
    return this.store.readEvents(instanceKey)
  }

  // -------------------------------------------------------------------------------------------
  // Jobs

  /**
   * Registers an in-process worker for a job type. The handler's return value completes the job
   * (its object becomes variables); a thrown error fails it (one retry less, after the backoff).
   */
  worker(type: string, handler: JobHandler, options: JobWorkerOptions = {}): JobWorker {
    this.assertOpen()
    const worker = new JobWorker(this, type, handler, options)
    const list = this.workers.get(type) ?? []
    list.push(worker)
    this.workers.set(type, list)
    queueMicrotask(() => void worker.poll())
    return worker
  }

  /** @internal Removes a closed worker. */
  removeWorker(worker: JobWorker): void {
    const list = this.workers.get(worker.type)
    if (!list) return
    const rest = list.filter((w) => w !== worker)
    if (rest.length > 0) this.workers.set(worker.type, rest)
    else this.workers.delete(worker.type)
  }

  async completeJob(jobKey: Key, variables: Variables = {}): Promise<void> {
    assertVariables(variables)
    const job = await this.requireJob(jobKey)
    await this.submit({ type: 'CompleteJob', instanceKey: job.instanceKey, jobKey, variables })
  }

  async failJob(
    jobKey: Key,
    failure: { retries: number; errorMessage?: string; retryBackoffMs?: number },
  ): Promise<void> {
    const job = await this.requireJob(jobKey)
    await this.submit({
      type: 'FailJob',
      instanceKey: job.instanceKey,
      jobKey,
      retries: failure.retries,
      errorMessage: failure.errorMessage ?? '',
      ...(failure.retryBackoffMs === undefined ? {} : { retryBackoffMs: failure.retryBackoffMs }),
    })
  }

  async throwJobError(
    jobKey: Key,
    errorCode: string,
    errorMessage?: string,
    variables?: Variables,
  ): Promise<void> {
    const job = await this.requireJob(jobKey)
    await this.submit({
      type: 'ThrowJobError',
      instanceKey: job.instanceKey,
      jobKey,
      errorCode,
      ...(errorMessage === undefined ? {} : { errorMessage }),
      ...(variables === undefined ? {} : { variables }),
    })
  }

  /** @internal Completes a job whose record the caller holds (no lookup: the worker hot path). */
  async completeJobOf(job: JobRecord, variables: Variables): Promise<void> {
    assertVariables(variables)
    await this.submit({
      type: 'CompleteJob',
      instanceKey: job.instanceKey,
      jobKey: job.key,
      variables,
    })
  }

  /** @internal Fails a job whose record the caller holds. */
  async failJobOf(
    job: JobRecord,
    failure: { retries: number; errorMessage: string; retryBackoffMs: number },
  ): Promise<void> {
    await this.submit({
      type: 'FailJob',
      instanceKey: job.instanceKey,
      jobKey: job.key,
      ...failure,
    })
  }

  /** Leases activatable jobs of a type, with the variables visible at their element. */
  async activateJobs(request: {
    type: string
    worker: string
    timeoutMs: number
    max: number
  }): Promise<ActivatedJob[]> {
    const records = await this.store.activateJobs({
      types: [request.type],
      worker: request.worker,
      timeoutMs: request.timeoutMs,
      now: this.clock.now(),
      max: request.max,
    })
    if (this.shared && records.length > 1 && this.store.refreshInstances) {
      // One round trip for every instance's current state (other nodes may have moved them).
      const found = await this.store.refreshInstances(
        [...new Set(records.map((r) => r.instanceKey))].map((key) => ({ key, stateVersion: null })),
      )
      const states = new Map<Key, InstanceState>()
      for (const { key, record } of found) if (record) states.set(key, record.state)
      return records.map((record) => {
        const state = states.get(record.instanceKey)
        const variables = state ? visibleVariables(state, record.elementInstanceKey) : {}
        return { ...record, variables }
      })
    }
    const jobs: ActivatedJob[] = []
    for (const record of records) jobs.push(await this.toActivatedJob(record))
    return jobs
  }

  async getJob(jobKey: Key): Promise<JobRecord | undefined> {
    return this.store.getJob(jobKey)
  }

  private async requireJob(jobKey: Key): Promise<JobRecord> {
    const job = await this.store.getJob(jobKey)
    if (!job) {
      throw new BatonError(
        'BATON_JOB_NOT_FOUND',
        `no open job with key ${jobKey}; it may have been completed or cancelled`,
      )
    }
    return job
  }

  /** @internal Builds what a worker gets: the job and the variables visible at its element. */
  async toActivatedJob(record: JobRecord): Promise<ActivatedJob> {
    // On a shared store the cached state may predate the job (another node created it).
    const cached = this.shared
      ? await this.load(record.instanceKey, true)
      : (this.cache.get(record.instanceKey) ?? (await this.load(record.instanceKey)))
    let variables: Variables = {}
    if (cached) variables = visibleVariables(cached.state, record.elementInstanceKey)
    return { ...record, variables }
  }

  /** @internal Synchronous variant for jobs whose instance is in the cache (the hot path). */
  activatedJobFromCache(
    record: JobRecord,
    visible: (state: InstanceState, scope: Key) => Variables,
  ): ActivatedJob | undefined {
    const cached = this.cache.get(record.instanceKey)
    if (!cached) return undefined
    return { ...record, variables: visible(cached.state, record.elementInstanceKey) }
  }

  // -------------------------------------------------------------------------------------------
  // User tasks and incidents

  async userTasks(filter: UserTaskFilter = {}, page?: Page): Promise<UserTaskRecord[]> {
    return this.store.queryUserTasks(filter, page)
  }

  async getUserTask(userTaskKey: Key): Promise<UserTaskRecord | undefined> {
    return this.store.getUserTask(userTaskKey)
  }

  /** Claims an open task for a user; a task assigned to someone else is refused. */
  async claimUserTask(userTaskKey: Key, assignee: string): Promise<void> {
    const task = await this.requireOpenUserTask(userTaskKey)
    if (task.assignee !== null && task.assignee !== assignee) {
      throw new BatonError(
        'BATON_USER_TASK_ALREADY_ASSIGNED',
        `user task ${userTaskKey} is assigned to '${task.assignee}'; unclaim it first`,
      )
    }
    await this.submit({
      type: 'AssignUserTask',
      instanceKey: task.instanceKey,
      userTaskKey,
      assignee,
    })
  }

  /** Assigns a task to a user, whoever held it. */
  async assignUserTask(userTaskKey: Key, assignee: string | null): Promise<void> {
    const task = await this.requireOpenUserTask(userTaskKey)
    await this.submit({
      type: 'AssignUserTask',
      instanceKey: task.instanceKey,
      userTaskKey,
      assignee,
    })
  }

  async unclaimUserTask(userTaskKey: Key): Promise<void> {
    await this.assignUserTask(userTaskKey, null)
  }

  async completeUserTask(userTaskKey: Key, variables: Variables = {}): Promise<void> {
    assertVariables(variables)
    const task = await this.requireOpenUserTask(userTaskKey)
    await this.submit({
      type: 'CompleteUserTask',
      instanceKey: task.instanceKey,
      userTaskKey,
      variables,
    })
  }

  private async requireOpenUserTask(userTaskKey: Key): Promise<UserTaskRecord> {
    const task = await this.store.getUserTask(userTaskKey)
    if (!task)
      throw new BatonError('BATON_USER_TASK_NOT_FOUND', `no user task with key ${userTaskKey}`)
    if (task.status !== 'created') {
      throw new BatonError(
        'BATON_USER_TASK_NOT_ACTIVE',
        `user task ${userTaskKey} is ${task.status}`,
      )
    }
    return task
  }

  async incidents(filter: IncidentFilter = {}, page?: Page): Promise<IncidentRecord[]> {
    return this.store.queryIncidents(filter, page)
  }

  /** Resolves an incident: the failed step runs again (a failed job is offered again). */
  async resolveIncident(incidentKey: Key, options: { jobRetries?: number } = {}): Promise<void> {
    const incident = await this.store.getIncident(incidentKey)
    if (!incident || incident.status !== 'active') {
      throw new BatonError('BATON_INCIDENT_NOT_FOUND', `no open incident with key ${incidentKey}`)
    }
    await this.submit({
      type: 'ResolveIncident',
      instanceKey: incident.instanceKey,
      incidentKey,
      ...(options.jobRetries === undefined ? {} : { jobRetries: options.jobRetries }),
    })
  }

  // -------------------------------------------------------------------------------------------
  // The loop

  // -------------------------------------------------------------------------------------------
  // Messages, signals, timers

  /**
   * Publishes a message: it is correlated to every instance waiting for this name and correlation
   * key, starts instances at matching message start events, and (with a time to live) is kept
   * for subscriptions that open later. A message id still buffered is refused as a duplicate.
   */
  async publishMessage(message: {
    name: string
    correlationKey?: string
    variables?: Variables
    timeToLiveMs?: number
    messageId?: string
  }): Promise<PublishResult> {
    if (typeof message.name !== 'string' || message.name.length === 0) {
      throw new BatonError('BATON_VARIABLES_INVALID', 'a message needs a name')
    }
    if (message.variables !== undefined) assertVariables(message.variables)
    this.subscriptionStore()
    return (await this.submit({
      type: 'PublishMessage',
      messageKey: this.nextKey(),
      name: message.name,
      correlationKey: message.correlationKey ?? '',
      variables: message.variables ?? {},
      timeToLiveMs: Math.max(0, message.timeToLiveMs ?? 0),
      messageId: message.messageId ?? null,
    })) as PublishResult
  }

  /** Broadcasts a signal to every waiting instance and signal start event. */
  async broadcastSignal(
    name: string,
    variables: Variables = {},
  ): Promise<BroadcastResult & { readonly signalKey: Key }> {
    assertVariables(variables)
    this.subscriptionStore()
    const result = (await this.submit({
      type: 'BroadcastSignal',
      name,
      variables,
    })) as BroadcastResult
    return { ...result, signalKey: this.nextKey() }
  }

  /**
   * Evaluates the conditions of the root-level conditional start events of the latest version of
   * every process (or of the one definition given) against `variables`, and starts an instance at
   * each start event whose condition is true, with those variables (Camunda 8.9's "evaluate
   * conditionals"). A condition that fails to evaluate counts as false. Several conditional start
   * events of one process may each start an instance.
   *
   * @example
   * const { instances } = await engine.evaluateConditionals({ temperature: 42 })
   * // [{ processDefinitionKey: '...', instanceKey: '...', bpmnProcessId: 'cooling', ... }]
   */
  async evaluateConditionals(
    variables: Variables,
    options: { processDefinitionKey?: Key } = {},
  ): Promise<ConditionalEvaluation> {
    assertVariables(variables)
    if (this.shared) await this.refreshDefinitions()
    let targets: DeployedProcess[]
    if (options.processDefinitionKey !== undefined) {
      const deployed = this.definitions.byDefinitionKey(options.processDefinitionKey)
      if (!deployed) {
        throw new BatonError(
          'BATON_PROCESS_NOT_FOUND',
          `no process definition with key ${options.processDefinitionKey} is deployed`,
        )
      }
      targets = [deployed]
    } else {
      const ids = new Set(this.definitions.list().map((record) => record.bpmnProcessId))
      targets = [...ids]
        .map((id) => this.definitions.latestOf(id))
        .filter((deployed) => deployed !== undefined)
    }
    const feelOptions = { now: () => new Date(this.clock.now()) }
    const starts: { deployed: DeployedProcess; startEventId: string }[] = []
    for (const deployed of targets) {
      for (const id of deployed.process.startEventIds ?? []) {
        const event = deployed.process.nodes.get(id)?.eventDefinition
        if (event?.type !== 'conditional') continue
        const result = event.condition.evaluate(variables, feelOptions)
        if (result.ok && result.value === true) starts.push({ deployed, startEventId: id })
      }
    }
    const created: ConditionalStart[] = []
    for (const { deployed, startEventId } of starts) {
      const instance = await this.createInstanceOf(deployed, { variables, startEventId })
      created.push({ ...instance, startEventId })
    }
    return { key: this.nextKey(), instances: created }
  }

  private timerHandle: NodeJS.Timeout | undefined
  private readonly firing = new Set<Key>()

  /** Arms one wall-clock timeout for the earliest due timer. */
  private scheduleTimers(): void {
    const store = this.store as Store & Partial<SubscriptionStore>
    if (this.closed || typeof store.nextTimerDueAt !== 'function') return
    void store.nextTimerDueAt().then(
      (due) => {
        if (this.timerHandle) clearTimeout(this.timerHandle)
        this.timerHandle = undefined
        if (due === null || this.closed) return
        const wait = Math.min(Math.max(0, due - this.clock.now()), 2 ** 30)
        this.timerHandle = setTimeout(() => void this.fireDueTimers(), wait)
        this.timerHandle.unref()
      },
      () => undefined,
    )
  }

  /** Fires every timer due now (the scheduler calls it; tests call it after moving a fake clock). */
  async fireDueTimers(): Promise<number> {
    const store = this.store as Store & Partial<SubscriptionStore>
    if (this.closed || typeof store.dueTimers !== 'function') return 0
    const now = this.clock.now()
    // Shared: claim the due timers, so that each is fired by one node; a claim lapses after
    // leaseMs, so a dead node's timers are fired by the others.
    const due =
      this.shared && typeof store.claimDueTimers === 'function'
        ? await store.claimDueTimers(now, 1000, now + this.leaseMs)
        : await store.dueTimers(now, 1000)
    const firings: Promise<unknown>[] = []
    for (const subscription of due) {
      if (this.firing.has(subscription.key)) continue
      this.firing.add(subscription.key)
      firings.push(
        this.submit({ type: 'FireTimer', subscription })
          .catch(() => undefined)
          .finally(() => this.firing.delete(subscription.key)),
      )
    }
    await Promise.all(firings)
    this.scheduleTimers()
    return firings.length
  }

  /**
   * Queues a command; resolves with its events once they are committed, rejects with a BatonError
   * when the engine refuses it.
   */
  submit(command: Command | RuntimeOperation): Promise<unknown> {
    if (this.closed)
      return Promise.reject(new BatonError('BATON_ENGINE_CLOSED', 'the engine is closed'))
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new BatonError(
          'BATON_ENGINE_OVERLOADED',
          `${this.queue.length} commands are waiting; retry later`,
        ),
      )
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject })
      this.scheduleFlush()
    })
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      void this.flush()
    })
  }

  private async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    // A store that allows it commits batch N (and the ones before it, up to
    // Store.commitsInFlight) while the engine builds batch N+1 (see Store.pipelinedCommits): the
    // commits in flight, oldest first, each settling to whether it committed.
    const pipelined = this.store.pipelinedCommits === true && !this.shared
    const inFlight: Promise<boolean>[] = []
    try {
      for (;;) {
        if (this.queue.length === 0) {
          const oldest = inFlight.shift()
          if (oldest === undefined) break
          await oldest
          continue
        }
        // Commands whose commit conflicted go again in smaller batches, down to one alone, so
        // that a hot instance cannot keep a large batch failing.
        const conflicts = this.queue[0]?.conflicts ?? 0
        let size = Math.max(1, this.maxBatch >> Math.min(conflicts * 2, 30))
        const depth = pipelined ? Math.max(1, this.store.commitsInFlight ?? 1) : 1
        const limit = depth > 1 ? this.store.pipelinedBatchLimit : undefined
        if (limit !== undefined) {
          // Several commits under way: small batches keep both threads busy, each instance's
          // next command waits for less, and a batch's objects die young.
          size = Math.min(size, Math.max(1, limit))
        } else if (pipelined && inFlight.length === 0 && this.queue.length >= PIPELINE_SPLIT) {
          // Nothing being committed: a large queue goes in two halves, so that the second is
          // built while the first is written (and their follow-up commands alternate likewise).
          size = Math.min(size, Math.ceil(this.queue.length / 2))
        }
        const batch = this.queue.length <= size ? this.queue : this.queue.slice(0, size)
        this.queue = this.queue.length <= size ? [] : this.queue.slice(size)
        const prepared = await this.prepareBatch(batch)
        // A commit awaited on its own failed before this batch was built, which then read the
        // store afresh: only a pipelined engine may have built on a commit that failed later.
        let failed = pipelined && this.commitFailed
        this.commitFailed = false
        while (inFlight.length >= depth || (failed && inFlight.length > 0)) {
          if (!(await inFlight.shift())) failed = true
        }
        if (failed) {
          this.commitFailed = false
          if (prepared !== undefined) {
            // Built on the state of a batch that did not commit: build it again from the store.
            for (const key of prepared.dirty.keys()) this.cache.delete(key)
            this.queue = [...batch, ...this.queue]
          }
          // With several commits in flight, others may have been built on the failed one's
          // state: nothing cached is trusted, and the store gets a turn to settle.
          if (depth > 1) {
            this.cache.clear()
            await new Promise((resolve) => setImmediate(resolve))
          }
          continue
        }
        if (prepared === undefined) continue
        const commit = this.commitBatch(prepared)
        if (pipelined) inFlight.push(commit)
        else await commit
      }
    } finally {
      this.flushing = false
      if (this.queue.length > 0) this.scheduleFlush()
      else {
        const waiters = this.idleWaiters
        this.idleWaiters = []
        for (const wake of waiters) wake()
      }
    }
  }

  /**
   * Runs a batch's commands on the cached state and builds its commit; undefined when a bug in
   * the engine stopped it (the batch's other commands are queued again).
   */
  private async prepareBatch(batch: QueuedCommand[]): Promise<PreparedBatch | undefined> {
    if (this.keyLimit - this.nextKeyValue < KEY_BLOCK / 2) await this.reserveKeys()
    const claims = new Map<string, number>()
    const projection = new BatchProjection((type) => this.claimLocal(type, claims))
    this.projection = projection
    const dirty = new Map<Key, DirtyInstance>()
    const outcomes: { queued: QueuedCommand; events: unknown }[] = []
    const fresh = new Set<Key>()
    this.freshInBatch = fresh
    this.endedThisBatch.clear()
    try {
      if (this.shared) await this.refreshCached(batch, fresh)
      for (const queued of batch) {
        if (isRuntimeOperation(queued.command)) {
          try {
            const value = await runOperation(
              this.correlationHost(dirty, projection),
              projection,
              queued.command,
            )
            outcomes.push({ queued, events: value })
          } catch (error) {
            if (!(error instanceof BatonError)) throw error
            outcomes.push({
              queued,
              events: { rejected: true, code: error.code, message: error.message },
            })
          }
          continue
        }
        const events: EngineEvent[] = []
        const result = await this.runCommand(queued.command, dirty, events, projection)
        outcomes.push({ queued, events: result ?? events })
      }
    } catch (error) {
      // A bug in the engine: drop everything this batch touched and put the rest back.
      this.projection = undefined
      for (const key of dirty.keys()) this.cache.delete(key)
      const failed = outcomes.length
      const culprit = batch[failed]
      if (culprit) {
        this.options.onInternalError?.(error, culprit.command)
        culprit.reject(
          new BatonError(
            'BATON_INTERNAL',
            `the engine failed on ${culprit.command.type}: ${String(error)}`,
          ),
        )
      }
      this.queue = [...batch.filter((_, i) => i !== failed), ...this.queue]
      return undefined
    }
    this.projection = undefined
    const commit = this.buildCommit(dirty, projection)
    // The next batch builds on this one's state (dropped from the cache if this commit fails).
    for (const entry of dirty.values()) {
      entry.cached.isNew = false
      entry.cached.stateVersion = (entry.expectedStateVersion ?? -1) + 1
    }
    // Until this batch's jobs reach their workers, the next batch counts them as taken.
    for (const [type, count] of claims) {
      this.claimsInFlight.set(type, (this.claimsInFlight.get(type) ?? 0) + count)
    }
    const activated = projection.claimed.length > 0 ? this.activatedJobs(projection) : undefined
    return { commit, dirty, outcomes, projection, claims, activated }
  }

  /**
   * Commits a prepared batch, then settles its commands, wakes whoever awaits an instance it
   * ended and hands its new jobs to local workers. Resolves to whether it committed. The store's
   * commit is called before the first await (see Store.pipelinedCommits).
   */
  private async commitBatch(prepared: PreparedBatch): Promise<boolean> {
    const { commit, dirty, outcomes, projection, claims, activated } = prepared
    const commitStarted = performance.now()
    try {
      try {
        await this.store.commit(commit)
      } finally {
        for (const [type, count] of claims) {
          const left = (this.claimsInFlight.get(type) ?? 0) - count
          if (left > 0) this.claimsInFlight.set(type, left)
          else this.claimsInFlight.delete(type)
        }
      }
      this.counters.batches++
      this.counters.commands += outcomes.length
      this.counters.commitMs += performance.now() - commitStarted
    } catch (error) {
      for (const key of dirty.keys()) this.cache.delete(key)
      this.commitFailed = true
      if (error instanceof CommitNotWrittenError) {
        // Built on a batch whose commit failed: nothing was written; run it again.
        this.queue = [...outcomes.map(({ queued }) => queued), ...this.queue]
        return false
      }
      if (error instanceof ConcurrencyConflictError) {
        // Another node changed an instance since it was read: nothing was written; run the
        // whole batch again on fresh state (a job completed meanwhile is then refused, never
        // applied twice).
        this.counters.conflicts++
        const again: QueuedCommand[] = []
        for (const { queued } of outcomes) {
          queued.conflicts = (queued.conflicts ?? 0) + 1
          if (queued.conflicts <= MAX_CONFLICTS) again.push(queued)
          else {
            queued.reject(
              new BatonError(
                'BATON_STORE_CONFLICT',
                `${queued.command.type} conflicted with other nodes ${MAX_CONFLICTS} times in a row; retry it`,
              ),
            )
          }
        }
        this.queue = [...again, ...this.queue]
        return false
      }
      for (const { queued } of outcomes) queued.reject(error)
      return false
    }
    if (this.changeListeners.size > 0) this.notifyCommit(commit)
    for (const entry of dirty.values()) {
      const state = entry.cached.state
      if (state.status !== 'active') {
        this.cache.delete(state.key)
        const waiters = this.completionWaiters.get(state.key)
        if (waiters) {
          this.completionWaiters.delete(state.key)
          for (const wake of waiters) wake(state)
        }
      }
    }
    this.trimCache()
    for (const { queued, events } of outcomes) {
      if (isRejection(events)) queued.reject(new BatonError(events.code as never, events.message))
      else queued.resolve(events)
    }
    if (projection.subscriptions.size > 0) this.scheduleTimers()
    // A job created and cancelled (or completed) within the same batch is not handed to anyone.
    this.dispatch(
      projection.claimed.filter((job) => projection.jobs.get(job.key)?.status === 'activated'),
      activated,
    )
    if (projection.jobs.size > projection.claimed.length) {
      for (const record of projection.jobs.values()) {
        if (record && record.status === 'activatable') {
          for (const worker of this.workers.get(record.type) ?? []) worker.wake()
        }
      }
    }
    return true
  }

  /**
   * Drops the longest-cached instances beyond maxCachedInstances (their committed state is in the
   * store; `load` reads it again). Runs between batches only, when no command holds an entry.
   */
  private trimCache(): void {
    let excess = this.cache.size - this.maxCachedInstances
    if (excess <= 0) return
    for (const key of this.cache.keys()) {
      if (excess-- <= 0) break
      this.cache.delete(key)
    }
  }

  /** Runs one command and the follow-up commands it causes (call activities) in this batch. */
  /** What correlation needs, bound to the batch being built. */
  private correlationHost(
    dirty: Map<Key, DirtyInstance>,
    projection: BatchProjection,
  ): CorrelationHost {
    return {
      store: this.subscriptionStore(),
      now: () => this.clock.now(),
      nextKey: () => this.nextKey(),
      run: async (command) => (await this.runCommand(command, dirty, [], projection)) === undefined,
      guarded: this.shared,
      isLatest: (key) => {
        const deployed = this.definitions.byDefinitionKey(key)
        return (
          deployed !== undefined && this.definitions.latestOf(deployed.bpmnProcessId)?.key === key
        )
      },
      latestOf: (bpmnProcessId) => this.definitions.latestOf(bpmnProcessId)?.key,
    }
  }

  private subscriptionStore(): SubscriptionStore {
    const store = this.store as Store & Partial<SubscriptionStore>
    if (typeof store.dueTimers !== 'function') {
      throw new BatonError(
        'BATON_SERVICE_UNSUPPORTED',
        'this store does not keep timers, messages or signals yet; use the SQLite store',
      )
    }
    return store
  }

  private async runCommand(
    command: Command,
    dirty: Map<Key, DirtyInstance>,
    events: EngineEvent[],
    projection: BatchProjection,
  ): Promise<Rejection | undefined> {
    const pending: Command[] = [command]
    let first = true
    for (let next = pending.shift(); next; next = pending.shift()) {
      let cached: CachedInstance | undefined
      if (next.type === 'CreateInstance') {
        cached = undefined
      } else if (this.shared && !dirty.has(next.instanceKey)) {
        cached = await this.freshInstance(next.instanceKey)
      } else {
        cached = this.cache.get(next.instanceKey) ?? (await this.load(next.instanceKey))
      }
      if (
        this.shared &&
        cached !== undefined &&
        !this.definitions.byDefinitionKey(cached.state.processDefinitionKey)
      ) {
        // An instance of a definition another node deployed, before its notification came here.
        await this.refreshDefinitions()
      }
      let outcome = processCommand(cached?.state, next, this.context)
      if ('rejected' in outcome && this.shared && next.type !== 'CreateInstance') {
        // Refused on what this node read: another node may have moved the instance on since
        // (a job or subscription it refers to was created meanwhile). Judge it on fresh state.
        const key = next.instanceKey
        if (!dirty.has(key)) {
          const again = await this.load(key, true)
          if (again && again.stateVersion !== cached?.stateVersion) {
            cached = again
            outcome = processCommand(cached.state, next, this.context)
          }
        }
      }
      if ('rejected' in outcome) {
        if (first) return outcome
        continue // a follow-up that no longer applies (e.g. the parent was cancelled meanwhile)
      }
      first = false
      if (!cached) {
        cached = { state: outcome.state, stateVersion: 0, isNew: true }
        this.cache.set(outcome.state.key, cached)
      }
      let entry = dirty.get(outcome.state.key)
      if (!entry) {
        entry = {
          cached,
          expectedStateVersion: cached.isNew ? null : cached.stateVersion,
          fromPosition: outcome.events[0]?.position ?? outcome.state.position,
          events: [],
        }
        dirty.set(outcome.state.key, entry)
      }
      for (const event of outcome.events) {
        entry.events.push(event)
        if (next === command) events.push(event)
      }
      for (const effect of outcome.effects) {
        if (effect.type === 'command') pending.push(effect.command)
        else {
          const host = this.correlationHost(dirty, projection)
          await runOperation(
            host,
            projection,
            operationOf(effect, () => host.nextKey()),
          )
        }
      }
      if (projection.openedMessageSubscriptions.length > 0) {
        const opened = projection.openedMessageSubscriptions.splice(0)
        for (const subscription of opened) {
          await correlateBuffered(this.correlationHost(dirty, projection), projection, subscription)
        }
      }
      if (projection.endedMessageStarts.length > 0) {
        // The instance holding a message start's correlation key ended: a message buffered for
        // the key meanwhile starts the next one.
        const ended = projection.endedMessageStarts.splice(0)
        for (const start of ended) {
          await correlateNextStart(this.correlationHost(dirty, projection), projection, start)
        }
      }
    }
    return undefined
  }

  /** Instances read from the store (or validated against it) during the batch being built. */
  private freshInBatch = new Set<Key>()

  /**
   * Shared stores: checks every cached instance the batch's commands name against the store in
   * one round trip, replacing those another node moved on (and loading the missing ones).
   */
  private async refreshCached(batch: readonly QueuedCommand[], fresh: Set<Key>): Promise<void> {
    const known = new Map<Key, number | null>()
    for (const { command } of batch) {
      if (isRuntimeOperation(command) || command.type === 'CreateInstance') continue
      known.set(command.instanceKey, this.cache.get(command.instanceKey)?.stateVersion ?? null)
    }
    if (known.size === 0 || !this.store.refreshInstances) return
    const found = await this.store.refreshInstances(
      [...known].map(([key, stateVersion]) => ({ key, stateVersion })),
    )
    for (const { key, stateVersion, record } of found) {
      fresh.add(key)
      if (record) {
        if (record.status === 'active') {
          this.cache.set(key, { state: record.state, stateVersion, isNew: false })
        } else {
          this.cache.delete(key)
          this.endedThisBatch.set(key, { state: record.state, stateVersion, isNew: false })
        }
      }
    }
    for (const key of known.keys()) if (!fresh.has(key)) this.cache.delete(key)
  }

  /** Ended instances read by refreshCached (not cached: nothing more happens to them). */
  private readonly endedThisBatch = new Map<Key, CachedInstance>()

  /** Shared stores: the instance as stored now (unless this batch already read it). */
  private async freshInstance(key: Key): Promise<CachedInstance | undefined> {
    if (this.freshInBatch.has(key)) {
      return this.cache.get(key) ?? this.endedThisBatch.get(key) ?? (await this.load(key, true))
    }
    const loaded = await this.load(key, true)
    this.freshInBatch.add(key)
    return loaded
  }

  private async load(instanceKey: Key, fromStore = false): Promise<CachedInstance | undefined> {
    const record = await this.store.loadInstance(instanceKey)
    if (!record) return undefined
    const cached = this.cache.get(instanceKey)
    if (cached && (!fromStore || cached.stateVersion === record.stateVersion)) return cached
    if (fromStore && cached) this.cache.delete(instanceKey)
    const entry: CachedInstance = {
      state: record.state,
      stateVersion: record.stateVersion,
      isNew: false,
    }
    if (record.status === 'active') this.cache.set(instanceKey, entry)
    return entry
  }

  private buildCommit(dirty: Map<Key, DirtyInstance>, projection: BatchProjection): CommitBatch {
    const instances: CommitBatch['instances'][number][] = []
    const events: EventBatchRecord[] = []
    for (const entry of dirty.values()) {
      const state = entry.cached.state
      instances.push({
        expectedStateVersion: entry.expectedStateVersion,
        record: {
          key: state.key,
          processDefinitionKey: state.processDefinitionKey,
          bpmnProcessId: state.bpmnProcessId,
          version: state.version,
          status: state.status,
          startedAt: state.startedAt,
          endedAt: state.endedAt ?? null,
          parentKey: state.parent?.instanceKey ?? null,
          businessKey: state.businessKey ?? null,
          hasIncident: hasAny(state.incidents),
          stateVersion: (entry.expectedStateVersion ?? -1) + 1,
          state,
        },
      })
      if (entry.events.length > 0) {
        events.push({
          instanceKey: state.key,
          fromPosition: entry.fromPosition,
          events: entry.events,
        })
      }
    }
    const jobPuts: JobRecord[] = []
    const jobDeletes: Key[] = []
    for (const [key, record] of projection.jobs) {
      if (record) jobPuts.push(record)
      else jobDeletes.push(key)
    }
    const subscriptionPuts: SubscriptionRecord[] = []
    const subscriptionDeletes: Key[] = []
    for (const [key, record] of projection.subscriptions) {
      if (record) subscriptionPuts.push(record)
      else subscriptionDeletes.push(key)
    }
    const messagePuts = []
    const messageDeletes: Key[] = []
    for (const [key, record] of projection.messages) {
      if (record) messagePuts.push(record)
      else messageDeletes.push(key)
    }
    return {
      instances,
      events,
      jobPuts,
      jobDeletes,
      userTaskPuts: [...projection.userTasks.values()],
      incidentPuts: [...projection.incidents.values()],
      ...(subscriptionPuts.length > 0 ? { subscriptionPuts } : {}),
      ...(subscriptionDeletes.length > 0 ? { subscriptionDeletes } : {}),
      ...(messagePuts.length > 0 ? { messagePuts } : {}),
      ...(messageDeletes.length > 0 ? { messageDeletes } : {}),
      ...(projection.elementStatistics.size > 0
        ? { elementStatistics: projection.elementStatisticsDeltas() }
        : {}),
      ...(projection.correlationGuards.length > 0
        ? { correlationGuards: projection.correlationGuards }
        : {}),
      ...(projection.timerGuards.length > 0 ? { timerGuards: projection.timerGuards } : {}),
      ...(projection.messageStartPuts.size > 0
        ? { messageStartPuts: [...projection.messageStartPuts.values()] }
        : {}),
      ...(projection.messageStartDeletes.length > 0
        ? { messageStartDeletes: projection.messageStartDeletes }
        : {}),
      ...(projection.messageStartGuards.length > 0
        ? { messageStartGuards: projection.messageStartGuards }
        : {}),
    }
  }

  /** A local worker with spare capacity takes a new job in the same write that creates it. */
  private claimLocal(
    type: string,
    claims: Map<string, number>,
  ): { worker: string; timeoutMs: number } | undefined {
    const list = this.workers.get(type)
    if (!list) return undefined
    const inBatch = claims.get(type) ?? 0
    let spare = 0
    for (const worker of list) spare += worker.spareCapacity()
    if (inBatch + (this.claimsInFlight.get(type) ?? 0) >= spare) return undefined
    claims.set(type, inBatch + 1)
    return { worker: this.nodeId, timeoutMs: this.leaseFor(list[0]?.timeoutMs ?? 300_000) }
  }

  private dispatch(
    claimed: readonly JobRecord[],
    activated: ReadonlyMap<Key, ActivatedJob> | undefined,
  ): void {
    for (const record of claimed) {
      const list = this.workers.get(record.type)
      const worker = list?.find((w) => w.spareCapacity() > 0) ?? list?.[0]
      if (worker) worker.runClaimed(record, activated?.get(record.key))
    }
  }

  /**
   * The jobs local workers claimed in a batch, with their variables as the batch leaves them: a
   * pipelined engine hands them out once the commit is done, when the next batch may have moved
   * the instances on (uncommitted).
   */
  private activatedJobs(projection: BatchProjection): Map<Key, ActivatedJob> {
    const activated = new Map<Key, ActivatedJob>()
    for (const record of projection.claimed) {
      const job = this.activatedJobFromCache(record, visibleVariables)
      if (job) activated.set(record.key, job)
    }
    return activated
  }

  private pollWorkers(): void {
    for (const list of this.workers.values()) for (const worker of list) void worker.poll()
    if (this.shared && !this.closed) {
      // The fallback when a notification was missed: timers, and instances awaited here that
      // another node may have ended.
      void this.fireDueTimers().catch(() => undefined)
      void this.checkAwaited().catch(() => undefined)
    }
  }

  /** Wakes whoever awaits an instance that another node ended. */
  private async checkAwaited(): Promise<void> {
    if (this.completionWaiters.size === 0 || !this.store.refreshInstances) return
    const keys = [...this.completionWaiters.keys()].slice(0, 5000)
    const found = await this.store.refreshInstances(
      keys.map((key) => ({
        key,
        stateVersion: this.cache.get(key)?.stateVersion ?? null,
      })),
    )
    for (const { key, record } of found) {
      if (!record || record.status === 'active') continue
      this.cache.delete(key)
      const waiters = this.completionWaiters.get(key)
      if (!waiters) continue
      this.completionWaiters.delete(key)
      for (const wake of waiters) wake(record.state)
    }
  }

  /** Makes every worker look for due jobs now (after a fake clock moved, for instance). */
  async pollNow(): Promise<void> {
    await this.fireDueTimers()
    const polls: Promise<void>[] = []
    for (const list of this.workers.values()) for (const worker of list) polls.push(worker.poll())
    await Promise.all(polls)
  }

  /** Resolves when no command is queued or being committed. */
  async idle(): Promise<void> {
    if (!this.flushing && !this.flushScheduled && this.queue.length === 0) return
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Batches committed, commands in them, and time spent in the store's commit, since open; and
   * the instances held in memory.
   */
  stats(): {
    readonly batches: number
    readonly commands: number
    readonly commitMs: number
    /** Commits that failed on another node's concurrent change and were run again. */
    readonly conflicts: number
    /** Instances whose state is held in memory now (see maxCachedInstances). */
    readonly cachedInstances: number
  } {
    return { ...this.counters, cachedInstances: this.cache.size }
  }

  /** @internal */
  now(): number {
    return this.clock.now()
  }

  private nextKey(): Key {
    if (this.nextKeyValue >= this.keyLimit) throw new Error('key block exhausted')
    return String(PARTITION_BASE + this.nextKeyValue++)
  }

  private reserving: Promise<void> | undefined

  private async reserveKeys(): Promise<void> {
    this.reserving ??= this.store.reserveKeys(KEY_BLOCK).then(
      (first) => {
        this.nextKeyValue = first
        this.keyLimit = first + KEY_BLOCK
        this.reserving = undefined
      },
      (error: unknown) => {
        this.reserving = undefined
        throw error
      },
    )
    await this.reserving
  }

  private assertOpen(): void {
    if (this.closed) throw new BatonError('BATON_ENGINE_CLOSED', 'the engine is closed')
  }

  /** Stops the workers, commits what is queued, and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return
    if (this.pollTimer) clearInterval(this.pollTimer)
    if (this.timerHandle) clearTimeout(this.timerHandle)
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    if (this.housekeepingTimer) clearInterval(this.housekeepingTimer)
    await this.stopListening?.()
    for (const list of [...this.workers.values()]) for (const worker of list) worker.stop()
    await this.idle()
    await Promise.all([...this.workers.values()].flat().map((w) => w.drained()))
    await this.idle()
    this.closed = true
    await this.store.close()
  }
}

/** One element's figures over the whole history of its process definition. */
export interface ElementStatistics {
  readonly elementId: string
  readonly active: number
  readonly completed: number
  readonly terminated: number
  readonly incidents: number
  readonly averageDurationMs: number | null
  readonly p95DurationMs: number | null
}

/** One process version's instances by state. */
export interface ProcessDefinitionStatistics {
  readonly processDefinitionKey: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly name: string | null
  readonly active: number
  readonly completed: number
  readonly terminated: number
  readonly withIncidents: number
  readonly waitingLongerThan: number
  /** Cycle time of the completed instances. */
  readonly averageDurationMs: number | null
  readonly p95DurationMs: number | null
}

function summarizeElement(record: ElementStatisticsRecord): ElementStatistics {
  return {
    elementId: record.elementId,
    active: Math.max(0, record.entered - record.completed - record.terminated),
    completed: record.completed,
    terminated: record.terminated,
    incidents: record.incidents,
    averageDurationMs: record.completed > 0 ? record.durationTotalMs / record.completed : null,
    p95DurationMs: quantileOfBuckets(record.durationBuckets, 0.95),
  }
}

/** A job as a worker gets it. */
export interface ActivatedJob extends JobRecord {
  /** Variables visible at the job's element when it was handed over. */
  readonly variables: Variables
}

function isRejection(value: unknown): value is Rejection {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { rejected?: unknown }).rejected === true
  )
}

function hasAny(record: object): boolean {
  for (const _ in record) return true
  return false
}

function assertVariables(variables: unknown): asserts variables is Variables {
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    throw new BatonError(
      'BATON_VARIABLES_INVALID',
      `variables must be a JSON object, got ${JSON.stringify(variables)}`,
    )
  }
}
