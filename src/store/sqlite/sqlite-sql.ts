/** Column lists and SQL text shared by the SQLite store and its writer. */

export const instanceColumns =
  'key, process_definition_key, bpmn_process_id, version, status, started_at, ended_at, ' +
  'parent_key, business_key, has_incident, state_version, state'
export const jobColumns =
  'key, instance_key, element_instance_key, element_id, bpmn_process_id, process_definition_key, ' +
  'type, retries, headers, status, worker, deadline, retry_at, error_message, created_at'
export const userTaskColumns =
  'key, instance_key, element_instance_key, element_id, name, bpmn_process_id, ' +
  'process_definition_key, status, assignee, candidate_users, candidate_groups, due_date, ' +
  'follow_up_date, priority, form_key, form_id, created_at, ended_at'
export const incidentColumns =
  'key, instance_key, element_instance_key, element_id, bpmn_process_id, process_definition_key, ' +
  'error_type, error_message, job_key, status, created_at, resolved_at'
export const processDefinitionColumns =
  'key, bpmn_process_id, version, name, resource_name, xml, content_hash, deployed_at'
export const decisionDefinitionColumns =
  'key, decision_id, version, name, decision_requirements_id, resource_name, xml, ' +
  'content_hash, deployed_at'
export const subscriptionColumns =
  'key, kind, instance_key, process_definition_key, bpmn_process_id, element_id, name, ' +
  'correlation_key, due_at, payload, created_at'
export const bufferedMessageColumns =
  'key, name, correlation_key, message_id, variables, published_at, expires_at'

/** `INSERT ... ON CONFLICT(key) DO UPDATE` of every column: a put replaces the row in place. */
export function upsertSql(table: string, columns: string): string {
  const names = columns.split(', ')
  const placeholders = names.map(() => '?').join(', ')
  const updates = names
    .filter((name) => name !== 'key')
    .map((name) => `${name} = excluded.${name}`)
    .join(', ')
  return `INSERT INTO ${table} (${columns}) VALUES (${placeholders}) ON CONFLICT (key) DO UPDATE SET ${updates}`
}

/**
 * The statement that leases jobs of `typeCount` types, bound to (worker, deadline, then type,
 * now, max for each type, then max). One indexed range of jobs_due per type, each stopping
 * after max entries, merged and cut to max: leased jobs whose lease has not expired are not in
 * the range, so the work does not grow with the jobs workers hold. The inner ORDER BY is the
 * index's own order (each entry ends with the rowid), so only the merge is sorted. One
 * statement: the selection and the lease are atomic, so two callers never share a job.
 */
export function activateJobsSql(typeCount: number): string {
  const range =
    'SELECT key, due_at FROM (SELECT key, due_at FROM jobs WHERE type = ? AND due_at <= ? ' +
    'ORDER BY due_at, key LIMIT ?)'
  return `UPDATE jobs SET status = 'activated', worker = ?, deadline = ? WHERE key IN (
      SELECT key FROM (${Array.from({ length: typeCount }, () => range).join(' UNION ALL ')})
      ORDER BY due_at, key LIMIT ?
    ) RETURNING ${jobColumns}`
}
