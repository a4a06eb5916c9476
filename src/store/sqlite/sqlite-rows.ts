/**
 * Conversions between Store records and SQLite rows. Keys are bound as numbers (INTEGER columns,
 * numeric order) and read back as decimal strings; JSON columns are stringified once per row.
 */
import type { Key } from '../../engine/types.ts'
import type {
  DecisionDefinitionRecord,
  IncidentRecord,
  InstanceRecord,
  JobRecord,
  ProcessDefinitionRecord,
  UserTaskRecord,
} from '../store.ts'
import type {
  BufferedMessageRecord,
  SubscriptionKind,
  SubscriptionRecord,
} from '../subscriptions.ts'
import type { SqliteValue } from './sqlite-database.ts'

const decimalKey = /^(?:0|[1-9][0-9]*)$/

/** The number stored for a key, or undefined when the string is not a key at all. */
export function parseKey(key: Key): number | undefined {
  if (!decimalKey.test(key)) return undefined
  const value = Number(key)
  return Number.isSafeInteger(value) ? value : undefined
}

/** The number stored for a key that is about to be written; a malformed key is a caller bug. */
export function keyParam(key: Key): number {
  const value = parseKey(key)
  if (value === undefined) {
    throw new TypeError(
      `invalid key ${JSON.stringify(key)}: keys are decimal strings of safe integers`,
    )
  }
  return value
}

function nullableKeyParam(key: Key | null): number | null {
  return key === null ? null : keyParam(key)
}

function nullableKey(value: number | null): Key | null {
  return value === null ? null : String(value)
}

export interface ProcessDefinitionRow {
  key: number
  bpmn_process_id: string
  version: number
  name: string | null
  resource_name: string
  xml: string
  content_hash: string
  deployed_at: number
}

export function processDefinitionParams(record: ProcessDefinitionRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    record.bpmnProcessId,
    record.version,
    record.name,
    record.resourceName,
    record.xml,
    record.contentHash,
    record.deployedAt,
  ]
}

export function processDefinitionFromRow(row: ProcessDefinitionRow): ProcessDefinitionRecord {
  return {
    key: String(row.key),
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    name: row.name,
    resourceName: row.resource_name,
    xml: row.xml,
    contentHash: row.content_hash,
    deployedAt: row.deployed_at,
  }
}

export interface DecisionDefinitionRow {
  key: number
  decision_id: string
  version: number
  name: string | null
  decision_requirements_id: string
  resource_name: string
  xml: string
  content_hash: string
  deployed_at: number
}

export function decisionDefinitionParams(record: DecisionDefinitionRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    record.decisionId,
    record.version,
    record.name,
    record.decisionRequirementsId,
    record.resourceName,
    record.xml,
    record.contentHash,
    record.deployedAt,
  ]
}

export function decisionDefinitionFromRow(row: DecisionDefinitionRow): DecisionDefinitionRecord {
  return {
    key: String(row.key),
    decisionId: row.decision_id,
    version: row.version,
    name: row.name,
    decisionRequirementsId: row.decision_requirements_id,
    resourceName: row.resource_name,
    xml: row.xml,
    contentHash: row.content_hash,
    deployedAt: row.deployed_at,
  }
}

export interface InstanceRow {
  key: number
  process_definition_key: number
  bpmn_process_id: string
  version: number
  status: InstanceRecord['status']
  started_at: number
  ended_at: number | null
  parent_key: number | null
  business_key: string | null
  has_incident: number
  state_version: number
  state: string
}

/** Parameters of the instance INSERT, in column order. */
export function instanceInsertParams(record: InstanceRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    keyParam(record.processDefinitionKey),
    record.bpmnProcessId,
    record.version,
    record.status,
    record.startedAt,
    record.endedAt,
    nullableKeyParam(record.parentKey),
    record.businessKey,
    record.hasIncident ? 1 : 0,
    record.stateVersion,
    JSON.stringify(record.state),
  ]
}

export function instanceFromRow(row: InstanceRow): InstanceRecord {
  return {
    key: String(row.key),
    processDefinitionKey: String(row.process_definition_key),
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    parentKey: nullableKey(row.parent_key),
    businessKey: row.business_key,
    hasIncident: row.has_incident === 1,
    stateVersion: row.state_version,
    state: JSON.parse(row.state),
  }
}

export interface JobRow {
  key: number
  instance_key: number
  element_instance_key: number
  element_id: string
  bpmn_process_id: string
  process_definition_key: number
  type: string
  retries: number
  headers: string
  status: JobRecord['status']
  worker: string | null
  deadline: number | null
  retry_at: number | null
  error_message: string | null
  created_at: number
}

export function jobParams(record: JobRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    keyParam(record.instanceKey),
    keyParam(record.elementInstanceKey),
    record.elementId,
    record.bpmnProcessId,
    keyParam(record.processDefinitionKey),
    record.type,
    record.retries,
    JSON.stringify(record.headers),
    record.status,
    record.worker,
    record.deadline,
    record.retryAt,
    record.errorMessage,
    record.createdAt,
  ]
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    key: String(row.key),
    instanceKey: String(row.instance_key),
    elementInstanceKey: String(row.element_instance_key),
    elementId: row.element_id,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: String(row.process_definition_key),
    type: row.type,
    retries: row.retries,
    headers: JSON.parse(row.headers),
    status: row.status,
    worker: row.worker,
    deadline: row.deadline,
    retryAt: row.retry_at,
    errorMessage: row.error_message,
    createdAt: row.created_at,
  }
}

