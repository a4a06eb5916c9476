/** Records the statistics and instance-filter contracts build on (both adapters get the same). */
import type { EngineEvent, Key, Variables } from '../engine/types.ts'
import type { CommitBatch, InstanceRecord, JobRecord, Store } from './store.ts'

/** An active instance of process 'order' (definition `processDefinitionKey`) with root variables. */
export function contractInstance(
  key: Key,
  processDefinitionKey: Key,
  variables: Variables = {},
  overrides: Partial<InstanceRecord> = {},
): InstanceRecord {
  return {
    key,
    processDefinitionKey,
    bpmnProcessId: 'order',
    version: 1,
    status: 'active',
    startedAt: 1000,
    endedAt: null,
    parentKey: null,
    businessKey: null,
    hasIncident: false,
    stateVersion: 1,
    state: {
      key,
      processDefinitionKey,
      bpmnProcessId: 'order',
      version: 1,
      status: 'active',
      startedAt: 1000,
      elements: {},
      // A child scope's variable of the same name must never count as the instance's.
      variables: { [key]: variables, [`${key}9`]: { amount: 1_000_000 } },
      joins: {},
      jobs: {},
      userTasks: {},
      incidents: {},
      position: 0,
    },
    ...overrides,
  }
}

/** An activatable job of type 'charge' of instance 100 (definition 1), with `overrides`. */
export function contractJob(key: Key, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    key,
    instanceKey: '100',
    elementInstanceKey: '101',
    elementId: 'task',
    bpmnProcessId: 'order',
    processDefinitionKey: '1',
    type: 'charge',
    retries: 3,
    headers: {},
    status: 'activatable',
    worker: null,
    deadline: null,
    retryAt: null,
    errorMessage: null,
    createdAt: 1000,
    ...overrides,
  }
}

/** A commit with nothing but `parts`. */
export function contractCommit(parts: Partial<CommitBatch>): CommitBatch {
  return {
    instances: [],
    events: [],
    jobPuts: [],
    jobDeletes: [],
    userTaskPuts: [],
    incidentPuts: [],
    ...parts,
  }
}

/**
 * Events of one instance from `from` on: shaped ones (see event-codec.ts), optional fields, one
 * without a shape, null values, two instants.
 */
export function contractEventLog(from: number): EngineEvent[] {
  const bodies = [
    {
      type: 'ProcessInstanceCreated',
      processDefinitionKey: '7',
      bpmnProcessId: 'order',
      version: 3,
      businessKey: 'B-1',
    },
    { type: 'VariableSet', scopeKey: '9', name: 'items', value: [1, { a: null }], created: true },
    {
      type: 'ElementActivating',
      elementInstanceKey: '10',
      elementId: 'Start',
      elementType: 'startEvent',
      flowScopeKey: '9',
    },
    {
      type: 'ElementActivating',
      elementInstanceKey: '11',
      elementId: 'Boundary',
      elementType: 'boundaryEvent',
      flowScopeKey: '9',
      compensationFor: '4',
    },
    { type: 'SequenceFlowTaken', flowId: 'f1', sourceId: 'a', targetId: 'b', flowScopeKey: '9' },
    {
      type: 'JobFailed',
      jobKey: '12',
      retries: 2,
      errorMessage: 'timeout "x"',
      retryBackoffMs: 0,
    },
    {
      type: 'UserTaskCreated',
      userTaskKey: '13',
      elementInstanceKey: '14',
      elementId: 'Review',
      assignee: null,
      candidateUsers: [],
      candidateGroups: ['clerks'],
      dueDate: null,
      followUpDate: null,
      priority: 50,
      formKey: null,
      formId: null,
    },
    { type: 'ProcessInstanceCompleted' },
  ] as const
  return bodies.map((body, index) => ({
    ...body,
    position: from + index,
    at: 1_700_000_000_000 + (index > 4 ? 25 : 0),
  })) as unknown as EngineEvent[]
}

/**
 * Commits jobs 1 to `leased`, leased to worker w0 until 90,000, and one activatable job after
 * them, then activates at 2,000: the keys handed out (the one due job, if the store is right).
 * The stores' plan tests then show that activation did not walk through the leased ones.
 */
export async function activateAmongLeasedJobs(store: Store, leased: number): Promise<string[]> {
  const jobs = Array.from({ length: leased }, (_, i) =>
    contractJob(String(i + 1), { status: 'activated', worker: 'w0', deadline: 90_000 }),
  )
  await store.commit(contractCommit({ jobPuts: [...jobs, contractJob(String(leased + 1))] }))
  const request = { types: ['charge'], worker: 'w1', timeoutMs: 1000, now: 2000, max: 10 }
  return (await store.activateJobs(request)).map((record) => record.key)
}
