/**
 * The server Store adapter: one PostgreSQL schema shared by any number of engine nodes, through a
 * `pg` connection pool.
 *
 * Nodes coordinate only through the database: instance updates are optimistic (the stored
 * state_version must be the one the node loaded), jobs are leased with `FOR UPDATE SKIP LOCKED`,
 * keys come from one counter row. A commit is one transaction around one statement (see
 * postgres-commit.ts: a data-modifying CTE per table, arrays bound column-wise in binary and
 * unnested), whatever the size of the batch.
 */
import type { EngineEvent, Key } from '../../engine/types.ts'
import {
  ConcurrencyConflictError,
  type ActiveMessageStart,
  type ActivateJobsRequest,
  type CommitBatch,
  type CorrelationGuard,
  type DecisionDefinitionRecord,
  type IncidentFilter,
  type IncidentRecord,
  type InstanceFilter,
  type InstanceRecord,
  type JobLease,
  type JobRecord,
  type KnownInstance,
  type MessageStartGuard,
  type Page,
  type ProcessDefinitionRecord,
  type RefreshedInstance,
  type Store,
  type StoreWakeup,
  type UserTaskFilter,
  type UserTaskRecord,
} from '../store.ts'
import type {
  BufferedMessageRecord,
  SubscriptionRecord,
  SubscriptionStore,
} from '../subscriptions.ts'
import {
  openPostgresListener,
  openPostgresPool,
  sqlState,
  type PostgresClient,
  type PostgresPool,
  type PostgresValue,
} from './postgres-pool.ts'
import {
  bufferedMessageColumns,
  bufferedMessageFromRow,
  columnArrays,
  columnList,
  keyArray,
  compareKeys,
  incidentColumns,
  incidentFromRow,
  instanceColumns,
  instanceFromRow,
  jobColumns,
  jobFromRow,
  keyParam,
  parseKey,
  processDefinitionColumns,
  processDefinitionFromRow,
  subscriptionColumns,
  subscriptionFromRow,
  unnestRows,
  userTaskColumns,
  userTaskFromRow,
  type BufferedMessageRow,
  type Column,
  type IncidentRow,
  type InstanceRow,
  type JobRow,
  type ProcessDefinitionRow,
  type SubscriptionRow,
  type UserTaskRow,
} from './postgres-rows.ts'
import { binaryArray } from './postgres-binary-array.ts'
import { decodeEvents } from '../event-codec.ts'
import { commitStatement } from './postgres-commit.ts'
import { listDecisionDefinitions, saveDecisionDefinitions } from './postgres-decisions.ts'
import { variableClause } from './postgres-variable-filter.ts'
import {
  elementStatistics,
  incidentGroups,
  processDefinitionStatistics,
  STATISTICS_SLOTS,
} from './postgres-statistics.ts'
import type {
  ElementStatisticsRecord,
  IncidentGroupRecord,
  ProcessDefinitionStatisticsRecord,
} from '../statistics.ts'
import { migrate, quoteSchema } from './postgres-schema.ts'

export interface PostgresStoreOptions {
  /** A connection URL, e.g. `postgres://baton@db.internal:5432/baton`. */
  readonly url: string
  /** The schema holding Baton's tables (default `baton`); created and migrated at open. */
  readonly schema?: string
  /** Connections in the pool (default 10). */
  readonly poolSize?: number
}

/** Default and maximum page sizes of the query methods (the same as the SQLite store's). */
export const defaultPageLimit = 100
export const maxPageLimit = 1000

/** `INSERT ... SELECT * FROM unnest(...)`, replacing existing rows by key. */
function upsertSql(table: string, columns: readonly Column<never>[]): string {
  const updates = columns
    .filter((column) => column.name !== 'key')
    .map((column) => `${column.name} = excluded.${column.name}`)
    .join(', ')
  return (
    `INSERT INTO ${table} (${columnList(columns)}) SELECT * FROM ${unnestRows(columns, 'batch')} ` +
    `ON CONFLICT (key) DO UPDATE SET ${updates}`
  )
}

/** The last put of each key, in key order: one statement must not touch a row twice. */
function lastPutPerKey<R extends { readonly key: Key }>(puts: readonly R[]): R[] {
  const byKey = new Map<Key, R>()
  for (const put of puts) byKey.set(keyParam(put.key), put)
  return [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key))
}

/** The advisory lock of a message name and correlation key (see lockCorrelations). */
function lockName(name: string, correlationKey: string): string {
  return `${name}\u001f${correlationKey}`
}

/** The advisory lock of a process id and correlation key (message start events). */
function startLockName(bpmnProcessId: string, correlationKey: string): string {
  return `\u001e${bpmnProcessId}\u001f${correlationKey}`
}

/** Active message starts as the three column arrays of the statements that write them. */
function messageStartColumns(records: readonly ActiveMessageStart[]): PostgresValue[] {
  return [
    records.map((r) => r.bpmnProcessId),
    records.map((r) => r.correlationKey),
    records.map((r) => keyParam(r.instanceKey)),
  ]
}

/** A WHERE clause under construction; `impossible` when a filter can match nothing. */
class Where {
  readonly clauses: string[] = []
  readonly params: PostgresValue[] = []
  impossible = false

  /** Binds a value and returns its placeholder. */
  param(value: PostgresValue): string {
    this.params.push(value)
    return `$${this.params.length}`
  }

