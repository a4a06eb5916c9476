/**
 * Derives the rows of the side tables (jobs, user tasks, incidents) from the events of a batch,
 * so they are written in the same transaction as the events and never lag behind them.
 */
import type { EngineEvent, InstanceState, Key } from '../engine/types.ts'
import type {
  ActiveMessageStart,
  CorrelationGuard,
  IncidentRecord,
  JobRecord,
  MessageStartGuard,
  TimerGuard,
  UserTaskRecord,
} from '../store/store.ts'
import type { BufferedMessageRecord, SubscriptionRecord } from '../store/subscriptions.ts'
import type { ElementStatisticsDelta } from '../store/statistics.ts'
import { durationBucket } from '../store/statistics.ts'

interface ElementStatisticsAccumulator {
  readonly processDefinitionKey: Key
  readonly elementId: string
  entered: number
  completed: number
  terminated: number
  durationTotalMs: number
  readonly buckets: Map<number, number>
}

/** Decides, at job creation, whether a local worker takes the job at once (lease in the same write). */
export type JobClaimer = (type: string) => { worker: string; timeoutMs: number } | undefined

export class BatchProjection {
  /** Job rows to write (null: delete). */
  readonly jobs = new Map<Key, JobRecord | null>()
  readonly userTasks = new Map<Key, UserTaskRecord>()
  readonly incidents = new Map<Key, IncidentRecord>()
  /** Jobs leased to local workers by this batch, to hand over once it is committed. */
  readonly claimed: JobRecord[] = []
  /** Subscription rows to write (null: delete); conditional subscriptions stay in the state only. */
  readonly subscriptions = new Map<Key, SubscriptionRecord | null>()
  /** Message subscriptions opened by this batch, to check against buffered messages. */
  readonly openedMessageSubscriptions: SubscriptionRecord[] = []
  /** Buffered messages to write (null: delete). */
  readonly messages = new Map<Key, BufferedMessageRecord | null>()
  /** What correlation relied on, checked by a shared store at commit (see CommitBatch). */
  readonly correlationGuards: CorrelationGuard[] = []
  /** Timer start events fired by this batch (see CommitBatch.timerGuards). */
  readonly timerGuards: TimerGuard[] = []
  /** Active message starts begun by this batch, by messageStartId (see ActiveMessageStart). */
  readonly messageStartPuts = new Map<string, ActiveMessageStart>()
  /** Stored active message starts whose instance this batch ended. */
  readonly messageStartDeletes: ActiveMessageStart[] = []
  /** Instances holding a message start's correlation key that ended, to start the next one. */
  readonly endedMessageStarts: ActiveMessageStart[] = []
  /** What message start decisions relied on (see CommitBatch.messageStartGuards). */
  readonly messageStartGuards: MessageStartGuard[] = []

  /**
   * Per-element counters this batch adds, by process definition key, then element id (two
   * levels: no key string is built per event).
   */
  readonly elementStatistics = new Map<Key, Map<string, ElementStatisticsAccumulator>>()

  constructor(private readonly claim: JobClaimer) {}

  /**
   * The active instance holding a process id and correlation key as this batch leaves it: its
   * key, null when the batch ended the stored one, undefined when the batch did not touch it
   * (ask the store).
   */
  activeMessageStart(bpmnProcessId: string, correlationKey: string): Key | null | undefined {
    const id = messageStartId(bpmnProcessId, correlationKey)
    const put = this.messageStartPuts.get(id)
    if (put) return put.instanceKey
    const ended = this.messageStartDeletes.some(
      (d) => d.bpmnProcessId === bpmnProcessId && d.correlationKey === correlationKey,
    )
    return ended ? null : undefined
  }

  /** The statistics deltas of the batch, for the commit. */
  elementStatisticsDeltas(): ElementStatisticsDelta[] {
    const deltas: ElementStatisticsDelta[] = []
    for (const elements of this.elementStatistics.values()) {
      for (const entry of elements.values()) {
        deltas.push({
          processDefinitionKey: entry.processDefinitionKey,
          elementId: entry.elementId,
          entered: entry.entered,
          completed: entry.completed,
          terminated: entry.terminated,
          durationTotalMs: entry.durationTotalMs,
          durationBuckets: [...entry.buckets],
        })
      }
    }
    return deltas
  }

