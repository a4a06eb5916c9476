/**
 * Conversions between Store records and PostgreSQL rows. Keys and times are BIGINT columns read
 * back as decimal strings (keys stay strings, times become numbers); JSON documents are TEXT,
 * stringified once per row; candidate lists are JSONB, parsed by the driver.
 *
 * Writes are column-wise: each table has a list of {@link Column}s, and a batch of records becomes
 * one array per column (in PostgreSQL's binary array format), bound to
 * `unnest($1::bigint[], $2::text[], ...)` so that a whole batch is one statement.
 */
import type { Key } from '../../engine/types.ts'
import type {
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
import { binaryArray, type ArrayElement, type ArrayElementType } from './postgres-binary-array.ts'

const decimalKey = /^(?:0|[1-9][0-9]{0,18})$/
const maxBigint = '9223372036854775807'

/** The key, or undefined when the string is not a key a BIGINT column can hold. */
export function parseKey(key: Key): Key | undefined {
  if (!decimalKey.test(key)) return undefined
  return key.length < maxBigint.length || key <= maxBigint ? key : undefined
}

/** The key of a record about to be written; a malformed key is a caller bug. */
export function keyParam(key: Key): Key {
  const value = parseKey(key)
  if (value === undefined) {
    throw new TypeError(
      `invalid key ${JSON.stringify(key)}: keys are decimal strings of non-negative BIGINTs`,
    )
  }
  return value
}

function nullableKeyParam(key: Key | null): Key | null {
  return key === null ? null : keyParam(key)
}

/** Orders decimal key strings numerically (shorter is smaller; no leading zeros). */
export function compareKeys(a: Key, b: Key): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** A BIGINT time read back as a string; every time Baton writes is a safe integer. */
function time(value: string): number {
  return Number(value)
}

function nullableTime(value: string | null): number | null {
  return value === null ? null : Number(value)
}

/** One column of a table as written by a batch: its name, SQL type and value for a record. */
export interface Column<R> {
  readonly name: string
  readonly type: ArrayElementType
  readonly value: (record: R) => ArrayElement
}

/** The column names, comma-separated. */
export function columnList(columns: readonly Column<never>[]): string {
  return columns.map((column) => column.name).join(', ')
}

/**
 * `unnest($first::type[], ...) AS alias (names)`: the rows of a batch bound column-wise,
 * with placeholders numbered from `first`.
 */
export function unnestRows(columns: readonly Column<never>[], alias: string, first = 1): string {
  const arrays = columns.map((column, index) => `$${first + index}::${column.type}[]`).join(', ')
  return `unnest(${arrays}) AS ${alias} (${columnList(columns)})`
}

/** The batch as one binary array per column, in column order. */
export function columnArrays<R>(columns: readonly Column<R>[], records: readonly R[]): Buffer[] {
  return columns.map((column) => binaryArray(column.type, records.map(column.value)))
}

/** Keys as a binary bigint array, for `= ANY($n::bigint[])` and unnest(). */
export function keyArray(keys: Iterable<Key>): Buffer {
  return binaryArray('bigint', [...keys].map(keyParam))
}

export const processDefinitionColumns: readonly Column<ProcessDefinitionRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'bpmn_process_id', type: 'text', value: (r) => r.bpmnProcessId },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'resource_name', type: 'text', value: (r) => r.resourceName },
  { name: 'xml', type: 'text', value: (r) => r.xml },
  { name: 'content_hash', type: 'text', value: (r) => r.contentHash },
  { name: 'deployed_at', type: 'bigint', value: (r) => r.deployedAt },
]

export interface ProcessDefinitionRow {
  key: string
  bpmn_process_id: string
  version: number
  name: string | null
  resource_name: string
  xml: string
  content_hash: string
  deployed_at: string
}

export function processDefinitionFromRow(row: ProcessDefinitionRow): ProcessDefinitionRecord {
  return {
    key: row.key,
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    name: row.name,
    resourceName: row.resource_name,
    xml: row.xml,
    contentHash: row.content_hash,
    deployedAt: time(row.deployed_at),
  }
}

