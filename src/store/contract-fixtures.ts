/** Records the statistics and instance-filter contracts build on (both adapters get the same). */
import type { Key, Variables } from '../engine/types.ts'
import type { CommitBatch, InstanceRecord } from './store.ts'

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