  private statisticsOf(state: InstanceState, elementId: string): ElementStatisticsAccumulator {
    let elements = this.elementStatistics.get(state.processDefinitionKey)
    if (elements === undefined) {
      elements = new Map()
      this.elementStatistics.set(state.processDefinitionKey, elements)
    }
    let entry = elements.get(elementId)
    if (entry === undefined) {
      entry = {
        processDefinitionKey: state.processDefinitionKey,
        elementId,
        entered: 0,
        completed: 0,
        terminated: 0,
        durationTotalMs: 0,
        buckets: new Map(),
      }
      elements.set(elementId, entry)
    }
    return entry
  }

  private recordCompletion(entry: ElementStatisticsAccumulator, durationMs: number): void {
    entry.completed++
    entry.durationTotalMs += durationMs
    const bucket = durationBucket(durationMs)
    entry.buckets.set(bucket, (entry.buckets.get(bucket) ?? 0) + 1)
  }

  observe(state: InstanceState, event: EngineEvent): void {
    switch (event.type) {
      // Statistics: the process instance counts under the process id, a loop body not at all
      // (its iterations count under the activity's id).
      case 'ProcessInstanceCreated':
        this.statisticsOf(state, state.bpmnProcessId).entered++
        if (event.startCorrelationKey) {
          const { bpmnProcessId } = state
          this.messageStartPuts.set(messageStartId(bpmnProcessId, event.startCorrelationKey), {
            bpmnProcessId,
            correlationKey: event.startCorrelationKey,
            instanceKey: state.key,
          })
        }
        return
      case 'ProcessInstanceCompleted':
        this.recordCompletion(
          this.statisticsOf(state, state.bpmnProcessId),
          event.at - state.startedAt,
        )
        if (state.startCorrelationKey) this.endMessageStart(state, state.startCorrelationKey)
        return
      case 'ProcessInstanceTerminated':
        this.statisticsOf(state, state.bpmnProcessId).terminated++
        if (state.startCorrelationKey) this.endMessageStart(state, state.startCorrelationKey)
        return
      case 'ElementActivating':
        if (event.loopRole !== 'body' && event.revivesScope === undefined)
          this.statisticsOf(state, event.elementId).entered++
        return
      case 'ElementCompleted': {
        const element = state.elements[event.elementInstanceKey]
        if (element && element.loopRole !== 'body' && element.revives === undefined) {
          const duration = event.at - (element.activatedAt ?? event.at)
          this.recordCompletion(this.statisticsOf(state, event.elementId), duration)
        }
        return
      }
      case 'ElementTerminated': {
        const element = state.elements[event.elementInstanceKey]
        if (element && element.loopRole !== 'body') {
          this.statisticsOf(state, event.elementId).terminated++
        }
        return
      }
      case 'JobCreated': {
        const claim = this.claim(event.jobType)
        const record: JobRecord = {
          key: event.jobKey,
          instanceKey: state.key,
          elementInstanceKey: event.elementInstanceKey,
          elementId: event.elementId,
          bpmnProcessId: state.bpmnProcessId,
          processDefinitionKey: state.processDefinitionKey,
          type: event.jobType,
          retries: event.retries,
          headers: event.headers,
          status: claim ? 'activated' : 'activatable',
          worker: claim ? claim.worker : null,
          deadline: claim ? event.at + claim.timeoutMs : null,
          retryAt: null,
          errorMessage: null,
          createdAt: event.at,
        }
        this.jobs.set(event.jobKey, record)
        if (claim) this.claimed.push(record)
        return
      }
      case 'JobCompleted':
      case 'JobCanceled':
        this.jobs.set(event.jobKey, null)
        return
      case 'JobFailed':
        this.putJob(state, event.jobKey, {
          retries: event.retries,
          status: event.retries > 0 ? 'activatable' : 'failed',
          retryAt: event.retryBackoffMs > 0 ? event.at + event.retryBackoffMs : null,
          errorMessage: event.errorMessage,
        })
        return
      case 'JobErrorThrown':
        this.putJob(state, event.jobKey, {
          retries: 0,
          status: 'failed',
          errorMessage: event.errorMessage,
        })
        return
      case 'JobRetriesUpdated':
        this.putJob(state, event.jobKey, {
          retries: event.retries,
          status: 'activatable',
          retryAt: null,
        })
        return
      case 'UserTaskCreated':
        this.userTasks.set(event.userTaskKey, {
          key: event.userTaskKey,
          instanceKey: state.key,
          elementInstanceKey: event.elementInstanceKey,
          elementId: event.elementId,
          name: event.name ?? null,
          bpmnProcessId: state.bpmnProcessId,
          processDefinitionKey: state.processDefinitionKey,
          status: 'created',
          assignee: event.assignee,
          candidateUsers: event.candidateUsers,
          candidateGroups: event.candidateGroups,
          dueDate: event.dueDate,
          followUpDate: event.followUpDate,
          priority: event.priority,
          formKey: event.formKey,
          formId: event.formId,
          createdAt: event.at,
          endedAt: null,
        })
        return
      case 'UserTaskAssigned':
        this.putUserTask(state, event.userTaskKey, { assignee: event.assignee })
        return
      case 'UserTaskCompleted':
        this.putUserTask(state, event.userTaskKey, { status: 'completed', endedAt: event.at })
        return
      case 'UserTaskCanceled':
        this.putUserTask(state, event.userTaskKey, { status: 'canceled', endedAt: event.at })
        return
      case 'IncidentCreated':
        this.incidents.set(event.incidentKey, {
          key: event.incidentKey,
          instanceKey: state.key,
          elementInstanceKey: event.elementInstanceKey,
          elementId: event.elementId,
          bpmnProcessId: state.bpmnProcessId,
          processDefinitionKey: state.processDefinitionKey,
          errorType: event.errorType,
          errorMessage: event.errorMessage,
          jobKey: event.jobKey ?? null,
          status: 'active',
          createdAt: event.at,
          resolvedAt: null,
        })
        return
      case 'SubscriptionOpened': {
        const s = event.subscription
        if (s.kind === 'conditional') return
        const record: SubscriptionRecord = {
          key: s.key,
          kind: s.kind,
          instanceKey: state.key,
          processDefinitionKey: state.processDefinitionKey,
          bpmnProcessId: state.bpmnProcessId,
          elementId: s.elementId,
          name: s.name,
          correlationKey: s.correlationKey,
          dueAt: s.dueAt,
          payload: null,
          createdAt: event.at,
        }
        this.subscriptions.set(s.key, record)
        if (s.kind === 'message') this.openedMessageSubscriptions.push(record)
        return
      }
      case 'SubscriptionUpdated': {
        const current = this.subscriptions.get(event.subscriptionKey)
        const s = state.subscriptions?.[event.subscriptionKey]
        if (current === null || !s || s.kind !== 'timer') return
        this.subscriptions.set(event.subscriptionKey, {
          ...(current ?? subscriptionFromState(state, event.subscriptionKey, event.at)),
          dueAt: event.dueAt,
        } as SubscriptionRecord)
        return
      }
      case 'SubscriptionClosed': {
        const s = state.subscriptions?.[event.subscriptionKey]
        if (s && s.kind !== 'conditional') this.subscriptions.set(event.subscriptionKey, null)
        return
      }
      case 'IncidentResolved': {
        const open =
          this.incidents.get(event.incidentKey) ?? incidentFromState(state, event.incidentKey)
        if (open)
          this.incidents.set(event.incidentKey, {
            ...open,
            status: 'resolved',
            resolvedAt: event.at,
          })
        return
      }
      default:
        return
    }
  }

