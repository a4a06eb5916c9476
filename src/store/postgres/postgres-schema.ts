/**
 * The PostgreSQL schema, as an ordered list of migrations. The `schema_migrations` table records
 * which have been applied; opening a store applies the missing ones in one transaction, under an
 * advisory lock so that nodes starting together migrate once. Never edit a released migration:
 * append a new one.
 *
 * Keys are BIGINT (numeric order, which keyset paging relies on), read back as decimal strings.
 * Times are BIGINT milliseconds since the epoch. The state document and the event batches are
 * TEXT holding JSON: written on every command and only ever read whole, so the server need not
 * parse them (TEXT measured cheaper to write than JSONB, see postgres-commit-bench.ts). Candidate
 * users and groups are JSONB arrays, matched exactly with `@>`.
 */
import { decisionDefinitionsMigration } from './postgres-decisions.ts'
import { statisticsMigration } from './postgres-statistics.ts'
import type { PostgresQueryable } from './postgres-pool.ts'

/** A migration: the SQL to run, given the quoted schema name to qualify every object with. */
export type Migration = (schema: string) => string

export const migrations: readonly Migration[] = [
  (s) => `
    CREATE TABLE ${s}.process_definitions (
      key BIGINT PRIMARY KEY,
      bpmn_process_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT,
      resource_name TEXT NOT NULL,
      xml TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      deployed_at BIGINT NOT NULL,
      UNIQUE (bpmn_process_id, version)
    );

    CREATE TABLE ${s}.instances (
      key BIGINT PRIMARY KEY,
      process_definition_key BIGINT NOT NULL,
      bpmn_process_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      status TEXT NOT NULL,
      started_at BIGINT NOT NULL,
      ended_at BIGINT,
      parent_key BIGINT,
      business_key TEXT,
      has_incident BOOLEAN NOT NULL,
      state_version INTEGER NOT NULL,
      state TEXT NOT NULL
    );
    CREATE INDEX instances_status ON ${s}.instances (status, key);
    CREATE INDEX instances_bpmn_process_id ON ${s}.instances (bpmn_process_id, key);
    CREATE INDEX instances_process_definition_key ON ${s}.instances (process_definition_key, key);
    CREATE INDEX instances_parent_key ON ${s}.instances (parent_key, key)
      WHERE parent_key IS NOT NULL;
    CREATE INDEX instances_has_incident ON ${s}.instances (key) WHERE has_incident;

    -- One row per commit that appended events to an instance; to_position is inclusive.
    CREATE TABLE ${s}.instance_events (
      instance_key BIGINT NOT NULL,
      from_position INTEGER NOT NULL,
      to_position INTEGER NOT NULL,
      events TEXT NOT NULL,
      PRIMARY KEY (instance_key, from_position)
    );

    -- due_at: when the job can next be activated (retry backoff or lease expiry); NULL when failed.
    CREATE TABLE ${s}.jobs (
      key BIGINT PRIMARY KEY,
      instance_key BIGINT NOT NULL,
      element_instance_key BIGINT NOT NULL,
      element_id TEXT NOT NULL,
      bpmn_process_id TEXT NOT NULL,
      process_definition_key BIGINT NOT NULL,
      type TEXT NOT NULL,
      retries INTEGER NOT NULL,
      headers TEXT NOT NULL,
      status TEXT NOT NULL,
      worker TEXT,
      deadline BIGINT,
      retry_at BIGINT,
      error_message TEXT,
      created_at BIGINT NOT NULL,
      due_at BIGINT GENERATED ALWAYS AS (
        CASE status
          WHEN 'activatable' THEN coalesce(retry_at, created_at)
          WHEN 'activated' THEN CASE WHEN deadline IS NOT NULL THEN greatest(deadline, retry_at) END
        END
      ) STORED
    );
    -- Activation walks one type's open jobs oldest first and stops after max hits.
    CREATE INDEX jobs_activation ON ${s}.jobs (type, key) WHERE status <> 'failed';
    CREATE INDEX jobs_due ON ${s}.jobs (type, due_at) WHERE due_at IS NOT NULL;

    CREATE TABLE ${s}.user_tasks (
      key BIGINT PRIMARY KEY,
      instance_key BIGINT NOT NULL,
      element_instance_key BIGINT NOT NULL,
      element_id TEXT NOT NULL,
      name TEXT,
      bpmn_process_id TEXT NOT NULL,
      process_definition_key BIGINT NOT NULL,
      status TEXT NOT NULL,
      assignee TEXT,
      candidate_users JSONB NOT NULL,
      candidate_groups JSONB NOT NULL,
      due_date TEXT,
      follow_up_date TEXT,
      priority INTEGER NOT NULL,
      form_key TEXT,
      form_id TEXT,
      created_at BIGINT NOT NULL,
      ended_at BIGINT
    );
    CREATE INDEX user_tasks_status ON ${s}.user_tasks (status, key);
    CREATE INDEX user_tasks_assignee ON ${s}.user_tasks (assignee, key) WHERE assignee IS NOT NULL;
    CREATE INDEX user_tasks_instance_key ON ${s}.user_tasks (instance_key);
    CREATE INDEX user_tasks_candidate_users ON ${s}.user_tasks
      USING gin (candidate_users jsonb_path_ops);
    CREATE INDEX user_tasks_candidate_groups ON ${s}.user_tasks
      USING gin (candidate_groups jsonb_path_ops);

    CREATE TABLE ${s}.incidents (
      key BIGINT PRIMARY KEY,
      instance_key BIGINT NOT NULL,
      element_instance_key BIGINT NOT NULL,
      element_id TEXT NOT NULL,
      bpmn_process_id TEXT NOT NULL,
      process_definition_key BIGINT NOT NULL,
      error_type TEXT NOT NULL,
      error_message TEXT NOT NULL,
      job_key BIGINT,
      status TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      resolved_at BIGINT
    );
    CREATE INDEX incidents_status ON ${s}.incidents (status, key);
    CREATE INDEX incidents_instance_key ON ${s}.incidents (instance_key);

    -- The key counter: next is the first key not yet handed out. One row, updated in place, so
    -- that concurrent reservations queue on its row lock and never overlap.
    CREATE TABLE ${s}.keys (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      next BIGINT NOT NULL
    );
    INSERT INTO ${s}.keys (id, next) VALUES (1, 1);
  `,
  (s) => `
    -- What instances and deployed processes wait on. instance_key is NULL for a start event of a
    -- deployed process; name is NULL for timers; due_at is set for timers only. payload is JSON
    -- text, like the state document: only ever read whole.
    CREATE TABLE ${s}.subscriptions (
      key BIGINT PRIMARY KEY,
      kind TEXT NOT NULL,
      instance_key BIGINT,
      process_definition_key BIGINT NOT NULL,
      bpmn_process_id TEXT NOT NULL,
      element_id TEXT NOT NULL,
      name TEXT,
      correlation_key TEXT,
      due_at BIGINT,
      payload TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    -- One partial index per kind, so that a put maintains one of them only; kind is constant
    -- inside each, so it is not a column. Unlike SQLite's, equal entries are in no particular
    -- order here, so key is the last column: the lists come out of the index in their order.
    CREATE INDEX subscriptions_timer_due ON ${s}.subscriptions (due_at, key) WHERE kind = 'timer';
    CREATE INDEX subscriptions_message ON ${s}.subscriptions (name, correlation_key, key)
      WHERE kind = 'message';
    CREATE INDEX subscriptions_signal ON ${s}.subscriptions (name, key) WHERE kind = 'signal';
    CREATE INDEX subscriptions_start_events ON ${s}.subscriptions (process_definition_key, key)
      WHERE instance_key IS NULL;

    -- message_id is not UNIQUE: an expired message that is not deleted yet must not block a new
    -- one with the same id. Liveness depends on the time, so the engine checks it before a put.
    CREATE TABLE ${s}.buffered_messages (
      key BIGINT PRIMARY KEY,
      name TEXT NOT NULL,
      correlation_key TEXT NOT NULL,
      message_id TEXT,
      variables TEXT NOT NULL,
      published_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL
    );
    CREATE INDEX buffered_messages_correlation ON ${s}.buffered_messages
      (name, correlation_key, key);
    CREATE INDEX buffered_messages_message_id ON ${s}.buffered_messages (message_id, key)
      WHERE message_id IS NOT NULL;
    CREATE INDEX buffered_messages_expires_at ON ${s}.buffered_messages (expires_at);
  `,
  // Decisions: deployed DMN decisions, versioned by decision id like processes.
  decisionDefinitionsMigration,
  (s) => `
    -- Scale-out: a node claims a due timer until claimed_until, so that one node fires it; a
    -- put of the row (the next due time of a cycle) ends the claim.
    ALTER TABLE ${s}.subscriptions ADD COLUMN claimed_until BIGINT;
    CREATE INDEX subscriptions_claimed ON ${s}.subscriptions (claimed_until)
      WHERE claimed_until IS NOT NULL;
    -- Retention walks ended instances oldest first.
    CREATE INDEX instances_ended ON ${s}.instances (ended_at) WHERE status <> 'active';
    -- (Jobs and subscriptions hold open rows only, so retention needs no index on them.)
  `,
  // Statistics: per-element counters and duration histograms for live views.
  statisticsMigration,
  (s) => `
    -- Message start events: the active instance a message with a correlation key started, per
    -- process id and key. The primary key lets one node only start an instance for a key.
    CREATE TABLE ${s}.active_message_starts (
      bpmn_process_id TEXT NOT NULL,
      correlation_key TEXT NOT NULL,
      instance_key BIGINT NOT NULL,
      PRIMARY KEY (bpmn_process_id, correlation_key)
    );
  `,
  (s) => `
    -- Activation reads each type's due jobs in (due_at, key) order and stops after max: with key
    -- in the index the range is read in that order, where ties on due_at (every job one commit
    -- created) would otherwise be read whole and sorted.
    DROP INDEX ${s}.jobs_due;
    CREATE INDEX jobs_due ON ${s}.jobs (type, due_at, key) WHERE due_at IS NOT NULL;
  `,
  (s) => `
    -- Nothing reads jobs_activation since activation reads due jobs through jobs_due (only
    -- releaseAllJobLeases could, and only an embedded SQLite engine calls it): dropped so that
    -- every job insert and delete stops maintaining it.
    DROP INDEX IF EXISTS ${s}.jobs_activation;
  `,
]

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/

