/**
 * A commit batch as one SQL statement: every write of the batch is a data-modifying CTE of a
 * single `WITH ... SELECT`, so that a commit is three round trips (BEGIN, the statement, COMMIT)
 * however many tables it touches, instead of one per table. Statements of a busy commit each cost
 * the server a parse, a plan and an executor start, and the engine a wait on the network.
 *
 * The statement returns the key of each instance row it wrote (one row per insert or update that
 * took effect); the caller compares them with the batch and rolls back on a conflict. The CTEs
 * the SELECT does not read run after it, to completion, in the same transaction.
 *
 * CTEs of one statement all see the database as it was when the statement began and must not
 * modify a row twice, so a key both put and deleted by the batch is only deleted (the outcome of
 * the put-then-delete order the SQLite store applies), and each table gets at most one put and
 * one delete CTE, over disjoint keys.
 */
import type { Key } from '../../engine/types.ts'
import { encodeEvents } from '../event-codec.ts'
import type { CommitBatch, InstanceRecord } from '../store.ts'
import { binaryArray, type ArrayElement, type ArrayElementType } from './postgres-binary-array.ts'
import type { PostgresValue } from './postgres-pool.ts'
import { statisticsWrites, type StatementParams } from './postgres-statistics.ts'
import {
  bufferedMessageColumns,
  columnList,
  compareKeys,
  eventBatchColumns,
  incidentColumns,
  instanceColumns,
  instanceUpdateColumns,
  jobColumns,
  keyArray,
  keyParam,
  subscriptionColumns,
  userTaskColumns,
  type Column,
  type EventBatchRow,
  type InstanceUpdate,
} from './postgres-rows.ts'

/** The placeholders of a statement under construction, numbered in the order values are bound. */
class Params implements StatementParams {
  readonly values: PostgresValue[] = []

  /** Binds a value and returns its placeholder. */
  bind(value: PostgresValue): string {
    this.values.push(value)
    return `$${this.values.length}`
  }

  /** Binds a binary array of `type` and returns its placeholder cast to `type[]`. */
  array(type: ArrayElementType, elements: readonly ArrayElement[]): string {
    return `${this.bind(binaryArray(type, elements))}::${type}[]`
  }

  /** `unnest($a::t1[], $b::t2[], ...) AS alias (columns)` over the records, bound column-wise. */
  rows<R>(columns: readonly Column<R>[], records: readonly R[], alias: string): string {
    const arrays = columns.map((column) => this.array(column.type, records.map(column.value)))
    return `unnest(${arrays.join(', ')}) AS ${alias} (${columnList(columns)})`
  }
}

/** The last put of each key not also deleted, in key order: one statement touches a row once. */
function lastPutPerKey<R extends { readonly key: Key }>(
  puts: readonly R[],
  deleted: ReadonlySet<Key> = new Set(),
): R[] {
  const byKey = new Map<Key, R>()
  for (const put of puts) byKey.set(keyParam(put.key), put)
  for (const key of deleted) byKey.delete(key)
  return [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key))
}

/** The deleted keys, each checked and once. */
function deletedKeys(keys: readonly Key[] | undefined): Set<Key> {
  return new Set((keys ?? []).map(keyParam))
}

/** `INSERT ... SELECT * FROM unnest(...)`, replacing existing rows by key. */
function upsert<R>(
  params: Params,
  table: string,
  columns: readonly Column<R>[],
  records: readonly R[],
  condition: string,
  suffix = '',
): string {
  const updates = columns
    .filter((column) => column.name !== 'key')
    .map((column) => `${column.name} = excluded.${column.name}`)
    .join(', ')
  return (
    `INSERT INTO ${table} (${columnList(columns)}) ` +
    `SELECT * FROM ${params.rows(columns, records, 'batch')}${condition} ` +
    `ON CONFLICT (key) DO UPDATE SET ${updates}${suffix}`
  )
}

/** A commit's statement, or undefined when the batch writes nothing. */
export interface CommitStatement {
  readonly text: string
  readonly values: readonly PostgresValue[]
  /** How many instance rows the statement must write (inserts plus updates). */
  readonly instanceWrites: number
}

/**
 * The statement writing `batch` into schema `s` (quoted), adding statistics to `slot` and
 * sending `notify` (channel and payload) with the commit when given.
 */