export const instanceColumns: readonly Column<InstanceRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  {
    name: 'process_definition_key',
    type: 'bigint',
    value: (r) => keyParam(r.processDefinitionKey),
  },
  { name: 'bpmn_process_id', type: 'text', value: (r) => r.bpmnProcessId },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'started_at', type: 'bigint', value: (r) => r.startedAt },
  { name: 'ended_at', type: 'bigint', value: (r) => r.endedAt },
  { name: 'parent_key', type: 'bigint', value: (r) => nullableKeyParam(r.parentKey) },
  { name: 'business_key', type: 'text', value: (r) => r.businessKey },
  { name: 'has_incident', type: 'boolean', value: (r) => r.hasIncident },
  { name: 'state_version', type: 'integer', value: (r) => r.stateVersion },
  { name: 'state', type: 'text', value: (r) => JSON.stringify(r.state) },
]

/** An instance update: the columns that change after the insert, and the version it expects. */
export interface InstanceUpdate {
  readonly record: InstanceRecord
  readonly expectedStateVersion: number
}

export const instanceUpdateColumns: readonly Column<InstanceUpdate>[] = [
  { name: 'key', type: 'bigint', value: (u) => keyParam(u.record.key) },
  { name: 'expected_state_version', type: 'integer', value: (u) => u.expectedStateVersion },
  { name: 'status', type: 'text', value: (u) => u.record.status },
  { name: 'ended_at', type: 'bigint', value: (u) => u.record.endedAt },
  { name: 'has_incident', type: 'boolean', value: (u) => u.record.hasIncident },
  { name: 'state_version', type: 'integer', value: (u) => u.record.stateVersion },
  { name: 'state', type: 'text', value: (u) => JSON.stringify(u.record.state) },
]

export interface InstanceRow {
  key: string
  process_definition_key: string
  bpmn_process_id: string
  version: number
  status: InstanceRecord['status']
  started_at: string
  ended_at: string | null
  parent_key: string | null
  business_key: string | null
  has_incident: boolean
  state_version: number
  state: string
}

export function instanceFromRow(row: InstanceRow): InstanceRecord {
  return {
    key: row.key,
    processDefinitionKey: row.process_definition_key,
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    status: row.status,
    startedAt: time(row.started_at),
    endedAt: nullableTime(row.ended_at),
    parentKey: row.parent_key,
    businessKey: row.business_key,
    hasIncident: row.has_incident,
    stateVersion: row.state_version,
    state: JSON.parse(row.state),
  }
}

/** One commit's events of one instance, as stored: a JSON array with its position range. */
export interface EventBatchRow {
  readonly instanceKey: Key
  readonly fromPosition: number
  readonly toPosition: number
  readonly events: string
}

export const eventBatchColumns: readonly Column<EventBatchRow>[] = [
  { name: 'instance_key', type: 'bigint', value: (r) => keyParam(r.instanceKey) },
  { name: 'from_position', type: 'integer', value: (r) => r.fromPosition },
  { name: 'to_position', type: 'integer', value: (r) => r.toPosition },
  { name: 'events', type: 'text', value: (r) => r.events },
]

export const jobColumns: readonly Column<JobRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'instance_key', type: 'bigint', value: (r) => keyParam(r.instanceKey) },
  { name: 'element_instance_key', type: 'bigint', value: (r) => keyParam(r.elementInstanceKey) },
  { name: 'element_id', type: 'text', value: (r) => r.elementId },
  { name: 'bpmn_process_id', type: 'text', value: (r) => r.bpmnProcessId },
  {
    name: 'process_definition_key',
    type: 'bigint',
    value: (r) => keyParam(r.processDefinitionKey),
  },
  { name: 'type', type: 'text', value: (r) => r.type },
  { name: 'retries', type: 'integer', value: (r) => r.retries },
  { name: 'headers', type: 'text', value: (r) => JSON.stringify(r.headers) },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'worker', type: 'text', value: (r) => r.worker },
  { name: 'deadline', type: 'bigint', value: (r) => r.deadline },
  { name: 'retry_at', type: 'bigint', value: (r) => r.retryAt },
  { name: 'error_message', type: 'text', value: (r) => r.errorMessage },
  { name: 'created_at', type: 'bigint', value: (r) => r.createdAt },
]

