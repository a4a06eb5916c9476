/**
 * The embedded Store adapter: one SQLite file (WAL) or `:memory:`, through better-sqlite3.
 *
 * better-sqlite3 is synchronous, so every method runs to completion before the next one starts
 * within this process; transactions (BEGIN IMMEDIATE where a method reads then writes) keep other
 * processes sharing the file correct too.
 */
import type {
  ElementStatisticsRecord,
  IncidentGroupRecord,
  ProcessDefinitionStatisticsRecord,
} from '../statistics.ts'
import { SqliteStatistics } from './sqlite-statistics.ts'
import { variableClause } from './sqlite-variable-filter.ts'
import type { EngineEvent, Key } from '../../engine/types.ts'
import {
  type ActivateJobsRequest,
  type CommitBatch,
  type DecisionDefinitionRecord,
  type IncidentFilter,
  type IncidentRecord,
  type InstanceFilter,
  type InstanceRecord,
  type JobRecord,
  type Page,
  type ProcessDefinitionRecord,
  type Store,
  type UserTaskFilter,
  type UserTaskRecord,
} from '../store.ts'
import type {
  BufferedMessageRecord,
  SubscriptionRecord,
  SubscriptionStore,
} from '../subscriptions.ts'
import {
  openSqliteDatabase,
  type SqliteDatabase,
  type SqliteStatement,
  type SqliteTransaction,
  type SqliteValue,
} from './sqlite-database.ts'
import {
  bufferedMessageFromRow,
  decisionDefinitionFromRow,
  decisionDefinitionParams,
  incidentFromRow,
  instanceFromRow,
  jobFromRow,
  parseKey,
  processDefinitionFromRow,
  processDefinitionParams,
  subscriptionFromRow,
  userTaskFromRow,
  type BufferedMessageRow,
  type DecisionDefinitionRow,
  type IncidentRow,
  type InstanceRow,
  type JobRow,
  type ProcessDefinitionRow,
  type SubscriptionRow,
  type UserTaskRow,
} from './sqlite-rows.ts'
import { migrate } from './sqlite-schema.ts'
import {
  activateJobsSql,
  bufferedMessageColumns,
  decisionDefinitionColumns,
  incidentColumns,
  instanceColumns,
  jobColumns,
  processDefinitionColumns,
  subscriptionColumns,
  upsertSql,
  userTaskColumns,
} from './sqlite-sql.ts'
import { SqliteWriter, toSqliteWrite, type SqliteWrite } from './sqlite-write.ts'
import { WalSync } from './wal-sync.ts'
import { CommitThread, type CommitThreadData } from './commit-thread.ts'
import { resolve } from 'node:path'
import { statSync } from 'node:fs'
import { Checkpointer } from './checkpointer.ts'
import { decodeEvents } from '../event-codec.ts'

export interface SqliteStoreOptions {
  /** A file path (parent directories are created) or `':memory:'`. */
  readonly path: string
  /**
   * `true` (default): `synchronous=FULL`, a commit that returned survives a process crash and a
   * power loss. `false`: `synchronous=NORMAL`, survives a process crash; a power loss may lose
   * the last commits (never corrupts the file).
   */
  readonly durable?: boolean
  /** How long a writer waits for another process's write lock before failing (default 5000). */
  readonly busyTimeoutMs?: number
  /**
   * Durable file stores: fsync the write-ahead log off the engine's thread (default true; see
   * wal-sync.ts), so that the engine builds its next batch during the disk flush. A commit still
   * resolves only once it is on disk, and reads wait for it.
   */
  readonly backgroundSync?: boolean
  /**
   * Durable file stores with `backgroundSync`: once a commit has at least this many rows, start
   * writing commits on a worker thread (see commit-thread.ts). Default 256; 0: from the first
   * commit; `Infinity`: never.
   */
  readonly commitThreadMinRows?: number
  /**
   * File stores: once the write-ahead log is this large, the checkpoint worker starts it over
   * (see checkpointer.ts), so a steady load keeps it near this size. Default 32 MiB.
   */
  readonly restartLogBytes?: number
}

/** A file store's checkpoint worker, its log, and when the worker starts the log over. */
interface BackgroundCheckpoints {
  readonly worker: Checkpointer
  readonly logPath: string
  readonly restartLogBytes: number
}

/** Default and maximum page sizes of the query methods. */
export const defaultPageLimit = 100
export const maxPageLimit = 1000