  /** An instance holding a message start's correlation key ended: the key is free again. */
  private endMessageStart(state: InstanceState, correlationKey: string): void {
    const record = { bpmnProcessId: state.bpmnProcessId, correlationKey, instanceKey: state.key }
    const id = messageStartId(state.bpmnProcessId, correlationKey)
    // Started by this batch: never written, nothing to delete.
    if (this.messageStartPuts.get(id)?.instanceKey === state.key) this.messageStartPuts.delete(id)
    else this.messageStartDeletes.push(record)
    this.endedMessageStarts.push(record)
  }

  private putJob(state: InstanceState, jobKey: Key, change: Partial<JobRecord>): void {
    const current = this.jobs.get(jobKey) ?? jobFromState(state, jobKey)
    if (!current) return
    this.jobs.set(jobKey, { ...current, worker: null, deadline: null, ...change })
  }

  private putUserTask(
    state: InstanceState,
    userTaskKey: Key,
    change: Partial<UserTaskRecord>,
  ): void {
    const current = this.userTasks.get(userTaskKey) ?? userTaskFromState(state, userTaskKey)
    if (current) this.userTasks.set(userTaskKey, { ...current, ...change })
  }
}

function messageStartId(bpmnProcessId: string, correlationKey: string): string {
  return JSON.stringify([bpmnProcessId, correlationKey])
}