  equals(column: string, value: string): void {
    this.clauses.push(`${column} = ${this.param(value)}`)
  }

  /** Adds `column = key`; a malformed key cannot match any row. */
  key(column: string, key: Key): void {
    const value = parseKey(key)
    if (value === undefined) this.impossible = true
    this.clauses.push(`${column} = ${this.param(value ?? null)}::bigint`)
  }

  sql(): string {
    return this.clauses.length === 0 ? '' : ` WHERE ${this.clauses.join(' AND ')}`
  }
}

/** A LIMIT bound: PostgreSQL refuses a negative or fractional one with a less helpful message. */
function checkLimit(method: string, limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`invalid limit ${limit} for ${method}: use a non-negative integer`)
  }
}

function resolvePage(page: Page | undefined): { after: Key | undefined; limit: number } {
  const limit = page?.limit ?? defaultPageLimit
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`invalid page limit ${limit}: use an integer from 1 to ${maxPageLimit}`)
  }
  let after: Key | undefined
  if (page?.after !== undefined) {
    after = parseKey(page.after)
    if (after === undefined) {
      throw new RangeError(
        `invalid page cursor ${JSON.stringify(page.after)}: use the key of the last item of the previous page`,
      )
    }
  }
  return { after, limit: Math.min(limit, maxPageLimit) }
}

/**
 * The SQL of the store, qualified with its schema once at open (exported for the tests that read
 * a statement's plan).
 */