/** A WHERE clause under construction; `impossible` when a filter can match nothing. */
interface Where {
  readonly clauses: string[]
  readonly params: SqliteValue[]
  impossible: boolean
}

function newWhere(): Where {
  return { clauses: [], params: [], impossible: false }
}

/** Adds `column = key`; a malformed key cannot match any row. */
function whereKey(where: Where, column: string, key: Key): void {
  const value = parseKey(key)
  if (value === undefined) where.impossible = true
  where.clauses.push(`${column} = ?`)
  where.params.push(value ?? null)
}

function whereEquals(where: Where, column: string, value: string): void {
  where.clauses.push(`${column} = ?`)
  where.params.push(value)
}

function resolvePage(page: Page | undefined): { after: number; limit: number } {
  const limit = page?.limit ?? defaultPageLimit
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`invalid page limit ${limit}: use an integer from 1 to ${maxPageLimit}`)
  }
  let after = -1
  if (page?.after !== undefined) {
    const parsed = parseKey(page.after)
    if (parsed === undefined) {
      throw new RangeError(
        `invalid page cursor ${JSON.stringify(page.after)}: use the key of the last item of the previous page`,
      )
    }
    after = parsed
  }
  return { after, limit: Math.min(limit, maxPageLimit) }
}

/** A LIMIT bound: SQLite reads a negative LIMIT as "no limit" and refuses a fraction obscurely. */
function checkLimit(method: string, limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`invalid limit ${limit} for ${method}: use a non-negative integer`)
  }
}

/**
 * The SQLite Store. Create it with {@link openSqliteStore}.
 */
export class SqliteStore implements Store, SubscriptionStore {
  readonly #db: SqliteDatabase
  readonly #statements = new Map<string, SqliteStatement>()

  readonly #statistics: SqliteStatistics
  readonly #writer: SqliteWriter
  /** Durable file stores: the fsync of the log after each write (see wal-sync.ts). */
  #walSync: WalSync | undefined
  /** File stores: checkpoints off the engine's thread (see checkpointer.ts). */
  #checkpointer: BackgroundCheckpoints | undefined
  /** Durable file stores: commits written on a worker thread (see commit-thread.ts). */
  #commitThread: CommitThread | undefined
  /** How to start the commit thread, and from which commit size. */
  #commitThreadStart: { readonly data: CommitThreadData; readonly minRows: number } | undefined
  /** When a commit last asked for a checkpoint (performance.now()). */
  #checkpointAskedAt = -Infinity
  /** A request put off to the end of the interval (see #checkpoint). */
  #checkpointTimer: NodeJS.Timeout | undefined
  /** The log's size when a checkpoint was last asked for (SQLite reuses it from its start). */
  #logBytes = 0

  readonly #reserveKeys: SqliteStatement
  readonly #upsertProcessDefinition: SqliteStatement
  readonly #saveProcessDefinitions: SqliteTransaction<[readonly ProcessDefinitionRecord[]], void>
  readonly #listProcessDefinitions: SqliteStatement
  readonly #upsertDecisionDefinition: SqliteStatement
  readonly #saveDecisionDefinitions: SqliteTransaction<[readonly DecisionDefinitionRecord[]], void>
  readonly #listDecisionDefinitions: SqliteStatement
  readonly #loadInstance: SqliteStatement
  readonly #getJob: SqliteStatement
  readonly #getUserTask: SqliteStatement
  readonly #getIncident: SqliteStatement
  readonly #readEvents: SqliteStatement
  readonly #nextJobDueAt: SqliteStatement
  readonly #releaseAllJobLeases: SqliteStatement
  readonly #dueTimers: SqliteStatement
  readonly #nextTimerDueAt: SqliteStatement
  readonly #messageSubscriptions: SqliteStatement
  readonly #messageStartSubscriptions: SqliteStatement
  readonly #signalSubscriptions: SqliteStatement
  readonly #startSubscriptionsOf: SqliteStatement
  readonly #activeMessageStart: SqliteStatement
  readonly #bufferedMessages: SqliteStatement
  readonly #bufferedMessageById: SqliteStatement
  readonly #deleteExpiredMessages: SqliteStatement
  readonly #deleteEndedInstances: (endedBefore: number, limit: number) => number

