/**
 * A commit turned into statement parameters (state documents and events already JSON), and the
 * writer that applies one in a transaction.
 *
 * The parameters are made on the engine's thread, at commit time: they are a snapshot, so the
 * engine may go on changing its cached state objects while the write runs (on the commit thread,
 * see commit-thread.ts), and they are plain arrays of numbers and strings, cheap to post there.
 */
import { encodeEvents } from '../event-codec.ts'
import type { ElementStatisticsDelta } from '../statistics.ts'
import { ConcurrencyConflictError, type ActiveMessageStart, type CommitBatch } from '../store.ts'
import type {
  SqliteDatabase,
  SqliteStatement,
  SqliteTransaction,
  SqliteValue,
} from './sqlite-database.ts'
import {
  bufferedMessageParams,
  incidentParams,
  instanceInsertParams,
  jobParams,
  keyParam,
  subscriptionParams,
  userTaskParams,
} from './sqlite-rows.ts'
import { SqliteStatistics } from './sqlite-statistics.ts'
import { upsertSql } from './sqlite-sql.ts'
import {
  bufferedMessageColumns,
  incidentColumns,
  instanceColumns,
  jobColumns,
  subscriptionColumns,
  userTaskColumns,
} from './sqlite-sql.ts'

/** One commit as statement parameters, in the order they are written. */
export interface SqliteWrite {
  /** New instances: the insert's parameters (the key first). */
  readonly instanceInserts: readonly (readonly SqliteValue[])[]
  /** Changed instances: the update's parameters (the key second to last). */
  readonly instanceUpdates: readonly (readonly SqliteValue[])[]
  readonly events: readonly (readonly SqliteValue[])[]
  readonly jobPuts: readonly (readonly SqliteValue[])[]
  readonly jobDeletes: readonly number[]
  readonly userTaskPuts: readonly (readonly SqliteValue[])[]
  readonly incidentPuts: readonly (readonly SqliteValue[])[]
  readonly subscriptionPuts: readonly (readonly SqliteValue[])[]
  readonly subscriptionDeletes: readonly number[]
  readonly messagePuts: readonly (readonly SqliteValue[])[]
  readonly messageDeletes: readonly number[]
  /** Active message starts: (bpmn process id, correlation key, instance key). */
  readonly messageStartPuts: readonly (readonly SqliteValue[])[]
  readonly messageStartDeletes: readonly (readonly SqliteValue[])[]
  readonly elementStatistics: readonly ElementStatisticsDelta[]
}

const none: readonly never[] = []

/** Makes the statement parameters of a commit (the JSON of every state document and event list). */
export function toSqliteWrite(batch: CommitBatch): SqliteWrite {
  const instanceInserts: SqliteValue[][] = []
  const instanceUpdates: SqliteValue[][] = []
  for (const { record, expectedStateVersion } of batch.instances) {
    if (expectedStateVersion === null) instanceInserts.push(instanceInsertParams(record))
    else {
      instanceUpdates.push([
        record.status,
        record.endedAt,
        record.hasIncident ? 1 : 0,
        record.stateVersion,
        JSON.stringify(record.state),
        keyParam(record.key),
        expectedStateVersion,
      ])
    }
  }
  const events: SqliteValue[][] = []
  for (const { instanceKey, fromPosition, events: list } of batch.events) {
    if (list.length === 0) continue
    events.push([
      keyParam(instanceKey),
      fromPosition,
      fromPosition + list.length - 1,
      encodeEvents(list),
    ])
  }
  return {
    instanceInserts,
    instanceUpdates,
    events,
    jobPuts: batch.jobPuts.map(jobParams),
    jobDeletes: batch.jobDeletes.map(keyParam),
    userTaskPuts: batch.userTaskPuts.map(userTaskParams),
    incidentPuts: batch.incidentPuts.map(incidentParams),
    subscriptionPuts: batch.subscriptionPuts?.map(subscriptionParams) ?? none,
    subscriptionDeletes: batch.subscriptionDeletes?.map(keyParam) ?? none,
    messagePuts: batch.messagePuts?.map(bufferedMessageParams) ?? none,
    messageDeletes: batch.messageDeletes?.map(keyParam) ?? none,
    messageStartPuts: batch.messageStartPuts?.map(activeMessageStartParams) ?? none,
    messageStartDeletes: batch.messageStartDeletes?.map(activeMessageStartParams) ?? none,
    elementStatistics: batch.elementStatistics ?? none,
  }
}

function activeMessageStartParams(record: ActiveMessageStart): SqliteValue[] {
  return [record.bpmnProcessId, record.correlationKey, keyParam(record.instanceKey)]
}

function isPrimaryKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/** The statements of a commit, prepared once on one connection. */
export class SqliteWriter {
  readonly #insertInstance: SqliteStatement
  readonly #updateInstance: SqliteStatement
  readonly #insertEvents: SqliteStatement
  readonly #upsertJob: SqliteStatement
  readonly #deleteJob: SqliteStatement
  readonly #upsertUserTask: SqliteStatement
  readonly #upsertIncident: SqliteStatement
  readonly #upsertSubscription: SqliteStatement
  readonly #deleteSubscription: SqliteStatement
  readonly #upsertMessage: SqliteStatement
  readonly #deleteMessage: SqliteStatement
  readonly #insertMessageStart: SqliteStatement
  readonly #deleteMessageStart: SqliteStatement
  readonly #statistics: SqliteStatistics
  readonly #transaction: SqliteTransaction<[SqliteWrite], void>

  constructor(db: SqliteDatabase) {
    this.#insertInstance = db.prepare(
      `INSERT INTO instances (${instanceColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    // Only the columns that change after the insert, so that the other indexes are left alone.
    this.#updateInstance = db.prepare(
      'UPDATE instances SET status = ?, ended_at = ?, has_incident = ?, state_version = ?, state = ? ' +
        'WHERE key = ? AND state_version = ?',
    )
    this.#insertEvents = db.prepare(
      'INSERT INTO instance_events (instance_key, from_position, to_position, events) VALUES (?, ?, ?, ?)',
    )
    this.#upsertJob = db.prepare(upsertSql('jobs', jobColumns))
    this.#deleteJob = db.prepare('DELETE FROM jobs WHERE key = ?')
    this.#upsertUserTask = db.prepare(upsertSql('user_tasks', userTaskColumns))
    this.#upsertIncident = db.prepare(upsertSql('incidents', incidentColumns))
    this.#upsertSubscription = db.prepare(upsertSql('subscriptions', subscriptionColumns))
    this.#deleteSubscription = db.prepare('DELETE FROM subscriptions WHERE key = ?')
    this.#upsertMessage = db.prepare(upsertSql('buffered_messages', bufferedMessageColumns))
    this.#deleteMessage = db.prepare('DELETE FROM buffered_messages WHERE key = ?')
    // A row for the process and key already: another writer started an instance for it first.
    this.#insertMessageStart = db.prepare(
      'INSERT INTO active_message_starts (bpmn_process_id, correlation_key, instance_key) ' +
        'VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    )
    this.#deleteMessageStart = db.prepare(
      'DELETE FROM active_message_starts ' +
        'WHERE bpmn_process_id = ? AND correlation_key = ? AND instance_key = ?',
    )
    this.#statistics = new SqliteStatistics(db)
    this.#transaction = db.transaction((write: SqliteWrite) => this.#write(write))
  }

  /**
   * Writes one commit in one transaction (BEGIN IMMEDIATE): all or nothing. Throws
   * ConcurrencyConflictError when an instance is not at its expected state version.
   */
  write(write: SqliteWrite): void {
    this.#transaction.immediate(write)
  }

  #write(write: SqliteWrite): void {
    for (const params of write.instanceInserts) {
      try {
        this.#insertInstance.run(...params)
      } catch (error) {
        if (isPrimaryKeyViolation(error)) throw new ConcurrencyConflictError(String(params[0]))
        throw error
      }
    }
    for (const params of write.instanceUpdates) {
      const result = this.#updateInstance.run(...params)
      if (result.changes === 0) throw new ConcurrencyConflictError(String(params[5]))
    }
    for (const params of write.events) this.#insertEvents.run(...params)
    for (const params of write.jobPuts) this.#upsertJob.run(...params)
    for (const key of write.jobDeletes) this.#deleteJob.run(key)
    for (const params of write.userTaskPuts) this.#upsertUserTask.run(...params)
    for (const params of write.incidentPuts) this.#upsertIncident.run(...params)
    // Puts before deletes, so that a subscription opened and closed by one commit ends up closed.
    for (const params of write.subscriptionPuts) this.#upsertSubscription.run(...params)
    for (const key of write.subscriptionDeletes) this.#deleteSubscription.run(key)
    for (const params of write.messagePuts) this.#upsertMessage.run(...params)
    for (const key of write.messageDeletes) this.#deleteMessage.run(key)
    // Deletes before puts: an instance that ends hands its key on to the one its end started.
    for (const params of write.messageStartDeletes) this.#deleteMessageStart.run(...params)
    for (const params of write.messageStartPuts) {
      const result = this.#insertMessageStart.run(...params)
      if (result.changes === 0) throw new ConcurrencyConflictError(String(params[2]))
    }
    if (write.elementStatistics.length > 0) this.#statistics.write(write.elementStatistics)
  }
}