export function statements(s: string) {
  const instances = `${s}.instances`
  const jobs = `${s}.jobs`
  const jobSelect = columnList(jobColumns)
  const subscriptions = `${s}.subscriptions`
  const subscriptionSelect = `SELECT ${columnList(subscriptionColumns)} FROM ${subscriptions}`
  const messages = `${s}.buffered_messages`
  const messageSelect = `SELECT ${columnList(bufferedMessageColumns)} FROM ${messages}`
  const messageStarts = `${s}.active_message_starts`
  return {
    deleteMessageStarts: `
      DELETE FROM ${messageStarts} a
      USING unnest($1::text[], $2::text[], $3::bigint[]) AS d (bpmn_process_id, correlation_key, instance_key)
      WHERE a.bpmn_process_id = d.bpmn_process_id AND a.correlation_key = d.correlation_key
        AND a.instance_key = d.instance_key`,
    // A row that is there already (another node started an instance for the key first, or is
    // starting one: the insert waits for its commit) is skipped, and the commit fails.
    insertMessageStarts: `
      INSERT INTO ${messageStarts} (bpmn_process_id, correlation_key, instance_key)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
      ON CONFLICT DO NOTHING RETURNING instance_key`,

    reserveKeys: `UPDATE ${s}.keys SET next = next + $1 WHERE id = 1 RETURNING next`,
    upsertProcessDefinitions: upsertSql(`${s}.process_definitions`, processDefinitionColumns),
    listProcessDefinitions:
      `SELECT ${columnList(processDefinitionColumns)} FROM ${s}.process_definitions ` +
      'ORDER BY bpmn_process_id, version',
    loadInstance: `SELECT ${columnList(instanceColumns)} FROM ${instances} WHERE key = $1`,
    getJob: `SELECT ${jobSelect} FROM ${jobs} WHERE key = $1`,
    getUserTask: `SELECT ${columnList(userTaskColumns)} FROM ${s}.user_tasks WHERE key = $1`,
    getIncident: `SELECT ${columnList(incidentColumns)} FROM ${s}.incidents WHERE key = $1`,
    readEvents:
      `SELECT from_position, events FROM ${s}.instance_events WHERE instance_key = $1 ` +
      'ORDER BY from_position',
    // One range of jobs_due per type, read in index order up to $3 jobs, merged and cut to $3:
    // leases that have not expired are not in the range, so the work does not grow with them.
    // due_at <= $2 is the old condition (activatable, or an expired lease; retry_at passed; not
    // failed) but for a fresh job, due from created_at. SKIP LOCKED: a job another node is leasing
    // right now is passed over, not waited for; a job leased and committed since this statement
    // began is rechecked against the range (its due_at moved to the new deadline). With several
    // types, the jobs a range locked and the merge left out stay locked until the statement ends.
    // key = ANY(ARRAY(...)): a join with picked became a hash join over all jobs in the generic
    // plan a prepared statement settles on.
    activateJobs: `
      WITH picked AS (
        SELECT due.key FROM unnest($1::text[]) AS t (type)
        CROSS JOIN LATERAL (
          SELECT key, due_at FROM ${jobs} WHERE type = t.type AND due_at <= $2
          ORDER BY due_at, key LIMIT $3
          FOR UPDATE SKIP LOCKED
        ) AS due
        ORDER BY due.due_at, due.key LIMIT $3
      )
      UPDATE ${jobs} SET status = 'activated', worker = $4, deadline = $5
      WHERE key = ANY (ARRAY(SELECT key FROM picked))
      RETURNING ${jobSelect}`,
    // One indexed min() per type: a min() over the IN list would scan.
    nextJobDueAt: `
      SELECT min(due.at) AS due FROM unnest($1::text[]) AS t (type)
      CROSS JOIN LATERAL (
        SELECT min(due_at) AS at FROM ${jobs} WHERE type = t.type AND due_at IS NOT NULL
      ) AS due`,
    renewJobLeases: `
      UPDATE ${jobs} j SET deadline = lease.deadline
      FROM unnest($1::bigint[], $2::bigint[]) AS lease (key, deadline)
      WHERE j.key = lease.key AND j.worker = $3 AND j.status = 'activated'`,
    // The state document only where the caller's version is not the stored one.
    refreshInstances: `
      SELECT ${instanceColumns
        .filter((column) => column.name !== 'state')
        .map((column) => `i.${column.name}`)
        .join(', ')},
        CASE WHEN known.version IS NOT DISTINCT FROM i.state_version THEN NULL ELSE i.state END
          AS state
      FROM unnest($1::bigint[], $2::integer[]) AS known (key, version)
      JOIN ${instances} i ON i.key = known.key`,
    // Transaction-scoped locks on (name, correlation key) and (process id, correlation key),
    // named by lockName(), taken in one order by every commit.
    lockCorrelations: `
      SELECT pg_advisory_xact_lock(hashtextextended(l.name, 6))
      FROM unnest($1::text[]) WITH ORDINALITY AS l (name, n)
      ORDER BY l.n`,
    checkCorrelationGuards: `
      SELECT g.name FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
        AS g (kind, name, correlation_key, now)
      WHERE (g.kind = 'subscriptions' AND EXISTS (
          SELECT 1 FROM ${subscriptions} s WHERE s.kind = 'message' AND s.name = g.name
            AND s.correlation_key = g.correlation_key AND s.instance_key IS NOT NULL
            AND NOT (s.key = ANY($5::bigint[]))))
        OR (g.kind = 'messages' AND EXISTS (
          SELECT 1 FROM ${messages} m WHERE m.name = g.name
            AND m.correlation_key = g.correlation_key AND m.expires_at >= g.now
            AND NOT (m.key = ANY($5::bigint[]))))
      LIMIT 1`,
    // One row per (guard, message name) for `ended`: the names of the process's message starts.
    checkMessageStartGuards: `
      SELECT g.bpmn_process_id FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
        AS g (kind, bpmn_process_id, correlation_key, name, now)
      WHERE (g.kind = 'active' AND NOT EXISTS (
          SELECT 1 FROM ${messageStarts} a WHERE a.bpmn_process_id = g.bpmn_process_id
            AND a.correlation_key = g.correlation_key))
        OR (g.kind = 'ended' AND EXISTS (
          SELECT 1 FROM ${messages} m WHERE m.name = g.name
            AND m.correlation_key = g.correlation_key AND m.expires_at >= g.now
            AND NOT (m.key = ANY($6::bigint[]))))
      LIMIT 1`,
    activeMessageStart:
      `SELECT instance_key FROM ${messageStarts} ` +
      'WHERE bpmn_process_id = $1 AND correlation_key = $2',
    // FOR UPDATE: a second node firing the same timer waits here, then finds the due time moved.
    checkTimerGuards: `
      SELECT s.key FROM ${subscriptions} s
      JOIN unnest($1::bigint[], $2::bigint[]) AS g (key, due_at)
        ON s.key = g.key AND s.due_at = g.due_at
      ORDER BY s.key FOR UPDATE OF s`,
    notify: 'SELECT pg_notify($1, $2)',
    // Retention: ended instances oldest first; SKIP LOCKED lets several nodes clean up at once.
    deleteEndedInstances: `
      WITH doomed AS (
        SELECT key FROM ${instances} WHERE status <> 'active' AND ended_at < $1
        ORDER BY ended_at LIMIT $2 FOR UPDATE SKIP LOCKED
      ),
      events AS (DELETE FROM ${s}.instance_events WHERE instance_key IN (SELECT key FROM doomed)),
      tasks AS (DELETE FROM ${s}.user_tasks WHERE instance_key IN (SELECT key FROM doomed)),
      incidents AS (DELETE FROM ${s}.incidents WHERE instance_key IN (SELECT key FROM doomed)),
      jobs AS (DELETE FROM ${jobs} WHERE instance_key IN (SELECT key FROM doomed)),
      waits AS (DELETE FROM ${subscriptions} WHERE instance_key IN (SELECT key FROM doomed))
      DELETE FROM ${instances} WHERE key IN (SELECT key FROM doomed)`,
    // A timer another node claimed is skipped until its claim lapses (the node died).
    claimDueTimers: `
      WITH picked AS (
        SELECT key FROM ${subscriptions}
        WHERE kind = 'timer' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
        ORDER BY due_at, key LIMIT $2
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${subscriptions} t SET claimed_until = $3 FROM picked WHERE t.key = picked.key
      RETURNING ${subscriptionColumns.map((column) => `t.${column.name}`).join(', ')}`,
    releaseAllJobLeases:
      `UPDATE ${jobs} SET status = 'activatable', worker = NULL, deadline = NULL ` +
      "WHERE status = 'activated'",

    // The literal kinds let the partial indexes apply; every list is in a stable order.
    dueTimers: `${subscriptionSelect} WHERE kind = 'timer' AND due_at <= $1 ORDER BY due_at, key LIMIT $2`,
    // A claimed timer counts from when its claim lapses (its node may have died).
    nextTimerDueAt: `
      SELECT least(
        (SELECT min(due_at) FROM ${subscriptions} WHERE kind = 'timer' AND claimed_until IS NULL),
        (SELECT min(greatest(due_at, claimed_until + 1)) FROM ${subscriptions}
          WHERE kind = 'timer' AND claimed_until IS NOT NULL)
      ) AS due`,
    messageSubscriptions:
      `${subscriptionSelect} WHERE kind = 'message' AND name = $1 AND correlation_key = $2 ` +
      'AND instance_key IS NOT NULL ORDER BY key',
    // A start event has no correlation key: the IS NULL seeks straight to the start events
    // instead of walking every instance's subscription to this message.
    messageStartSubscriptions:
      `${subscriptionSelect} WHERE kind = 'message' AND name = $1 AND correlation_key IS NULL ` +
      'AND instance_key IS NULL ORDER BY key',
    signalSubscriptions: `${subscriptionSelect} WHERE kind = 'signal' AND name = $1 ORDER BY key`,
    startSubscriptionsOf:
      `${subscriptionSelect} WHERE process_definition_key = $1 AND instance_key IS NULL ` +
      'ORDER BY key',
    bufferedMessages:
      `${messageSelect} WHERE name = $1 AND correlation_key = $2 AND expires_at >= $3 ` +
      'ORDER BY key',
    bufferedMessageById: `${messageSelect} WHERE message_id = $1 AND expires_at >= $2 ORDER BY key LIMIT 1`,
    // SKIP LOCKED: a message another node's commit is consuming right now is left to it.
    deleteExpiredMessages: `
      DELETE FROM ${messages} WHERE key IN (
        SELECT key FROM ${messages} WHERE expires_at < $1 ORDER BY expires_at LIMIT $2
        FOR UPDATE SKIP LOCKED
      )`,
  }
}