export interface JobRow {
  key: string
  instance_key: string
  element_instance_key: string
  element_id: string
  bpmn_process_id: string
  process_definition_key: string
  type: string
  retries: number
  headers: string
  status: JobRecord['status']
  worker: string | null
  deadline: string | null
  retry_at: string | null
  error_message: string | null
  created_at: string
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    key: row.key,
    instanceKey: row.instance_key,
    elementInstanceKey: row.element_instance_key,
    elementId: row.element_id,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: row.process_definition_key,
    type: row.type,
    retries: row.retries,
    headers: JSON.parse(row.headers),
    status: row.status,
    worker: row.worker,
    deadline: nullableTime(row.deadline),
    retryAt: nullableTime(row.retry_at),
    errorMessage: row.error_message,
    createdAt: time(row.created_at),
  }
}

export const userTaskColumns: readonly Column<UserTaskRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'instance_key', type: 'bigint', value: (r) => keyParam(r.instanceKey) },
  { name: 'element_instance_key', type: 'bigint', value: (r) => keyParam(r.elementInstanceKey) },
  { name: 'element_id', type: 'text', value: (r) => r.elementId },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'bpmn_process_id', type: 'text', value: (r) => r.bpmnProcessId },
  {
    name: 'process_definition_key',
    type: 'bigint',
    value: (r) => keyParam(r.processDefinitionKey),
  },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'assignee', type: 'text', value: (r) => r.assignee },
  { name: 'candidate_users', type: 'jsonb', value: (r) => JSON.stringify(r.candidateUsers) },
  { name: 'candidate_groups', type: 'jsonb', value: (r) => JSON.stringify(r.candidateGroups) },
  { name: 'due_date', type: 'text', value: (r) => r.dueDate },
  { name: 'follow_up_date', type: 'text', value: (r) => r.followUpDate },
  { name: 'priority', type: 'integer', value: (r) => r.priority },
  { name: 'form_key', type: 'text', value: (r) => r.formKey },
  { name: 'form_id', type: 'text', value: (r) => r.formId },
  { name: 'created_at', type: 'bigint', value: (r) => r.createdAt },
  { name: 'ended_at', type: 'bigint', value: (r) => r.endedAt },
]

export interface UserTaskRow {
  key: string
  instance_key: string
  element_instance_key: string
  element_id: string
  name: string | null
  bpmn_process_id: string
  process_definition_key: string
  status: UserTaskRecord['status']
  assignee: string | null
  candidate_users: string[]
  candidate_groups: string[]
  due_date: string | null
  follow_up_date: string | null
  priority: number
  form_key: string | null
  form_id: string | null
  created_at: string
  ended_at: string | null
}

export function userTaskFromRow(row: UserTaskRow): UserTaskRecord {
  return {
    key: row.key,
    instanceKey: row.instance_key,
    elementInstanceKey: row.element_instance_key,
    elementId: row.element_id,
    name: row.name,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: row.process_definition_key,
    status: row.status,
    assignee: row.assignee,
    candidateUsers: row.candidate_users,
    candidateGroups: row.candidate_groups,
    dueDate: row.due_date,
    followUpDate: row.follow_up_date,
    priority: row.priority,
    formKey: row.form_key,
    formId: row.form_id,
    createdAt: time(row.created_at),
    endedAt: nullableTime(row.ended_at),
  }
}

