/**
 * The SQLite schema, as an ordered list of migrations. `PRAGMA user_version` records how many have
 * been applied; opening a store applies the missing ones in one transaction. Never edit a released
 * migration: append a new one.
 *
 * Keys are INTEGER columns (a key's order is numeric order, which keyset paging relies on) and
 * are turned back into decimal strings when read.
 */
import { statisticsMigration } from './sqlite-statistics.ts'
import type { SqliteDatabase } from './sqlite-database.ts'

export type Migration = (db: SqliteDatabase) => void

export const migrations: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE process_definitions (
        key INTEGER PRIMARY KEY,
        bpmn_process_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT,
        resource_name TEXT NOT NULL,
        xml TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        deployed_at INTEGER NOT NULL,
        UNIQUE (bpmn_process_id, version)
      );

      CREATE TABLE instances (
        key INTEGER PRIMARY KEY,
        process_definition_key INTEGER NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        parent_key INTEGER,
        business_key TEXT,
        has_incident INTEGER NOT NULL,
        state_version INTEGER NOT NULL,
        state TEXT NOT NULL
      );
      CREATE INDEX instances_status ON instances (status, key);
      CREATE INDEX instances_bpmn_process_id ON instances (bpmn_process_id, key);
      CREATE INDEX instances_process_definition_key ON instances (process_definition_key, key);
      CREATE INDEX instances_parent_key ON instances (parent_key, key) WHERE parent_key IS NOT NULL;
      CREATE INDEX instances_has_incident ON instances (key) WHERE has_incident = 1;

      -- One row per commit that appended events to an instance; to_position is inclusive.
      -- A rowid table on purpose: the large events text is appended at the end of the table and only
      -- the small primary-key index entry lands in the middle (5x faster commits than WITHOUT ROWID).
      CREATE TABLE instance_events (
        instance_key INTEGER NOT NULL,
        from_position INTEGER NOT NULL,
        to_position INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (instance_key, from_position)
      );

      -- due_at: when the job can next be activated (retry backoff or lease expiry); NULL when failed.
      CREATE TABLE jobs (
        key INTEGER PRIMARY KEY,
        instance_key INTEGER NOT NULL,
        element_instance_key INTEGER NOT NULL,
        element_id TEXT NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        process_definition_key INTEGER NOT NULL,
        type TEXT NOT NULL,
        retries INTEGER NOT NULL,
        headers TEXT NOT NULL,
        status TEXT NOT NULL,
        worker TEXT,
        deadline INTEGER,
        retry_at INTEGER,
        error_message TEXT,
        created_at INTEGER NOT NULL,
        due_at INTEGER GENERATED ALWAYS AS (
          CASE status
            WHEN 'activatable' THEN coalesce(retry_at, created_at)
            WHEN 'activated' THEN max(deadline, coalesce(retry_at, deadline))
          END
        ) VIRTUAL
      );
      -- Activation walks one type's open jobs oldest first and stops after max hits.
      CREATE INDEX jobs_activation ON jobs (type, key) WHERE status <> 'failed';
      CREATE INDEX jobs_due ON jobs (type, due_at) WHERE due_at IS NOT NULL;

      -- Candidates are JSON arrays of strings, filtered with json_each.
      CREATE TABLE user_tasks (
        key INTEGER PRIMARY KEY,
        instance_key INTEGER NOT NULL,
        element_instance_key INTEGER NOT NULL,
        element_id TEXT NOT NULL,
        name TEXT,
        bpmn_process_id TEXT NOT NULL,
        process_definition_key INTEGER NOT NULL,
        status TEXT NOT NULL,
        assignee TEXT,
        candidate_users TEXT NOT NULL,
        candidate_groups TEXT NOT NULL,
        due_date TEXT,
        follow_up_date TEXT,
        priority INTEGER NOT NULL,
        form_key TEXT,
        form_id TEXT,
        created_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX user_tasks_status ON user_tasks (status, key);
      CREATE INDEX user_tasks_assignee ON user_tasks (assignee, key) WHERE assignee IS NOT NULL;
      CREATE INDEX user_tasks_instance_key ON user_tasks (instance_key);

      CREATE TABLE incidents (
        key INTEGER PRIMARY KEY,
        instance_key INTEGER NOT NULL,
        element_instance_key INTEGER NOT NULL,
        element_id TEXT NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        process_definition_key INTEGER NOT NULL,
        error_type TEXT NOT NULL,
        error_message TEXT NOT NULL,
        job_key INTEGER,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        resolved_at INTEGER
      );
      CREATE INDEX incidents_status ON incidents (status, key);
      CREATE INDEX incidents_instance_key ON incidents (instance_key);

      -- The key counter: next is the first key not yet handed out.
      CREATE TABLE keys (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        next INTEGER NOT NULL
      );
      INSERT INTO keys (id, next) VALUES (1, 1);
    `)
  },
  (db) => {
    db.exec(`
      -- What instances and deployed processes wait on. instance_key is NULL for a start event of a
      -- deployed process; name is NULL for timers; due_at is set for timers only.
      CREATE TABLE subscriptions (
        key INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        instance_key INTEGER,
        process_definition_key INTEGER NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        element_id TEXT NOT NULL,
        name TEXT,
        correlation_key TEXT,
        due_at INTEGER,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      -- One partial index per kind, so that a put maintains one of them only; kind is constant
      -- inside each, so it is not a column. Equal entries are in rowid (key) order.
      CREATE INDEX subscriptions_timer_due ON subscriptions (due_at) WHERE kind = 'timer';
      CREATE INDEX subscriptions_message ON subscriptions (name, correlation_key)
        WHERE kind = 'message';
      CREATE INDEX subscriptions_signal ON subscriptions (name) WHERE kind = 'signal';
      CREATE INDEX subscriptions_start_events ON subscriptions (process_definition_key)
        WHERE instance_key IS NULL;

      -- message_id is not UNIQUE: an expired message that is not deleted yet must not block a new
      -- one with the same id. Liveness depends on the time, so the engine checks it before a put.
      CREATE TABLE buffered_messages (
        key INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        correlation_key TEXT NOT NULL,
        message_id TEXT,
        variables TEXT NOT NULL,
        published_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX buffered_messages_correlation ON buffered_messages (name, correlation_key, key);
      CREATE INDEX buffered_messages_message_id ON buffered_messages (message_id)
        WHERE message_id IS NOT NULL;
      CREATE INDEX buffered_messages_expires_at ON buffered_messages (expires_at);
    `)
  },
  // Decisions: deployed DMN decisions, versioned by decision id like processes.
  (db) => {
    db.exec(`
      CREATE TABLE decision_definitions (
        key INTEGER PRIMARY KEY,
        decision_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT,
        decision_requirements_id TEXT NOT NULL,
        resource_name TEXT NOT NULL,
        xml TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        deployed_at INTEGER NOT NULL,
        UNIQUE (decision_id, version)
      );
    `)
  },
  // Retention walks ended instances oldest first.
  (db) => {
    db.exec(`CREATE INDEX instances_ended ON instances (ended_at) WHERE status <> 'active';`)
  },
  // Statistics: per-element counters and duration histograms for live views.
  statisticsMigration,
  // Message start events: the active instance a message with a correlation key started, per
  // process id and key (at most one). Only such instances write here, when they start and end.
  (db) => {
    db.exec(`
      CREATE TABLE active_message_starts (
        bpmn_process_id TEXT NOT NULL,
        correlation_key TEXT NOT NULL,
        instance_key INTEGER NOT NULL,
        PRIMARY KEY (bpmn_process_id, correlation_key)
      ) WITHOUT ROWID;
    `)
  },
  // Nothing reads jobs_activation since activation reads due jobs through jobs_due: dropped so
  // that every job insert and delete stops maintaining it.
  (db) => {
    db.exec('DROP INDEX IF EXISTS jobs_activation')
  },
]

/** Brings the schema up to date; throws if the file was written by a newer Baton. */
export function migrate(db: SqliteDatabase, path: string): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number
    if (current > migrations.length) {
      throw new Error(
        `the SQLite store at ${path} has schema version ${current}, newer than this Baton supports ` +
          `(${migrations.length}): upgrade Baton or use another file`,
      )
    }
    for (const migration of migrations.slice(current)) migration(db)
    // PRAGMA takes no bound parameters; the value is an integer we computed.
    db.exec(`PRAGMA user_version = ${migrations.length}`)
  }).immediate()
}