type Statements = ReturnType<typeof statements>

/**
 * Statements over a whole batch are not prepared: planned for each call with its bound arrays,
 * the planner knows how many rows each unnest() yields, whereas a prepared statement soon switches
 * to a generic plan that guesses; measured, that made the instance update 1.5 to 2 times slower.
 * Planning is negligible next to writing hundreds of rows.
 */
const planEachTime: ReadonlySet<keyof Statements> = new Set([
  'deleteMessageStarts',
  'insertMessageStarts',
  'upsertProcessDefinitions',
  'renewJobLeases',
  'refreshInstances',
  'lockCorrelations',
  'checkCorrelationGuards',
  'checkMessageStartGuards',
  'checkTimerGuards',
] as const)

/**
 * The PostgreSQL Store. Create it with {@link openPostgresStore}.
 */
export class PostgresStore implements Store, SubscriptionStore {
  /** Any number of engine nodes may share one PostgreSQL schema. */
  readonly shared = true
  readonly #pool: PostgresPool
  readonly #schema: string
  readonly #sql: Statements
  readonly #url: string
  /** The LISTEN/NOTIFY channel of this schema. */
  readonly #channel: string
  readonly #listeners = new Set<() => Promise<void>>()

  /** @internal Use {@link openPostgresStore}. */
  /** This store's slot of the statistics counters (see postgres-statistics.ts). */
  readonly #statisticsSlot = Math.floor(Math.random() * STATISTICS_SLOTS)

  constructor(pool: PostgresPool, schema: string, url = '') {
    this.#pool = pool
    this.#schema = quoteSchema(schema)
    this.#sql = statements(this.#schema)
    this.#url = url
    this.#channel = `baton_${schema}`
  }