function subscriptionFromState(
  state: InstanceState,
  key: Key,
  at: number,
): SubscriptionRecord | undefined {
  const s = state.subscriptions?.[key]
  if (!s || s.kind === 'conditional') return undefined
  return {
    key: s.key,
    kind: s.kind,
    instanceKey: state.key,
    processDefinitionKey: state.processDefinitionKey,
    bpmnProcessId: state.bpmnProcessId,
    elementId: s.elementId,
    name: s.name,
    correlationKey: s.correlationKey,
    dueAt: s.dueAt,
    payload: null,
    createdAt: at,
  }
}

function jobFromState(state: InstanceState, jobKey: Key): JobRecord | undefined {
  const job = state.jobs[jobKey]
  if (!job) return undefined
  return {
    key: job.key,
    instanceKey: state.key,
    elementInstanceKey: job.elementInstanceKey,
    elementId: job.elementId,
    bpmnProcessId: state.bpmnProcessId,
    processDefinitionKey: state.processDefinitionKey,
    type: job.type,
    retries: job.retries,
    headers: job.headers,
    status: 'activatable',
    worker: null,
    deadline: null,
    retryAt: null,
    errorMessage: null,
    createdAt: job.createdAt,
  }
}

function userTaskFromState(state: InstanceState, userTaskKey: Key): UserTaskRecord | undefined {
  const task = state.userTasks[userTaskKey]
  if (!task) return undefined
  return {
    key: task.key,
    instanceKey: state.key,
    elementInstanceKey: task.elementInstanceKey,
    elementId: task.elementId,
    name: task.name,
    bpmnProcessId: state.bpmnProcessId,
    processDefinitionKey: state.processDefinitionKey,
    status: 'created',
    assignee: task.assignee,
    candidateUsers: task.candidateUsers,
    candidateGroups: task.candidateGroups,
    dueDate: task.dueDate,
    followUpDate: task.followUpDate,
    priority: task.priority,
    formKey: task.formKey,
    formId: task.formId,
    createdAt: task.createdAt,
    endedAt: null,
  }
}

function incidentFromState(state: InstanceState, incidentKey: Key): IncidentRecord | undefined {
  const incident = state.incidents[incidentKey]
  if (!incident) return undefined
  return {
    key: incident.key,
    instanceKey: state.key,
    elementInstanceKey: incident.elementInstanceKey,
    elementId: incident.elementId,
    bpmnProcessId: state.bpmnProcessId,
    processDefinitionKey: state.processDefinitionKey,
    errorType: incident.errorType,
    errorMessage: incident.errorMessage,
    jobKey: incident.jobKey,
    status: 'active',
    createdAt: incident.createdAt,
    resolvedAt: null,
  }
}