  /** @internal Use {@link openSqliteStore}. */
  constructor(db: SqliteDatabase) {
    this.#db = db
    this.#statistics = new SqliteStatistics(db)
    this.#writer = new SqliteWriter(db)

    this.#reserveKeys = db.prepare('UPDATE keys SET next = next + ? WHERE id = 1 RETURNING next')
    this.#upsertProcessDefinition = db.prepare(
      upsertSql('process_definitions', processDefinitionColumns),
    )
    this.#saveProcessDefinitions = db.transaction((records: readonly ProcessDefinitionRecord[]) => {
      for (const record of records) {
        this.#upsertProcessDefinition.run(...processDefinitionParams(record))
      }
    })
    this.#listProcessDefinitions = db.prepare(
      `SELECT ${processDefinitionColumns} FROM process_definitions ORDER BY bpmn_process_id, version`,
    )
    this.#upsertDecisionDefinition = db.prepare(
      upsertSql('decision_definitions', decisionDefinitionColumns),
    )
    this.#saveDecisionDefinitions = db.transaction(
      (records: readonly DecisionDefinitionRecord[]) => {
        for (const record of records) {
          this.#upsertDecisionDefinition.run(...decisionDefinitionParams(record))
        }
      },
    )
    this.#listDecisionDefinitions = db.prepare(
      `SELECT ${decisionDefinitionColumns} FROM decision_definitions ORDER BY decision_id, version`,
    )
    this.#loadInstance = db.prepare(`SELECT ${instanceColumns} FROM instances WHERE key = ?`)
    this.#getJob = db.prepare(`SELECT ${jobColumns} FROM jobs WHERE key = ?`)
    this.#getUserTask = db.prepare(`SELECT ${userTaskColumns} FROM user_tasks WHERE key = ?`)
    this.#getIncident = db.prepare(`SELECT ${incidentColumns} FROM incidents WHERE key = ?`)
    this.#readEvents = db.prepare(
      'SELECT from_position, events FROM instance_events WHERE instance_key = ? ORDER BY from_position',
    )
    this.#nextJobDueAt = db.prepare(
      'SELECT min(due_at) AS due FROM jobs WHERE type = ? AND due_at IS NOT NULL',
    )
    this.#releaseAllJobLeases = db.prepare(
      "UPDATE jobs SET status = 'activatable', worker = NULL, deadline = NULL WHERE status = 'activated'",
    )

    // The literal kinds let the partial indexes apply; every list is in a stable order.
    this.#dueTimers = db.prepare(
      `SELECT ${subscriptionColumns} FROM subscriptions ` +
        "WHERE kind = 'timer' AND due_at <= ? ORDER BY due_at, key LIMIT ?",
    )
    this.#nextTimerDueAt = db.prepare(
      "SELECT due_at FROM subscriptions WHERE kind = 'timer' ORDER BY due_at LIMIT 1",
    )
    this.#messageSubscriptions = db.prepare(
      `SELECT ${subscriptionColumns} FROM subscriptions ` +
        "WHERE kind = 'message' AND name = ? AND correlation_key = ? AND instance_key IS NOT NULL " +
        'ORDER BY key',
    )
    // A start event has no correlation key: the IS NULL seeks straight to the start events
    // instead of walking every instance's subscription to this message.
    this.#messageStartSubscriptions = db.prepare(
      `SELECT ${subscriptionColumns} FROM subscriptions ` +
        "WHERE kind = 'message' AND name = ? AND correlation_key IS NULL AND instance_key IS NULL " +
        'ORDER BY key',
    )
    this.#signalSubscriptions = db.prepare(
      `SELECT ${subscriptionColumns} FROM subscriptions ` +
        "WHERE kind = 'signal' AND name = ? ORDER BY key",
    )
    this.#startSubscriptionsOf = db.prepare(
      `SELECT ${subscriptionColumns} FROM subscriptions ` +
        'WHERE process_definition_key = ? AND instance_key IS NULL ORDER BY key',
    )
    this.#activeMessageStart = db.prepare(
      'SELECT instance_key FROM active_message_starts ' +
        'WHERE bpmn_process_id = ? AND correlation_key = ?',
    )
    this.#bufferedMessages = db.prepare(
      `SELECT ${bufferedMessageColumns} FROM buffered_messages ` +
        'WHERE name = ? AND correlation_key = ? AND expires_at >= ? ORDER BY key',
    )
    this.#bufferedMessageById = db.prepare(
      `SELECT ${bufferedMessageColumns} FROM buffered_messages ` +
        'WHERE message_id = ? AND expires_at >= ? ORDER BY key LIMIT 1',
    )
    this.#deleteExpiredMessages = db.prepare(
      'DELETE FROM buffered_messages WHERE key IN (' +
        'SELECT key FROM buffered_messages WHERE expires_at < ? ORDER BY expires_at LIMIT ?)',
    )
    const pickEnded = db.prepare(
      "SELECT key FROM instances WHERE status <> 'active' AND ended_at < ? ORDER BY ended_at LIMIT ?",
    )
    // Jobs and subscriptions hold open rows only (few), so they need no index by instance.
    const deletes = ['instance_events', 'user_tasks', 'incidents', 'jobs', 'subscriptions'].map(
      (table) =>
        db.prepare(`DELETE FROM ${table} WHERE instance_key IN (SELECT value FROM json_each(?))`),
    )
    const deleteInstances = db.prepare(
      'DELETE FROM instances WHERE key IN (SELECT value FROM json_each(?))',
    )
    this.#deleteEndedInstances = db.transaction((endedBefore: number, limit: number) => {
      const rows = pickEnded.all(endedBefore, limit) as { key: number | bigint }[]
      const keys = rows.map((row) => String(row.key))
      if (keys.length === 0) return 0
      const list = `[${keys.join(',')}]`
      for (const statement of deletes) statement.run(list)
      return deleteInstances.run(list).changes
    })
  }

  /** Prepares a statement once per distinct SQL text (dynamic filters, IN lists). */
  #statement(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  async reserveKeys(count: number): Promise<number> {
    await this.#settled()
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`cannot reserve ${count} keys: count must be a positive integer`)
    }
    const row = this.#reserveKeys.get(count) as { next: number }
    await this.#durable()
    return row.next - count
  }

  async saveProcessDefinitions(records: readonly ProcessDefinitionRecord[]): Promise<void> {
    await this.#settled()
    this.#saveProcessDefinitions.immediate(records)
    await this.#durable()
  }

  async listProcessDefinitions(): Promise<ProcessDefinitionRecord[]> {
    await this.#settled()
    const rows = this.#listProcessDefinitions.all() as ProcessDefinitionRow[]
    return rows.map(processDefinitionFromRow)
  }

  async saveDecisionDefinitions(records: readonly DecisionDefinitionRecord[]): Promise<void> {
    await this.#settled()
    this.#saveDecisionDefinitions.immediate(records)
    await this.#durable()
  }

  async listDecisionDefinitions(): Promise<DecisionDefinitionRecord[]> {
    await this.#settled()
    const rows = this.#listDecisionDefinitions.all() as DecisionDefinitionRow[]
    return rows.map(decisionDefinitionFromRow)
  }

  async loadInstance(key: Key): Promise<InstanceRecord | undefined> {
    await this.#settled()
    const value = parseKey(key)
    if (value === undefined) return undefined
    const row = this.#loadInstance.get(value) as InstanceRow | undefined
    return row === undefined ? undefined : instanceFromRow(row)
  }

  async commit(batch: CommitBatch): Promise<void> {
    const write = toSqliteWrite(batch)
    const thread = this.#commitThreadFor(write)
    if (thread !== undefined) {
      const done = thread.commit(write)
      const checkpointer = this.#checkpointer
      // Once written: a checkpoint asked for before would not reach this commit's pages.
      if (checkpointer)
        done.then(
          () => this.#checkpoint(checkpointer),
          () => undefined,
        )
      return done
    }
    this.#writer.write(write)
    if (this.#checkpointer) this.#checkpoint(this.#checkpointer)
    await this.#walSync?.flush()
  }

  /** The commit thread if commits go there now; starts it at the first commit large enough. */
  #commitThreadFor(write: SqliteWrite): CommitThread | undefined {
    const thread = this.#commitThread
    if (thread !== undefined) return thread.usable ? thread : undefined
    const start = this.#commitThreadStart
    if (start === undefined) return undefined
    const rows =
      write.instanceInserts.length +
      write.instanceUpdates.length +
      write.events.length +
      write.jobPuts.length +
      write.jobDeletes.length
    if (rows < start.minRows) return undefined
    // Written here until the thread is ready.
    this.#commitThread = new CommitThread(start.data)
    return undefined
  }

  #checkpoint(checkpointer: BackgroundCheckpoints): void {
    // At most one request per interval: a light load commits hundreds of small batches a second,
    // and a checkpoint after each one fsynced the database file as often as the log.
    const now = performance.now()
    const wait = this.#checkpointAskedAt + CHECKPOINT_INTERVAL_MS - now
    if (wait > 0) {
      // Asked again once the interval is over, so that the last commits of a burst are folded
      // in too: the log is rewound only by a commit that finds it wholly checkpointed. (A log
      // that never grew past a megabyte is left for the next commit's request.)
      if (this.#checkpointTimer === undefined && this.#logBytes >= DEFERRED_CHECKPOINT_BYTES) {
        this.#checkpointTimer = setTimeout(() => {
          this.#checkpointTimer = undefined
          this.#checkpoint(checkpointer)
        }, wait)
        this.#checkpointTimer.unref()
      }
      return
    }
    this.#checkpointAskedAt = now
    let logBytes = 0
    try {
      logBytes = statSync(checkpointer.logPath).size
    } catch {
      // No log yet.
    }
    this.#logBytes = logBytes
    // The worker never caught up long enough for a commit to rewind the log: do it here.
    if (logBytes > MAX_LOG_BYTES) this.#db.pragma('wal_checkpoint(RESTART)', { simple: true })
    else
      checkpointer.worker.request(logBytes > checkpointer.restartLogBytes ? 'restart' : 'passive')
  }

  /**
   * With the log fsynced in the background, the engine may build its next batch during a
   * commit's fsync: commits are written when commit is called, in call order, and every other
   * method waits for the fsync of the commits before it (see Store.pipelinedCommits).
   */
  get pipelinedCommits(): boolean {
    return this.#walSync !== undefined
  }

  /**
   * Four once commits go to the commit thread: the engine posts its next batches while the
   * thread writes the earlier ones, so neither thread waits for the other, and one fsync covers
   * the commits that queued meanwhile (see Store.commitsInFlight).
   */
  get commitsInFlight(): number {
    return this.#commitThread?.usable === true ? COMMITS_IN_FLIGHT : 1
  }

  /** Batches of up to 200 commands while commits go to the commit thread. */
  get pipelinedBatchLimit(): number | undefined {
    return this.#commitThread?.usable === true ? PIPELINED_BATCH_LIMIT : undefined
  }

  /** @internal Checkpoint the log on a worker thread from now on (see openSqliteStore). */
  checkpointInBackground(worker: Checkpointer, path: string, restartLogBytes: number): void {
    this.#checkpointer = { worker, logPath: `${path}-wal`, restartLogBytes }
  }

  /** @internal fsync the log after each write from now on (see openSqliteStore). */
  syncInBackground(walSync: WalSync): void {
    this.#walSync = walSync
  }

  /**
   * @internal Write commits of at least `minRows` rows, and all after, on a worker thread; with
   * 0, every commit, once the thread is ready.
   */
  async commitOnThread(data: CommitThreadData, minRows: number): Promise<void> {
    this.#commitThreadStart = { data, minRows }
    if (minRows > 0) return
    this.#commitThread = new CommitThread(data)
    await this.#commitThread.ready
  }

  /**
   * Until the log is on disk up to the last write: each read and write of this store then sees
   * only commits that survive a power loss, as with `synchronous=FULL`.
   */
  #settled(): Promise<void> | undefined {
    const commits = this.#commitThread?.pending()
    const sync = this.#walSync?.pending()?.catch(() => undefined)
    if (commits === undefined) return sync
    if (sync === undefined) return commits
    return Promise.all([commits, sync]).then(() => undefined)
  }

  /** After a write outside commit: resolves once it is on disk. */
  #durable(): Promise<void> | undefined {
    return this.#walSync?.flush()
  }

  async elementStatistics(processDefinitionKey: Key): Promise<ElementStatisticsRecord[]> {
    await this.#settled()
    return this.#statistics.elementStatistics(processDefinitionKey)
  }

  async processDefinitionStatistics(
    waitingSince: number,
  ): Promise<ProcessDefinitionStatisticsRecord[]> {
    await this.#settled()
    return this.#statistics.processDefinitionStatistics(waitingSince)
  }

  async incidentGroups(limit: number): Promise<IncidentGroupRecord[]> {
    await this.#settled()
    return this.#statistics.incidentGroups(limit)
  }

  /** See Store.activateJobs; the statement is activateJobsSql's. */
  async activateJobs(request: ActivateJobsRequest): Promise<JobRecord[]> {
    await this.#settled()
    const { worker, timeoutMs, now, max } = request
    // Once each: a type twice would fill the merge with the same jobs.
    const types = [...new Set(request.types)]
    if (types.length === 0 || max < 1) return []
    const statement = this.#statement(activateJobsSql(types.length))
    const ranges = types.flatMap((type) => [type, now, max])
    const rows = statement.all(worker, now + timeoutMs, ...ranges, max) as JobRow[]
    if (rows.length > 0) await this.#durable()
    // RETURNING gives no order guarantee.
    return rows.sort((a, b) => a.key - b.key).map(jobFromRow)
  }

  async nextJobDueAt(types: readonly string[]): Promise<number | null> {
    await this.#settled()
    let earliest: number | null = null
    // One indexed min() per type: min over an IN list would scan.
    for (const type of new Set(types)) {
      const { due } = this.#nextJobDueAt.get(type) as { due: number | null }
      if (due !== null && (earliest === null || due < earliest)) earliest = due
    }
    return earliest
  }

  async releaseAllJobLeases(): Promise<number> {
    await this.#settled()
    const { changes } = this.#releaseAllJobLeases.run()
    if (changes > 0) await this.#durable()
    return changes
  }

  async getJob(key: Key): Promise<JobRecord | undefined> {
    await this.#settled()
    const value = parseKey(key)
    if (value === undefined) return undefined
    const row = this.#getJob.get(value) as JobRow | undefined
    return row === undefined ? undefined : jobFromRow(row)
  }

  #instanceWhere(filter: InstanceFilter): Where {
    const where = newWhere()
    if (filter.status !== undefined) whereEquals(where, 'status', filter.status)
    if (filter.bpmnProcessId !== undefined) {
      whereEquals(where, 'bpmn_process_id', filter.bpmnProcessId)
    }
    if (filter.processDefinitionKey !== undefined) {
      whereKey(where, 'process_definition_key', filter.processDefinitionKey)
    }
    if (filter.parentKey !== undefined) whereKey(where, 'parent_key', filter.parentKey)
    // Literal values so that the partial index on has_incident = 1 applies.
    if (filter.hasIncident !== undefined) {
      where.clauses.push(filter.hasIncident ? 'has_incident = 1' : 'has_incident = 0')
    }
    if (filter.startedAfter !== undefined) {
      where.clauses.push('started_at >= ?')
      where.params.push(filter.startedAfter)
    }
    if (filter.startedBefore !== undefined) {
      where.clauses.push('started_at < ?')
      where.params.push(filter.startedBefore)
    }
    if (filter.businessKey !== undefined) whereEquals(where, 'business_key', filter.businessKey)
    if (filter.version !== undefined) {
      where.clauses.push('version = ?')
      where.params.push(filter.version)
    }
    for (const condition of filter.variables ?? []) {
      const clause = variableClause(condition)
      where.clauses.push(clause.sql)
      where.params.push(...clause.params)
    }
    return where
  }

  /** SELECT of one page: the filter's clauses, then `key > after`, in key order. */
  #page(table: string, columns: string, where: Where, page: Page | undefined): unknown[] {
    const { after, limit } = resolvePage(page)
    if (where.impossible) return []
    const clauses = [...where.clauses, 'key > ?'].join(' AND ')
    const sql = `SELECT ${columns} FROM ${table} WHERE ${clauses} ORDER BY key LIMIT ?`
    return this.#statement(sql).all(...where.params, after, limit)
  }

  async queryInstances(filter: InstanceFilter, page?: Page): Promise<InstanceRecord[]> {
    await this.#settled()
    const rows = this.#page('instances', instanceColumns, this.#instanceWhere(filter), page)
    return (rows as InstanceRow[]).map(instanceFromRow)
  }

  async countInstances(filter: InstanceFilter): Promise<number> {
    await this.#settled()
    const where = this.#instanceWhere(filter)
    if (where.impossible) return 0
    const condition = where.clauses.length === 0 ? '' : ` WHERE ${where.clauses.join(' AND ')}`
    const row = this.#statement(`SELECT count(*) AS count FROM instances${condition}`).get(
      ...where.params,
    ) as { count: number }
    return row.count
  }

  async getUserTask(key: Key): Promise<UserTaskRecord | undefined> {
    await this.#settled()
    const value = parseKey(key)
    if (value === undefined) return undefined
    const row = this.#getUserTask.get(value) as UserTaskRow | undefined
    return row === undefined ? undefined : userTaskFromRow(row)
  }

  async queryUserTasks(filter: UserTaskFilter, page?: Page): Promise<UserTaskRecord[]> {
    await this.#settled()
    const where = newWhere()
    if (filter.status !== undefined) whereEquals(where, 'status', filter.status)
    if (filter.assignee !== undefined) whereEquals(where, 'assignee', filter.assignee)
    if (filter.candidateGroup !== undefined) {
      where.clauses.push('EXISTS (SELECT 1 FROM json_each(candidate_groups) WHERE value = ?)')
      where.params.push(filter.candidateGroup)
    }
    if (filter.candidateUser !== undefined) {
      where.clauses.push('EXISTS (SELECT 1 FROM json_each(candidate_users) WHERE value = ?)')
      where.params.push(filter.candidateUser)
    }
    if (filter.bpmnProcessId !== undefined) {
      whereEquals(where, 'bpmn_process_id', filter.bpmnProcessId)
    }
    if (filter.instanceKey !== undefined) whereKey(where, 'instance_key', filter.instanceKey)
    const rows = this.#page('user_tasks', userTaskColumns, where, page)
    return (rows as UserTaskRow[]).map(userTaskFromRow)
  }

  async getIncident(key: Key): Promise<IncidentRecord | undefined> {
    await this.#settled()
    const value = parseKey(key)
    if (value === undefined) return undefined
    const row = this.#getIncident.get(value) as IncidentRow | undefined
    return row === undefined ? undefined : incidentFromRow(row)
  }

  async queryIncidents(filter: IncidentFilter, page?: Page): Promise<IncidentRecord[]> {
    await this.#settled()
    const where = newWhere()
    if (filter.status !== undefined) whereEquals(where, 'status', filter.status)
    if (filter.instanceKey !== undefined) whereKey(where, 'instance_key', filter.instanceKey)
    if (filter.bpmnProcessId !== undefined) {
      whereEquals(where, 'bpmn_process_id', filter.bpmnProcessId)
    }
    const rows = this.#page('incidents', incidentColumns, where, page)
    return (rows as IncidentRow[]).map(incidentFromRow)
  }

  async readEvents(instanceKey: Key): Promise<EngineEvent[]> {
    await this.#settled()
    const value = parseKey(instanceKey)
    if (value === undefined) return []
    const rows = this.#readEvents.all(value) as { from_position: number; events: string }[]
    return rows.flatMap((row) => decodeEvents(row.events, row.from_position))
  }

  async dueTimers(now: number, limit: number): Promise<SubscriptionRecord[]> {
    await this.#settled()
    checkLimit('dueTimers', limit)
    const rows = this.#dueTimers.all(now, limit) as SubscriptionRow[]
    return rows.map(subscriptionFromRow)
  }

  async nextTimerDueAt(): Promise<number | null> {
    await this.#settled()
    const row = this.#nextTimerDueAt.get() as { due_at: number } | undefined
    return row === undefined ? null : row.due_at
  }

  async messageSubscriptions(name: string, correlationKey: string): Promise<SubscriptionRecord[]> {
    await this.#settled()
    const rows = this.#messageSubscriptions.all(name, correlationKey) as SubscriptionRow[]
    return rows.map(subscriptionFromRow)
  }

  async messageStartSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    await this.#settled()
    const rows = this.#messageStartSubscriptions.all(name) as SubscriptionRow[]
    return rows.map(subscriptionFromRow)
  }

  async signalSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    await this.#settled()
    const rows = this.#signalSubscriptions.all(name) as SubscriptionRow[]
    return rows.map(subscriptionFromRow)
  }

  async startSubscriptionsOf(processDefinitionKey: Key): Promise<SubscriptionRecord[]> {
    await this.#settled()
    const value = parseKey(processDefinitionKey)
    if (value === undefined) return []
    const rows = this.#startSubscriptionsOf.all(value) as SubscriptionRow[]
    return rows.map(subscriptionFromRow)
  }

  async activeMessageStart(
    bpmnProcessId: string,
    correlationKey: string,
  ): Promise<Key | undefined> {
    await this.#settled()
    const row = this.#activeMessageStart.get(bpmnProcessId, correlationKey) as
      { instance_key: number | bigint } | undefined
    return row === undefined ? undefined : String(row.instance_key)
  }

  async bufferedMessages(
    name: string,
    correlationKey: string,
    now: number,
  ): Promise<BufferedMessageRecord[]> {
    await this.#settled()
    const rows = this.#bufferedMessages.all(name, correlationKey, now) as BufferedMessageRow[]
    return rows.map(bufferedMessageFromRow)
  }

  async bufferedMessageById(
    messageId: string,
    now: number,
  ): Promise<BufferedMessageRecord | undefined> {
    await this.#settled()
    const row = this.#bufferedMessageById.get(messageId, now) as BufferedMessageRow | undefined
    return row === undefined ? undefined : bufferedMessageFromRow(row)
  }

  async deleteExpiredMessages(now: number, limit: number): Promise<number> {
    await this.#settled()
    checkLimit('deleteExpiredMessages', limit)
    const { changes } = this.#deleteExpiredMessages.run(now, limit)
    if (changes > 0) await this.#durable()
    return changes
  }

  async deleteEndedInstances(endedBefore: number, limit: number): Promise<number> {
    await this.#settled()
    checkLimit('deleteEndedInstances', limit)
    const deleted = this.#deleteEndedInstances(endedBefore, limit)
    if (deleted > 0) await this.#durable()
    return deleted
  }

  async close(): Promise<void> {
    await this.#settled()
    clearTimeout(this.#checkpointTimer)
    this.#checkpointTimer = undefined
    // The workers' connections first, so that this last one checkpoints and removes the log.
    await this.#commitThread?.close()
    await this.#checkpointer?.worker.close()
    this.#db.close()
    this.#walSync?.close()
  }
}