  /** Runs a fixed statement, prepared once per connection under its name unless it is a batch. */
  async #run<Row>(
    db: PostgresPool | PostgresClient,
    name: keyof Statements,
    values: readonly PostgresValue[],
  ): Promise<{ rows: Row[]; rowCount: number }> {
    const text = this.#sql[name]
    const result = await db.query<Row>(
      planEachTime.has(name) ? { text, values } : { name: `baton_${name}`, text, values },
    )
    return { rows: result.rows, rowCount: result.rowCount ?? 0 }
  }

  async reserveKeys(count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`cannot reserve ${count} keys: count must be a positive integer`)
    }
    const { rows } = await this.#run<{ next: string }>(this.#pool, 'reserveKeys', [count])
    const next = Number(rows[0]?.next)
    if (!Number.isSafeInteger(next)) {
      throw new Error(`the key counter in ${this.#schema}.keys is missing or past 2^53`)
    }
    return next - count
  }

  async saveProcessDefinitions(records: readonly ProcessDefinitionRecord[]): Promise<void> {
    if (records.length === 0) return
    const values = columnArrays(processDefinitionColumns, lastPutPerKey(records))
    await this.#run(this.#pool, 'upsertProcessDefinitions', values)
    await this.#notify(this.#pool, { jobTypes: [], timers: false, deployed: true })
  }

  async listProcessDefinitions(): Promise<ProcessDefinitionRecord[]> {
    const { rows } = await this.#run<ProcessDefinitionRow>(this.#pool, 'listProcessDefinitions', [])
    return rows.map(processDefinitionFromRow)
  }

  async saveDecisionDefinitions(records: readonly DecisionDefinitionRecord[]): Promise<void> {
    await saveDecisionDefinitions(this.#pool, this.#schema, records)
    if (records.length > 0) {
      await this.#notify(this.#pool, { jobTypes: [], timers: false, deployed: true })
    }
  }

  /** Tells every listening node (this one too) what became ready; delivered at commit. */
  async #notify(db: PostgresPool | PostgresClient, wakeup: StoreWakeup): Promise<void> {
    await this.#run(db, 'notify', [this.#channel, wakeupPayload(wakeup)])
  }

  async listen(onWakeup: (wakeup: StoreWakeup) => void): Promise<() => Promise<void>> {
    const stop = await openPostgresListener(this.#url, this.#channel, (payload) => {
      try {
        const parsed = JSON.parse(payload) as { j?: unknown; t?: unknown; d?: unknown }
        onWakeup({
          jobTypes: Array.isArray(parsed.j) ? parsed.j.filter((t) => typeof t === 'string') : [],
          timers: parsed.t === true,
          deployed: parsed.d === true,
        })
      } catch {
        // Not ours: ignore it.
      }
    })
    this.#listeners.add(stop)
    return async () => {
      this.#listeners.delete(stop)
      await stop()
    }
  }

  async listDecisionDefinitions(): Promise<DecisionDefinitionRecord[]> {
    return listDecisionDefinitions(this.#pool, this.#schema)
  }

  async loadInstance(key: Key): Promise<InstanceRecord | undefined> {
    const value = parseKey(key)
    if (value === undefined) return undefined
    const { rows } = await this.#run<InstanceRow>(this.#pool, 'loadInstance', [value])
    return rows[0] === undefined ? undefined : instanceFromRow(rows[0])
  }

  async refreshInstances(known: readonly KnownInstance[]): Promise<RefreshedInstance[]> {
    const keys: string[] = []
    const versions: (number | null)[] = []
    for (const { key, stateVersion } of known) {
      const value = parseKey(key)
      if (value === undefined) continue
      keys.push(value)
      versions.push(stateVersion)
    }
    if (keys.length === 0) return []
    const { rows } = await this.#run<Omit<InstanceRow, 'state'> & { state: string | null }>(
      this.#pool,
      'refreshInstances',
      [binaryArray('bigint', keys), binaryArray('integer', versions)],
    )
    return rows.map((row) =>
      row.state === null
        ? { key: row.key, stateVersion: row.state_version }
        : {
            key: row.key,
            stateVersion: row.state_version,
            record: instanceFromRow(row as InstanceRow),
          },
    )
  }

  async commit(batch: CommitBatch): Promise<void> {
    // Everything is converted (and every key checked) before a connection is taken.
    const wakeup: StoreWakeup = {
      jobTypes: batch.jobPuts.filter((job) => job.status === 'activatable').map((job) => job.type),
      timers: (batch.subscriptionPuts ?? []).some((record) => record.kind === 'timer'),
      deployed: false,
    }
    const notify =
      wakeup.jobTypes.length > 0 || wakeup.timers
        ? { channel: this.#channel, payload: wakeupPayload(wakeup) }
        : undefined
    const statement = commitStatement(this.#schema, batch, this.#statisticsSlot, notify)
    const { messageStartPuts = [], messageStartDeletes = [] } = batch
    if (
      statement === undefined &&
      messageStartPuts.length === 0 &&
      messageStartDeletes.length === 0
    ) {
      return
    }
    const guards = batch.correlationGuards ?? []
    const startGuards = batch.messageStartGuards ?? []
    const timerGuards = [...new Map((batch.timerGuards ?? []).map((g) => [g.key, g])).values()]

    await this.#transaction(async (client) => {
      if (guards.length > 0 || startGuards.length > 0) {
        await this.#checkGuards(client, guards, startGuards)
      }
      if (timerGuards.length > 0) {
        const { rows } = await this.#run(client, 'checkTimerGuards', [
          keyArray(timerGuards.map((g) => g.key)),
          binaryArray(
            'bigint',
            timerGuards.map((g) => g.dueAt),
          ),
        ])
        if (rows.length < timerGuards.length) {
          throw new ConcurrencyConflictError(batch.instances[0]?.record.key ?? '')
        }
      }
      if (statement !== undefined) {
        const { rows } = await client.query<{ key: string | null }>({
          text: statement.text,
          values: statement.values,
        })
        const written: Key[] = []
        for (const row of rows) if (row.key !== null) written.push(row.key)
        if (written.length < statement.instanceWrites) {
          throw new ConcurrencyConflictError(firstUnwritten(batch, written))
        }
      }
      // Message starts are written after the statement, deletes before puts (an instance that
      // ends hands its key on to the one its end started): in one statement the put would still
      // see the deleted row.
      if (messageStartDeletes.length > 0) {
        await this.#run(client, 'deleteMessageStarts', messageStartColumns(messageStartDeletes))
      }
      if (messageStartPuts.length > 0) {
        const { rowCount } = await this.#run(
          client,
          'insertMessageStarts',
          messageStartColumns(messageStartPuts),
        )
        if (rowCount < messageStartPuts.length) {
          throw new ConcurrencyConflictError(messageStartPuts[0]?.instanceKey ?? '')
        }
      }
    }).catch((error: unknown) => {
      // Two commits that lock the same rows in different orders (a lease renewal and a commit,
      // say): PostgreSQL aborts one; the engine retries it like a version conflict.
      const state = sqlState(error)
      if (state === '40P01' || state === '40001') {
        throw new ConcurrencyConflictError(batch.instances[0]?.record.key ?? '')
      }
      throw error
    })
  }

  async elementStatistics(processDefinitionKey: Key): Promise<ElementStatisticsRecord[]> {
    return elementStatistics(this.#pool, this.#schema, processDefinitionKey)
  }

  async processDefinitionStatistics(
    waitingSince: number,
  ): Promise<ProcessDefinitionStatisticsRecord[]> {
    return processDefinitionStatistics(this.#pool, this.#schema, waitingSince)
  }

  async incidentGroups(limit: number): Promise<IncidentGroupRecord[]> {
    return incidentGroups(this.#pool, this.#schema, limit)
  }

  /**
   * Locks each guard's (name, correlation key) or (process id, correlation key), then fails with
   * ConcurrencyConflictError if what the batch relied on changed: a commit of another node under
   * the same lock committed first (it opened a subscription, buffered a message, or ended the
   * instance holding a message start's correlation key).
   */
  async #checkGuards(
    client: PostgresClient,
    guards: readonly CorrelationGuard[],
    startGuards: readonly MessageStartGuard[],
  ): Promise<void> {
    const locks = new Set<string>()
    for (const g of guards) locks.add(lockName(g.name, g.correlationKey))
    for (const g of startGuards) locks.add(startLockName(g.bpmnProcessId, g.correlationKey))
    await this.#run(client, 'lockCorrelations', [[...locks].sort()])
    if (guards.length > 0) {
      const seen = [...new Set(guards.flatMap((g) => g.seen.map(keyParam)))]
      const { rows } = await this.#run<{ name: string }>(client, 'checkCorrelationGuards', [
        guards.map((g) => g.kind),
        guards.map((g) => g.name),
        guards.map((g) => g.correlationKey),
        guards.map((g) => g.now),
        seen,
      ])
      if (rows.length > 0) throw new ConcurrencyConflictError('')
    }
    if (startGuards.length > 0) {
      const rows = startGuards.flatMap(
        (g): { guard: MessageStartGuard; name: string | null; now: number | null }[] =>
          g.kind === 'active'
            ? [{ guard: g, name: null, now: null }]
            : g.names.map((name) => ({ guard: g, name, now: g.now })),
      )
      const seen = [
        ...new Set(startGuards.flatMap((g) => (g.kind === 'ended' ? g.seen.map(keyParam) : []))),
      ]
      const found = await this.#run(client, 'checkMessageStartGuards', [
        rows.map((r) => r.guard.kind),
        rows.map((r) => r.guard.bpmnProcessId),
        rows.map((r) => r.guard.correlationKey),
        rows.map((r) => r.name),
        rows.map((r) => r.now),
        seen,
      ])
      if (found.rows.length > 0) throw new ConcurrencyConflictError('')
    }
  }

  /** Runs `body` in a transaction on one connection: COMMIT if it returns, ROLLBACK if it throws. */
  async #transaction(body: (client: PostgresClient) => Promise<void>): Promise<void> {
    const client = await this.#pool.connect()
    let broken = false
    try {
      await client.query({ text: 'BEGIN' })
      await body(client)
      await client.query({ text: 'COMMIT' })
    } catch (error) {
      try {
        await client.query({ text: 'ROLLBACK' })
      } catch {
        // The connection is gone (the server rolls back on its own): do not reuse it.
        broken = true
      }
      throw error
    } finally {
      client.release(broken)
    }
  }

  async activateJobs(request: ActivateJobsRequest): Promise<JobRecord[]> {
    const { worker, timeoutMs, now, max } = request
    // Once each: a type twice would fill the merge with the same jobs.
    const types = [...new Set(request.types)]
    if (types.length === 0 || max < 1) return []
    const { rows } = await this.#run<JobRow>(this.#pool, 'activateJobs', [
      binaryArray('text', types),
      now,
      max,
      worker,
      now + timeoutMs,
    ])
    // RETURNING gives no order guarantee.
    return rows.map(jobFromRow).sort((a, b) => compareKeys(a.key, b.key))
  }

  async nextJobDueAt(types: readonly string[]): Promise<number | null> {
    if (types.length === 0) return null
    const { rows } = await this.#run<{ due: string | null }>(this.#pool, 'nextJobDueAt', [
      binaryArray('text', [...new Set(types)]),
    ])
    const due = rows[0]?.due ?? null
    return due === null ? null : Number(due)
  }

  async renewJobLeases(worker: string, leases: readonly JobLease[]): Promise<number> {
    if (leases.length === 0) return 0
    const sorted = [...leases].sort((a, b) => compareKeys(a.key, b.key))
    const { rowCount } = await this.#run(this.#pool, 'renewJobLeases', [
      keyArray(sorted.map((lease) => lease.key)),
      binaryArray(
        'bigint',
        sorted.map((lease) => lease.deadline),
      ),
      worker,
    ])
    return rowCount
  }

  async deleteEndedInstances(endedBefore: number, limit: number): Promise<number> {
    checkLimit('deleteEndedInstances', limit)
    const { rowCount } = await this.#run(this.#pool, 'deleteEndedInstances', [endedBefore, limit])
    return rowCount
  }

  async claimDueTimers(now: number, limit: number, until: number): Promise<SubscriptionRecord[]> {
    checkLimit('claimDueTimers', limit)
    const { rows } = await this.#run<SubscriptionRow>(this.#pool, 'claimDueTimers', [
      now,
      limit,
      until,
    ])
    return rows
      .map(subscriptionFromRow)
      .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || compareKeys(a.key, b.key))
  }

  async releaseAllJobLeases(): Promise<number> {
    return (await this.#run(this.#pool, 'releaseAllJobLeases', [])).rowCount
  }

  async getJob(key: Key): Promise<JobRecord | undefined> {
    const value = parseKey(key)
    if (value === undefined) return undefined
    const { rows } = await this.#run<JobRow>(this.#pool, 'getJob', [value])
    return rows[0] === undefined ? undefined : jobFromRow(rows[0])
  }

  #instanceWhere(filter: InstanceFilter): Where {
    const where = new Where()
    if (filter.status !== undefined) where.equals('status', filter.status)
    if (filter.bpmnProcessId !== undefined) where.equals('bpmn_process_id', filter.bpmnProcessId)
    if (filter.processDefinitionKey !== undefined) {
      where.key('process_definition_key', filter.processDefinitionKey)
    }
    if (filter.parentKey !== undefined) where.key('parent_key', filter.parentKey)
    // Literal values so that the partial index on has_incident applies.
    if (filter.hasIncident !== undefined) {
      where.clauses.push(filter.hasIncident ? 'has_incident' : 'NOT has_incident')
    }
    if (filter.startedAfter !== undefined) {
      where.clauses.push(`started_at >= ${where.param(filter.startedAfter)}`)
    }
    if (filter.startedBefore !== undefined) {
      where.clauses.push(`started_at < ${where.param(filter.startedBefore)}`)
    }
    if (filter.businessKey !== undefined) where.equals('business_key', filter.businessKey)
    if (filter.version !== undefined) {
      where.clauses.push(`version = ${where.param(filter.version)}`)
    }
    for (const condition of filter.variables ?? []) {
      where.clauses.push(variableClause(condition, (value) => where.param(value)))
    }
    return where
  }

  /** SELECT of one page: the filter's clauses, then `key > after`, in key order. */
  async #page<Row>(
    table: string,
    columns: readonly Column<never>[],
    where: Where,
    page: Page | undefined,
  ): Promise<Row[]> {
    const { after, limit } = resolvePage(page)
    if (where.impossible) return []
    if (after !== undefined) where.clauses.push(`key > ${where.param(after)}::bigint`)
    const limitParam = where.param(limit)
    const { rows } = await this.#pool.query<Row>({
      text:
        `SELECT ${columnList(columns)} FROM ${this.#schema}.${table}${where.sql()} ` +
        `ORDER BY key LIMIT ${limitParam}`,
      values: where.params,
    })
    return rows
  }

  async queryInstances(filter: InstanceFilter, page?: Page): Promise<InstanceRecord[]> {
    const where = this.#instanceWhere(filter)
    const rows = await this.#page<InstanceRow>('instances', instanceColumns, where, page)
    return rows.map(instanceFromRow)
  }

  async countInstances(filter: InstanceFilter): Promise<number> {
    const where = this.#instanceWhere(filter)
    if (where.impossible) return 0
    const { rows } = await this.#pool.query<{ count: string }>({
      text: `SELECT count(*) AS count FROM ${this.#schema}.instances${where.sql()}`,
      values: where.params,
    })
    return Number(rows[0]?.count ?? 0)
  }

  async getUserTask(key: Key): Promise<UserTaskRecord | undefined> {
    const value = parseKey(key)
    if (value === undefined) return undefined
    const { rows } = await this.#run<UserTaskRow>(this.#pool, 'getUserTask', [value])
    return rows[0] === undefined ? undefined : userTaskFromRow(rows[0])
  }

  async queryUserTasks(filter: UserTaskFilter, page?: Page): Promise<UserTaskRecord[]> {
    const where = new Where()
    if (filter.status !== undefined) where.equals('status', filter.status)
    if (filter.assignee !== undefined) where.equals('assignee', filter.assignee)
    // Containment of a one-element array: an exact match of one element, served by the GIN index.
    if (filter.candidateGroup !== undefined) {
      const group = where.param(JSON.stringify([filter.candidateGroup]))
      where.clauses.push(`candidate_groups @> ${group}::jsonb`)
    }
    if (filter.candidateUser !== undefined) {
      const user = where.param(JSON.stringify([filter.candidateUser]))
      where.clauses.push(`candidate_users @> ${user}::jsonb`)
    }
    if (filter.bpmnProcessId !== undefined) where.equals('bpmn_process_id', filter.bpmnProcessId)
    if (filter.instanceKey !== undefined) where.key('instance_key', filter.instanceKey)
    const rows = await this.#page<UserTaskRow>('user_tasks', userTaskColumns, where, page)
    return rows.map(userTaskFromRow)
  }

  async getIncident(key: Key): Promise<IncidentRecord | undefined> {
    const value = parseKey(key)
    if (value === undefined) return undefined
    const { rows } = await this.#run<IncidentRow>(this.#pool, 'getIncident', [value])
    return rows[0] === undefined ? undefined : incidentFromRow(rows[0])
  }

  async queryIncidents(filter: IncidentFilter, page?: Page): Promise<IncidentRecord[]> {
    const where = new Where()
    if (filter.status !== undefined) where.equals('status', filter.status)
    if (filter.instanceKey !== undefined) where.key('instance_key', filter.instanceKey)
    if (filter.bpmnProcessId !== undefined) where.equals('bpmn_process_id', filter.bpmnProcessId)
    const rows = await this.#page<IncidentRow>('incidents', incidentColumns, where, page)
    return rows.map(incidentFromRow)
  }

  async readEvents(instanceKey: Key): Promise<EngineEvent[]> {
    const value = parseKey(instanceKey)
    if (value === undefined) return []
    const { rows } = await this.#run<{ from_position: number; events: string }>(
      this.#pool,
      'readEvents',
      [value],
    )
    return rows.flatMap((row) => decodeEvents(row.events, row.from_position))
  }

  async dueTimers(now: number, limit: number): Promise<SubscriptionRecord[]> {
    checkLimit('dueTimers', limit)
    const { rows } = await this.#run<SubscriptionRow>(this.#pool, 'dueTimers', [now, limit])
    return rows.map(subscriptionFromRow)
  }

  async nextTimerDueAt(): Promise<number | null> {
    const { rows } = await this.#run<{ due: string | null }>(this.#pool, 'nextTimerDueAt', [])
    const due = rows[0]?.due ?? null
    return due === null ? null : Number(due)
  }

  async messageSubscriptions(name: string, correlationKey: string): Promise<SubscriptionRecord[]> {
    const { rows } = await this.#run<SubscriptionRow>(this.#pool, 'messageSubscriptions', [
      name,
      correlationKey,
    ])
    return rows.map(subscriptionFromRow)
  }

  async messageStartSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    const { rows } = await this.#run<SubscriptionRow>(this.#pool, 'messageStartSubscriptions', [
      name,
    ])
    return rows.map(subscriptionFromRow)
  }

  async signalSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    const { rows } = await this.#run<SubscriptionRow>(this.#pool, 'signalSubscriptions', [name])
    return rows.map(subscriptionFromRow)
  }

  async startSubscriptionsOf(processDefinitionKey: Key): Promise<SubscriptionRecord[]> {
    const value = parseKey(processDefinitionKey)
    if (value === undefined) return []
    const { rows } = await this.#run<SubscriptionRow>(this.#pool, 'startSubscriptionsOf', [value])
    return rows.map(subscriptionFromRow)
  }

  async activeMessageStart(
    bpmnProcessId: string,
    correlationKey: string,
  ): Promise<Key | undefined> {
    const { rows } = await this.#run<{ instance_key: string }>(this.#pool, 'activeMessageStart', [
      bpmnProcessId,
      correlationKey,
    ])
    return rows[0]?.instance_key
  }

  async bufferedMessages(
    name: string,
    correlationKey: string,
    now: number,
  ): Promise<BufferedMessageRecord[]> {
    const { rows } = await this.#run<BufferedMessageRow>(this.#pool, 'bufferedMessages', [
      name,
      correlationKey,
      now,
    ])
    return rows.map(bufferedMessageFromRow)
  }

  async bufferedMessageById(
    messageId: string,
    now: number,
  ): Promise<BufferedMessageRecord | undefined> {
    const { rows } = await this.#run<BufferedMessageRow>(this.#pool, 'bufferedMessageById', [
      messageId,
      now,
    ])
    return rows[0] === undefined ? undefined : bufferedMessageFromRow(rows[0])
  }

  async deleteExpiredMessages(now: number, limit: number): Promise<number> {
    checkLimit('deleteExpiredMessages', limit)
    const { rowCount } = await this.#run(this.#pool, 'deleteExpiredMessages', [now, limit])
    return rowCount
  }

  async close(): Promise<void> {
    for (const stop of [...this.#listeners]) await stop()
    this.#listeners.clear()
    await this.#pool.end()
  }
}

/** The NOTIFY payload of a wakeup. */
function wakeupPayload(wakeup: StoreWakeup): string {
  let jobTypes = [...new Set(wakeup.jobTypes)]
  // A NOTIFY payload is limited to 8000 bytes: past that, wake every worker.
  if (JSON.stringify(jobTypes).length > 7000) jobTypes = ['*']
  return JSON.stringify({ j: jobTypes, t: wakeup.timers, d: wakeup.deployed })
}

/**
 * The first instance of the batch, in batch order, that the commit could not write: its key
 * was taken (insert) or its version had moved on (update). `written` holds each written key once
 * per write, so a key inserted twice in one batch conflicts on its second insert.
 */
function firstUnwritten(batch: CommitBatch, written: readonly Key[]): Key {
  const remaining = new Map<Key, number>()
  for (const key of written) remaining.set(key, (remaining.get(key) ?? 0) + 1)
  for (const { record } of batch.instances) {
    const count = remaining.get(record.key) ?? 0
    if (count === 0) return record.key
    remaining.set(record.key, count - 1)
  }
  // Unreachable while fewer keys were written than the batch has instances.
  throw new Error('commit wrote fewer instances than it was given, but every key was written')
}

/**
 * Opens a PostgreSQL store, creating and migrating its schema if needed. Several nodes may open
 * the same database at once: migrations run under an advisory lock.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ url: 'postgres://baton@db:5432/baton' })
 * const first = await store.reserveKeys(100)
 * await store.close()
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { url, schema = 'baton', poolSize = 10 } = options
  quoteSchema(schema)
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`invalid pool size ${poolSize}: use a positive integer`)
  }
  const pool = openPostgresPool(url, poolSize)
  try {
    const client = await pool.connect()
    try {
      await migrate(client, schema)
    } finally {
      client.release()
    }
    return new PostgresStore(pool, schema, url)
  } catch (error) {
    await pool.end().catch(() => {})
    const cause = error instanceof Error ? error.message : String(error)
    throw new Error(
      `cannot open the PostgreSQL store at ${redactUrl(url)} (schema ${schema}): ${cause}`,
      { cause: error },
    )
  }
}

/** The URL without its password, for error messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(an unparsable URL)'
  }
}