export const incidentColumns: readonly Column<IncidentRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'instance_key', type: 'bigint', value: (r) => keyParam(r.instanceKey) },
  { name: 'element_instance_key', type: 'bigint', value: (r) => keyParam(r.elementInstanceKey) },
  { name: 'element_id', type: 'text', value: (r) => r.elementId },
  { name: 'bpmn_process_id', type: 'text', value: (r) => r.bpmnProcessId },
  {
    name: 'process_definition_key',
    type: 'bigint',
    value: (r) => keyParam(r.processDefinitionKey),
  },
  { name: 'error_type', type: 'text', value: (r) => r.errorType },
  { name: 'error_message', type: 'text', value: (r) => r.errorMessage },
  { name: 'job_key', type: 'bigint', value: (r) => nullableKeyParam(r.jobKey) },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'created_at', type: 'bigint', value: (r) => r.createdAt },
  { name: 'resolved_at', type: 'bigint', value: (r) => r.resolvedAt },
]

export interface IncidentRow {
  key: string
  instance_key: string
  element_instance_key: string
  element_id: string
  bpmn_process_id: string
  process_definition_key: string
  error_type: string
  error_message: string
  job_key: string | null
  status: IncidentRecord['status']
  created_at: string
  resolved_at: string | null
}

export function incidentFromRow(row: IncidentRow): IncidentRecord {
  return {
    key: row.key,
    instanceKey: row.instance_key,
    elementInstanceKey: row.element_instance_key,
    elementId: row.element_id,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: row.process_definition_key,
    errorType: row.error_type,
    errorMessage: row.error_message,
    jobKey: row.job_key,
    status: row.status,
    createdAt: time(row.created_at),
    resolvedAt: nullableTime(row.resolved_at),
  }
}

export const subscriptionColumns: readonly Column<SubscriptionRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'kind', type: 'text', value: (r) => r.kind },
  { name: 'instance_key', type: 'bigint', value: (r) => nullableKeyParam(r.instanceKey) },
  {
    name: 'process_definition_key',
    type: 'bigint',
    value: (r) => keyParam(r.processDefinitionKey),
  },
  { name: 'bpmn_process_id', type: 'text', value: (r) => r.bpmnProcessId },
  { name: 'element_id', type: 'text', value: (r) => r.elementId },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'correlation_key', type: 'text', value: (r) => r.correlationKey },
  { name: 'due_at', type: 'bigint', value: (r) => r.dueAt },
  { name: 'payload', type: 'text', value: (r) => JSON.stringify(r.payload) },
  { name: 'created_at', type: 'bigint', value: (r) => r.createdAt },
]

export interface SubscriptionRow {
  key: string
  kind: SubscriptionKind
  instance_key: string | null
  process_definition_key: string
  bpmn_process_id: string
  element_id: string
  name: string | null
  correlation_key: string | null
  due_at: string | null
  payload: string
  created_at: string
}

export function subscriptionFromRow(row: SubscriptionRow): SubscriptionRecord {
  return {
    key: row.key,
    kind: row.kind,
    instanceKey: row.instance_key,
    processDefinitionKey: row.process_definition_key,
    bpmnProcessId: row.bpmn_process_id,
    elementId: row.element_id,
    name: row.name,
    correlationKey: row.correlation_key,
    dueAt: nullableTime(row.due_at),
    payload: JSON.parse(row.payload),
    createdAt: time(row.created_at),
  }
}

export const bufferedMessageColumns: readonly Column<BufferedMessageRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'correlation_key', type: 'text', value: (r) => r.correlationKey },
  { name: 'message_id', type: 'text', value: (r) => r.messageId },
  { name: 'variables', type: 'text', value: (r) => JSON.stringify(r.variables) },
  { name: 'published_at', type: 'bigint', value: (r) => r.publishedAt },
  { name: 'expires_at', type: 'bigint', value: (r) => r.expiresAt },
]

export interface BufferedMessageRow {
  key: string
  name: string
  correlation_key: string
  message_id: string | null
  variables: string
  published_at: string
  expires_at: string
}

export function bufferedMessageFromRow(row: BufferedMessageRow): BufferedMessageRecord {
  return {
    key: row.key,
    name: row.name,
    correlationKey: row.correlation_key,
    messageId: row.message_id,
    variables: JSON.parse(row.variables),
    publishedAt: time(row.published_at),
    expiresAt: time(row.expires_at),
  }
}
