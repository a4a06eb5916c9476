/**
 * Statistics in SQLite: the counter tables' migration, the per-commit upserts, and the three
 * StatisticsStore queries. Kept apart from sqlite-store.ts, which only delegates here.
 */
import type { Key } from '../../engine/types.ts'
import type {
  ElementStatisticsDelta,
  ElementStatisticsRecord,
  IncidentGroupRecord,
  ProcessDefinitionStatisticsRecord,
} from '../statistics.ts'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.ts'
import { keyParam, parseKey } from './sqlite-rows.ts'

/** The migration creating the counter tables (appended to sqlite-schema.ts's list). */
export function statisticsMigration(db: SqliteDatabase): void {
  db.exec(`
    -- Per element of a process definition (the process itself under its own id): counters
    -- summed over the whole history, and completed durations by histogram bucket.
    CREATE TABLE element_statistics (
      process_definition_key INTEGER NOT NULL,
      element_id TEXT NOT NULL,
      entered INTEGER NOT NULL,
      completed INTEGER NOT NULL,
      terminated INTEGER NOT NULL,
      duration_total_ms INTEGER NOT NULL,
      PRIMARY KEY (process_definition_key, element_id)
    ) WITHOUT ROWID;
    CREATE TABLE element_durations (
      process_definition_key INTEGER NOT NULL,
      element_id TEXT NOT NULL,
      bucket INTEGER NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (process_definition_key, element_id, bucket)
    ) WITHOUT ROWID;
    CREATE INDEX incidents_active_definition ON incidents (process_definition_key, element_id)
      WHERE status = 'active';
  `)
}

export class SqliteStatistics {
  readonly #addCounters: SqliteStatement
  readonly #addDurations: SqliteStatement
  readonly #elementCounters: SqliteStatement
  readonly #elementDurations: SqliteStatement
  readonly #elementIncidents: SqliteStatement
  readonly #processCounters: SqliteStatement
  readonly #activeInstances: SqliteStatement
  readonly #incidentGroups: SqliteStatement

