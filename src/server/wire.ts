/** Engine and store records as the wire shows them (Camunda v2 names, ISO dates, string keys). */
import type {
  ActivatedJobWire,
  IncidentWire,
  ProcessDefinitionWire,
  ProcessInstanceState,
  ProcessInstanceWire,
  UserTaskState,
  UserTaskWire,
  Variables,
} from '../client/wire-types.ts'
import { DEFAULT_TENANT } from '../client/wire-types.ts'
import type { ActivatedJob } from '../runtime/engine.ts'
import type {
  IncidentRecord,
  InstanceRecord,
  ProcessDefinitionRecord,
  UserTaskRecord,
} from '../store/store.ts'

export function isoDate(ms: number): string {
  return new Date(ms).toISOString()
}

/** `{ [name]: value }`, or nothing when there is no value: /v2 leaves absent fields out. */
export function present<Name extends string, Value>(
  name: Name,
  value: Value | null | undefined,
): { [N in Name]?: Value } {
  return (value === null || value === undefined ? {} : { [name]: value }) as { [N in Name]?: Value }
}

function isoOrUndefined(ms: number | null | undefined): string | undefined {
  return ms === null || ms === undefined ? undefined : isoDate(ms)
}

export const instanceStateOf = {
  active: 'ACTIVE',
  completed: 'COMPLETED',
  terminated: 'TERMINATED',
} as const satisfies Record<InstanceRecord['status'], ProcessInstanceState>

export const instanceStatusOf = {
  ACTIVE: 'active',
  COMPLETED: 'completed',
  TERMINATED: 'terminated',
} as const satisfies Record<ProcessInstanceState, InstanceRecord['status']>

export const userTaskStateOf = {
  created: 'CREATED',
  completed: 'COMPLETED',
  canceled: 'CANCELED',
} as const satisfies Record<UserTaskRecord['status'], UserTaskState>

export const userTaskStatusOf = {
  CREATED: 'created',
  COMPLETED: 'completed',
  CANCELED: 'canceled',
} as const satisfies Record<UserTaskState, UserTaskRecord['status']>

/**
 * @param processName the name of the instance's process, if it has one (Camunda requires a
 *   name; it falls back to the process id)
 */
export function processInstanceWire(
  record: InstanceRecord,
  processName: string | null | undefined,
): ProcessInstanceWire {
  return {
    processInstanceKey: record.key,
    processDefinitionKey: record.processDefinitionKey,
    processDefinitionId: record.bpmnProcessId,
    processDefinitionName: processName || record.bpmnProcessId,
    processDefinitionVersion: record.version,
    state: instanceStateOf[record.status],
    startDate: isoDate(record.startedAt),
    ...present('endDate', isoOrUndefined(record.endedAt)),
    ...present('parentProcessInstanceKey', record.parentKey),
    ...present('businessKey', record.businessKey),
    hasIncident: record.hasIncident,
    tenantId: DEFAULT_TENANT,
  }
}

export function userTaskWire(record: UserTaskRecord): UserTaskWire {
  return {
    userTaskKey: record.key,
    ...present('name', record.name),
    state: userTaskStateOf[record.status],
    ...present('assignee', record.assignee),
    candidateUsers: [...record.candidateUsers],
    candidateGroups: [...record.candidateGroups],
    elementId: record.elementId,
    elementInstanceKey: record.elementInstanceKey,
    processInstanceKey: record.instanceKey,
    processDefinitionKey: record.processDefinitionKey,
    processDefinitionId: record.bpmnProcessId,
    ...present('externalFormReference', record.formKey),
    ...present('formId', record.formId),
    ...present('dueDate', record.dueDate),
    ...present('followUpDate', record.followUpDate),
    priority: record.priority,
    creationDate: isoDate(record.createdAt),
    ...present('completionDate', isoOrUndefined(record.endedAt)),
    tenantId: DEFAULT_TENANT,
  }
}

export function incidentWire(record: IncidentRecord): IncidentWire {
  return {
    incidentKey: record.key,
    processInstanceKey: record.instanceKey,
    processDefinitionKey: record.processDefinitionKey,
    processDefinitionId: record.bpmnProcessId,
    elementId: record.elementId,
    elementInstanceKey: record.elementInstanceKey,
    errorType: record.errorType,
    errorMessage: record.errorMessage,
    ...present('jobKey', record.jobKey),
    state: record.status === 'active' ? 'ACTIVE' : 'RESOLVED',
    creationTime: isoDate(record.createdAt),
    tenantId: DEFAULT_TENANT,
  }
}

export function processDefinitionWire(record: ProcessDefinitionRecord): ProcessDefinitionWire {
  return {
    processDefinitionKey: record.key,
    processDefinitionId: record.bpmnProcessId,
    processDefinitionVersion: record.version,
    resourceName: record.resourceName,
    name: record.name,
    deployedAt: isoDate(record.deployedAt),
    tenantId: DEFAULT_TENANT,
  }
}

export function activatedJobWire(
  job: ActivatedJob,
  version: number,
  fetchVariables: readonly string[] | undefined,
): ActivatedJobWire {
  let variables: Variables = job.variables
  if (fetchVariables && fetchVariables.length > 0) {
    variables = {}
    for (const name of fetchVariables) {
      const value = job.variables[name]
      if (value !== undefined) variables[name] = value
    }
  }
  return {
    jobKey: job.key,
    type: job.type,
    processInstanceKey: job.instanceKey,
    processDefinitionId: job.bpmnProcessId,
    processDefinitionVersion: version,
    processDefinitionKey: job.processDefinitionKey,
    elementId: job.elementId,
    elementInstanceKey: job.elementInstanceKey,
    customHeaders: { ...job.headers },
    worker: job.worker ?? '',
    retries: job.retries,
    deadline: job.deadline ?? 0,
    variables,
    tenantId: DEFAULT_TENANT,
    kind: 'BPMN_ELEMENT',
    listenerEventType: 'UNSPECIFIED',
  }
}

/** `serviceTask` -> `SERVICE_TASK` (Camunda's element type names). */
export function elementTypeName(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

/** Keys are decimal strings: shorter is smaller, then text order. */
export function compareKeys(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}