/** The schema name, double-quoted for SQL; throws on anything but a plain lower-case name. */
export function quoteSchema(schema: string): string {
  if (!schemaName.test(schema)) {
    throw new RangeError(
      `invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, ` +
        'digits and underscores (at most 63, not starting with a digit)',
    )
  }
  return `"${schema}"`
}

/**
 * Brings the schema up to date, creating it if needed; throws if it was written by a newer Baton.
 * Runs in one transaction holding a transaction-scoped advisory lock (keyed by the schema name),
 * so concurrent opens wait for the first and then find nothing left to do.
 */
export async function migrate(db: PostgresQueryable, schema: string): Promise<void> {
  const s = quoteSchema(schema)
  await db.query({ text: 'BEGIN' })
  try {
    await db.query({
      text: "SELECT pg_advisory_xact_lock(hashtextextended('baton schema migrations ' || $1, 0))",
      values: [schema],
    })
    // Checked first: CREATE ... IF NOT EXISTS needs the CREATE privilege even when there is
    // nothing to create, and a node may run as a role that only reads and writes the tables.
    const found = await db.query<{ schema: boolean; table: boolean }>({
      text:
        'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema, ' +
        'to_regclass($2) IS NOT NULL AS table',
      values: [schema, `${s}.schema_migrations`],
    })
    if (found.rows[0]?.schema !== true) await db.query({ text: `CREATE SCHEMA ${s}` })
    if (found.rows[0]?.table !== true) {
      await db.query({
        text: `CREATE TABLE ${s}.schema_migrations (
          version INTEGER PRIMARY KEY,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )`,
      })
    }
    const { rows } = await db.query<{ current: number }>({
      text: `SELECT coalesce(max(version), 0) AS current FROM ${s}.schema_migrations`,
    })
    const current = rows[0]?.current ?? 0
    if (current > migrations.length) {
      throw new Error(
        `the PostgreSQL schema ${schema} has schema version ${current}, newer than this Baton ` +
          `supports (${migrations.length}): upgrade Baton or use another schema`,
      )
    }
    for (const [index, migration] of migrations.entries()) {
      if (index < current) continue
      await db.query({ text: migration(s) })
      await db.query({
        text: `INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`,
        values: [index + 1],
      })
    }
    await db.query({ text: 'COMMIT' })
  } catch (error) {
    await db.query({ text: 'ROLLBACK' }).catch(() => {})
    throw error
  }
}