  constructor(db: SqliteDatabase) {
    this.#addCounters = db.prepare(
      `INSERT INTO element_statistics VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (process_definition_key, element_id) DO UPDATE SET
         entered = entered + excluded.entered,
         completed = completed + excluded.completed,
         terminated = terminated + excluded.terminated,
         duration_total_ms = duration_total_ms + excluded.duration_total_ms`,
    )
    this.#addDurations = db.prepare(
      `INSERT INTO element_durations VALUES (?, ?, ?, ?)
       ON CONFLICT (process_definition_key, element_id, bucket) DO UPDATE SET
         count = count + excluded.count`,
    )
    this.#elementCounters = db.prepare(
      `SELECT element_id, entered, completed, terminated, duration_total_ms
       FROM element_statistics WHERE process_definition_key = ?`,
    )
    this.#elementDurations = db.prepare(
      `SELECT element_id, bucket, count FROM element_durations WHERE process_definition_key = ?`,
    )
    this.#elementIncidents = db.prepare(
      `SELECT element_id, count(*) AS incidents FROM incidents
       WHERE status = 'active' AND process_definition_key = ? GROUP BY element_id`,
    )
    this.#processCounters = db.prepare(
      `SELECT s.process_definition_key, s.completed, s.terminated
       FROM element_statistics s JOIN process_definitions d
         ON d.key = s.process_definition_key AND d.bpmn_process_id = s.element_id`,
    )
    this.#activeInstances = db.prepare(
      `SELECT process_definition_key, count(*) AS active, sum(has_incident) AS with_incidents,
         sum(started_at < ?) AS waiting
       FROM instances WHERE status = 'active' GROUP BY process_definition_key`,
    )
    this.#incidentGroups = db.prepare(
      `SELECT error_type, error_message, count(*) AS count,
         group_concat(DISTINCT process_definition_key) AS definitions
       FROM incidents WHERE status = 'active'
       GROUP BY error_type, error_message ORDER BY count DESC, error_type, error_message LIMIT ?`,
    )
  }

  /** Adds a commit's deltas (inside the commit's transaction). */
  write(deltas: readonly ElementStatisticsDelta[]): void {
    for (const delta of deltas) {
      const definition = keyParam(delta.processDefinitionKey)
      this.#addCounters.run(
        definition,
        delta.elementId,
        delta.entered,
        delta.completed,
        delta.terminated,
        Math.round(delta.durationTotalMs),
      )
      for (const [bucket, count] of delta.durationBuckets) {
        this.#addDurations.run(definition, delta.elementId, bucket, count)
      }
    }
  }

  elementStatistics(processDefinitionKey: Key): ElementStatisticsRecord[] {
    const definition = parseKey(processDefinitionKey)
    if (definition === undefined) return []
    const byElement = new Map<string, MutableElementRecord>()
    const entry = (elementId: string): MutableElementRecord => {
      let record = byElement.get(elementId)
      if (record === undefined) {
        record = emptyElementRecord(elementId)
        byElement.set(elementId, record)
      }
      return record
    }
    for (const row of this.#elementCounters.all(definition) as CounterRow[]) {
      Object.assign(entry(row.element_id), {
        entered: row.entered,
        completed: row.completed,
        terminated: row.terminated,
        durationTotalMs: row.duration_total_ms,
      })
    }
    for (const row of this.#elementDurations.all(definition) as DurationRow[]) {
      entry(row.element_id).durationBuckets.push([row.bucket, row.count])
    }
    for (const row of this.#elementIncidents.all(definition) as IncidentCountRow[]) {
      entry(row.element_id).incidents = row.incidents
    }
    return [...byElement.values()].sort((a, b) => a.elementId.localeCompare(b.elementId))
  }

  processDefinitionStatistics(waitingSince: number): ProcessDefinitionStatisticsRecord[] {
    const byDefinition = new Map<number, MutableDefinitionRecord>()
    const entry = (key: number): MutableDefinitionRecord => {
      let record = byDefinition.get(key)
      if (record === undefined) {
        record = {
          processDefinitionKey: String(key),
          active: 0,
          completed: 0,
          terminated: 0,
          withIncidents: 0,
          waitingSince: 0,
        }
        byDefinition.set(key, record)
      }
      return record
    }
    for (const row of this.#processCounters.all() as ProcessCounterRow[]) {
      Object.assign(entry(row.process_definition_key), {
        completed: row.completed,
        terminated: row.terminated,
      })
    }
    for (const row of this.#activeInstances.all(waitingSince) as ActiveRow[]) {
      Object.assign(entry(row.process_definition_key), {
        active: row.active,
        withIncidents: row.with_incidents,
        waitingSince: row.waiting,
      })
    }
    return [...byDefinition.entries()].sort((a, b) => a[0] - b[0]).map(([, record]) => record)
  }

  incidentGroups(limit: number): IncidentGroupRecord[] {
    return (this.#incidentGroups.all(limit) as IncidentGroupRow[]).map((row) => ({
      errorType: row.error_type,
      errorMessage: row.error_message,
      count: row.count,
      processDefinitionKeys: row.definitions
        .split(',')
        .map(Number)
        .sort((a, b) => a - b)
        .map(String),
    }))
  }
}

type MutableElementRecord = {
  -readonly [K in keyof ElementStatisticsRecord]: K extends 'durationBuckets'
    ? [number, number][]
    : ElementStatisticsRecord[K]
}
type MutableDefinitionRecord = {
  -readonly [K in keyof ProcessDefinitionStatisticsRecord]: ProcessDefinitionStatisticsRecord[K]
}

function emptyElementRecord(elementId: string): MutableElementRecord {
  return {
    elementId,
    entered: 0,
    completed: 0,
    terminated: 0,
    durationTotalMs: 0,
    durationBuckets: [],
    incidents: 0,
  }
}

interface CounterRow {
  element_id: string
  entered: number
  completed: number
  terminated: number
  duration_total_ms: number
}
interface DurationRow {
  element_id: string
  bucket: number
  count: number
}
interface IncidentCountRow {
  element_id: string
  incidents: number
}
interface ProcessCounterRow {
  process_definition_key: number
  completed: number
  terminated: number
}
interface ActiveRow {
  process_definition_key: number
  active: number
  with_incidents: number
  waiting: number
}
interface IncidentGroupRow {
  error_type: string
  error_message: string
  count: number
  definitions: string
}