export function commitStatement(
  s: string,
  batch: CommitBatch,
  slot: number,
  notify: { readonly channel: string; readonly payload: string } | undefined,
): CommitStatement | undefined {
  const params = new Params()
  const ctes: string[] = []
  const written: string[] = []
  let write = 0
  const add = (sql: string): void => {
    ctes.push(`w${++write} AS (${sql})`)
  }

  const inserts: InstanceRecord[] = []
  const updates: InstanceUpdate[] = []
  for (const { record, expectedStateVersion } of batch.instances) {
    if (expectedStateVersion === null) inserts.push(record)
    else updates.push({ record, expectedStateVersion })
  }
  // Key order everywhere, so that concurrent commits lock shared rows in the same order.
  inserts.sort((a, b) => compareKeys(a.key, b.key))
  updates.sort((a, b) => compareKeys(a.record.key, b.record.key))
  const instances = `${s}.instances`
  if (inserts.length > 0) {
    ctes.push(
      `inserted AS (INSERT INTO ${instances} (${columnList(instanceColumns)}) ` +
        `SELECT * FROM ${params.rows(instanceColumns, inserts, 'batch')} ` +
        'ON CONFLICT (key) DO NOTHING RETURNING key)',
    )
    written.push('SELECT key FROM inserted')
  }
  if (updates.length > 0) {
    // The rows are locked in key order before they are updated, so that two commits touching
    // the same instances queue behind each other instead of deadlocking.
    ctes.push(
      `update_batch AS (SELECT * FROM ${params.rows(instanceUpdateColumns, updates, 'batch')})`,
      `locked AS MATERIALIZED (
        SELECT i.key FROM ${instances} i
        JOIN update_batch b ON b.key = i.key AND b.expected_state_version = i.state_version
        ORDER BY i.key FOR UPDATE OF i
      )`,
      `updated AS (
        UPDATE ${instances} i SET status = b.status, ended_at = b.ended_at,
          has_incident = b.has_incident, state_version = b.state_version, state = b.state
        FROM update_batch b
        WHERE i.key = b.key AND i.state_version = b.expected_state_version
          AND i.key IN (SELECT key FROM locked)
        RETURNING i.key
      )`,
    )
    written.push('SELECT key FROM updated')
  }
  // Nothing else is written unless every instance was: a conflicting commit must not even try
  // to append its events (their positions are taken by the commit it conflicts with).
  const instanceWrites = inserts.length + updates.length
  let condition = ''
  let and = ''
  if (instanceWrites > 0) {
    const counts = [
      ...(inserts.length > 0 ? ['(SELECT count(*) FROM inserted)'] : []),
      ...(updates.length > 0 ? ['(SELECT count(*) FROM updated)'] : []),
    ]
    ctes.push(`complete AS (SELECT ${counts.join(' + ')} = ${params.bind(instanceWrites)} AS ok)`)
    condition = ' WHERE (SELECT ok FROM complete)'
    and = ' AND (SELECT ok FROM complete)'
  }

  const eventRows: EventBatchRow[] = batch.events
    .filter(({ events }) => events.length > 0)
    .map(({ instanceKey, fromPosition, events }) => ({
      instanceKey,
      fromPosition,
      toPosition: fromPosition + events.length - 1,
      events: encodeEvents(events),
    }))
    .sort((a, b) => compareKeys(a.instanceKey, b.instanceKey) || a.fromPosition - b.fromPosition)
  if (eventRows.length > 0) {
    add(
      `INSERT INTO ${s}.instance_events (${columnList(eventBatchColumns)}) ` +
        `SELECT * FROM ${params.rows(eventBatchColumns, eventRows, 'batch')}${condition}`,
    )
  }

  const jobDeletes = deletedKeys(batch.jobDeletes)
  const jobs = lastPutPerKey(batch.jobPuts, jobDeletes)
  if (jobs.length > 0) add(upsert(params, `${s}.jobs`, jobColumns, jobs, condition))
  if (jobDeletes.size > 0) {
    add(
      `DELETE FROM ${s}.jobs WHERE key = ANY(${params.bind(keyArray(jobDeletes))}::bigint[])${and}`,
    )
  }
  const tasks = lastPutPerKey(batch.userTaskPuts)
  if (tasks.length > 0) add(upsert(params, `${s}.user_tasks`, userTaskColumns, tasks, condition))
  const incidents = lastPutPerKey(batch.incidentPuts)
  if (incidents.length > 0) {
    add(upsert(params, `${s}.incidents`, incidentColumns, incidents, condition))
  }

  const subscriptionDeletes = deletedKeys(batch.subscriptionDeletes)
  const subscriptions = lastPutPerKey(batch.subscriptionPuts ?? [], subscriptionDeletes)
  if (subscriptions.length > 0) {
    // A put (a timer cycle's next due time) ends any node's claim on the row.
    const table = `${s}.subscriptions`
    add(
      upsert(
        params,
        table,
        subscriptionColumns,
        subscriptions,
        condition,
        ', claimed_until = NULL',
      ),
    )
  }
  if (subscriptionDeletes.size > 0) {
    add(
      `DELETE FROM ${s}.subscriptions WHERE key = ANY(${params.bind(keyArray(subscriptionDeletes))}::bigint[])${and}`,
    )
  }
  const messageDeletes = deletedKeys(batch.messageDeletes)
  const messages = lastPutPerKey(batch.messagePuts ?? [], messageDeletes)
  if (messages.length > 0) {
    add(upsert(params, `${s}.buffered_messages`, bufferedMessageColumns, messages, condition))
  }
  if (messageDeletes.size > 0) {
    add(
      `DELETE FROM ${s}.buffered_messages WHERE key = ANY(${params.bind(keyArray(messageDeletes))}::bigint[])${and}`,
    )
  }
  // Counters alone are no reason to commit (every batch that has them writes something else).
  if (ctes.length === 0) return undefined
  const deltas = batch.elementStatistics ?? []
  for (const sql of statisticsWrites(params, s, slot, deltas, condition)) add(sql)
  // pg_notify is called by the SELECT itself (a CTE nobody reads that is not a write does not
  // run); the notification is delivered when the transaction commits.
  if (notify !== undefined) {
    written.push(
      `SELECT NULL FROM pg_notify(${params.bind(notify.channel)}, ${params.bind(notify.payload)})`,
    )
  }
  const select =
    written.length > 0 ? written.join(' UNION ALL ') : 'SELECT NULL::bigint WHERE false'
  return {
    text: `WITH ${ctes.join(',\n')}\n${select}`,
    values: params.values,
    instanceWrites,
  }
}