/** Log pages after which a commit checkpoints the log itself (see openSqliteStore). */
const WAL_CHECKPOINT_PAGES = 16_384
/**
 * A log larger than this is checkpointed and started over by the checkpoint worker, making the
 * writer wait for the pages the PASSIVE run left (see checkpointer.ts).
 */
const RESTART_LOG_BYTES = 32 * 1024 * 1024
/** A log larger than this is checkpointed by the committing thread (see checkpointer.ts). */
const MAX_LOG_BYTES = 256 * 1024 * 1024
/** Commits under way at once on the commit thread (see commitsInFlight). */
const COMMITS_IN_FLIGHT = 4
/** Commands per batch then: measured best between 100 and 300 with 4 to 8 commits under way. */
const PIPELINED_BATCH_LIMIT = 200
/** The rows of the first commit written on the commit thread (see SqliteStoreOptions). */
const COMMIT_THREAD_MIN_ROWS = 256
/** A log at least this large gets a request put off to the end of the interval. */
const DEFERRED_CHECKPOINT_BYTES = 1024 * 1024
/** Commits ask the checkpoint worker for a run at most this often. */
const CHECKPOINT_INTERVAL_MS = 100

/**
 * Opens (creating and migrating it if needed) a SQLite store.
 *
 * @example
 * ```ts
 * const store = await openSqliteStore({ path: '.baton/baton.db' })
 * const first = await store.reserveKeys(100)
 * await store.close()
 * ```
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { path, durable = true, busyTimeoutMs = 5000, backgroundSync = true } = options
  const commitThreadMinRows = options.commitThreadMinRows ?? COMMIT_THREAD_MIN_ROWS
  const db = openSqliteDatabase(path, busyTimeoutMs)
  try {
    const journal = db.pragma('journal_mode = WAL', { simple: true })
    // The log is fsynced by WalSync instead of inside each commit (same guarantee, off-thread).
    const syncLog = durable && backgroundSync && journal === 'wal' && !path.startsWith('file:')
    db.pragma(`synchronous = ${durable && !syncLog ? 'FULL' : 'NORMAL'}`, { simple: true })
    db.pragma(`busy_timeout = ${busyTimeoutMs}`, { simple: true })
    // A file store checkpoints on a worker thread (see checkpointer.ts). Otherwise a checkpoint
    // (copying the log into the database file, with two fsyncs) runs inside the commit that
    // crosses this many log pages: SQLite's default of 1,000 pages (4 MiB) would run one in
    // nearly every group commit of a busy engine; with 16,384 (64 MiB) they are rare, and a page
    // changed by many commits in between is copied once.
    const background = journal === 'wal' && path !== ':memory:' && !path.startsWith('file:')
    db.pragma(`wal_autocheckpoint = ${background ? 0 : WAL_CHECKPOINT_PAGES}`, { simple: true })
    migrate(db, path)
    const store = new SqliteStore(db)
    if (syncLog) store.syncInBackground(new WalSync(resolve(path)))
    if (syncLog && commitThreadMinRows !== Infinity) {
      await store.commitOnThread({ path: resolve(path), busyTimeoutMs }, commitThreadMinRows)
    }
    if (background)
      store.checkpointInBackground(
        new Checkpointer({ path: resolve(path) }),
        resolve(path),
        options.restartLogBytes ?? RESTART_LOG_BYTES,
      )
    return store
  } catch (error) {
    db.close()
    if (error instanceof Error && error.message.includes(path)) throw error
    const cause = error instanceof Error ? error.message : String(error)
    throw new Error(`cannot open the SQLite store at ${path}: ${cause}`, { cause: error })
  }
}