export interface UserTaskRow {
  key: number
  instance_key: number
  element_instance_key: number
  element_id: string
  name: string | null
  bpmn_process_id: string
  process_definition_key: number
  status: UserTaskRecord['status']
  assignee: string | null
  candidate_users: string
  candidate_groups: string
  due_date: string | null
  follow_up_date: string | null
  priority: number
  form_key: string | null
  form_id: string | null
  created_at: number
  ended_at: number | null
}

export function userTaskParams(record: UserTaskRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    keyParam(record.instanceKey),
    keyParam(record.elementInstanceKey),
    record.elementId,
    record.name,
    record.bpmnProcessId,
    keyParam(record.processDefinitionKey),
    record.status,
    record.assignee,
    JSON.stringify(record.candidateUsers),
    JSON.stringify(record.candidateGroups),
    record.dueDate,
    record.followUpDate,
    record.priority,
    record.formKey,
    record.formId,
    record.createdAt,
    record.endedAt,
  ]
}

export function userTaskFromRow(row: UserTaskRow): UserTaskRecord {
  return {
    key: String(row.key),
    instanceKey: String(row.instance_key),
    elementInstanceKey: String(row.element_instance_key),
    elementId: row.element_id,
    name: row.name,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: String(row.process_definition_key),
    status: row.status,
    assignee: row.assignee,
    candidateUsers: JSON.parse(row.candidate_users),
    candidateGroups: JSON.parse(row.candidate_groups),
    dueDate: row.due_date,
    followUpDate: row.follow_up_date,
    priority: row.priority,
    formKey: row.form_key,
    formId: row.form_id,
    createdAt: row.created_at,
    endedAt: row.ended_at,
  }
}

export interface IncidentRow {
  key: number
  instance_key: number
  element_instance_key: number
  element_id: string
  bpmn_process_id: string
  process_definition_key: number
  error_type: string
  error_message: string
  job_key: number | null
  status: IncidentRecord['status']
  created_at: number
  resolved_at: number | null
}

export function incidentParams(record: IncidentRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    keyParam(record.instanceKey),
    keyParam(record.elementInstanceKey),
    record.elementId,
    record.bpmnProcessId,
    keyParam(record.processDefinitionKey),
    record.errorType,
    record.errorMessage,
    nullableKeyParam(record.jobKey),
    record.status,
    record.createdAt,
    record.resolvedAt,
  ]
}

export function incidentFromRow(row: IncidentRow): IncidentRecord {
  return {
    key: String(row.key),
    instanceKey: String(row.instance_key),
    elementInstanceKey: String(row.element_instance_key),
    elementId: row.element_id,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: String(row.process_definition_key),
    errorType: row.error_type,
    errorMessage: row.error_message,
    jobKey: nullableKey(row.job_key),
    status: row.status,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  }
}

export interface SubscriptionRow {
  key: number
  kind: SubscriptionKind
  instance_key: number | null
  process_definition_key: number
  bpmn_process_id: string
  element_id: string
  name: string | null
  correlation_key: string | null
  due_at: number | null
  payload: string
  created_at: number
}

export function subscriptionParams(record: SubscriptionRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    record.kind,
    nullableKeyParam(record.instanceKey),
    keyParam(record.processDefinitionKey),
    record.bpmnProcessId,
    record.elementId,
    record.name,
    record.correlationKey,
    record.dueAt,
    JSON.stringify(record.payload),
    record.createdAt,
  ]
}

export function subscriptionFromRow(row: SubscriptionRow): SubscriptionRecord {
  return {
    key: String(row.key),
    kind: row.kind,
    instanceKey: nullableKey(row.instance_key),
    processDefinitionKey: String(row.process_definition_key),
    bpmnProcessId: row.bpmn_process_id,
    elementId: row.element_id,
    name: row.name,
    correlationKey: row.correlation_key,
    dueAt: row.due_at,
    payload: JSON.parse(row.payload),
    createdAt: row.created_at,
  }
}

export interface BufferedMessageRow {
  key: number
  name: string
  correlation_key: string
  message_id: string | null
  variables: string
  published_at: number
  expires_at: number
}

export function bufferedMessageParams(record: BufferedMessageRecord): SqliteValue[] {
  return [
    keyParam(record.key),
    record.name,
    record.correlationKey,
    record.messageId,
    JSON.stringify(record.variables),
    record.publishedAt,
    record.expiresAt,
  ]
}

export function bufferedMessageFromRow(row: BufferedMessageRow): BufferedMessageRecord {
  return {
    key: String(row.key),
    name: row.name,
    correlationKey: row.correlation_key,
    messageId: row.message_id,
    variables: JSON.parse(row.variables),
    publishedAt: row.published_at,
    expiresAt: row.expires_at,
  }
}
