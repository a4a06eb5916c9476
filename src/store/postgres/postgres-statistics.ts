/**
 * Statistics in PostgreSQL: the counter tables' migration, the per-commit upserts and the three
 * StatisticsStore queries. Kept apart from postgres-store.ts, which only delegates here.
 *
 * Every commit adds to the same few counter rows, so several nodes writing one row would queue
 * behind each other's transactions. Each store therefore writes its own slot of every counter
 * (chosen at random when it opens) and the queries sum the slots.
 */
import type { Key } from '../../engine/types.ts'
import type {
  ElementStatisticsDelta,
  ElementStatisticsRecord,
  IncidentGroupRecord,
  ProcessDefinitionStatisticsRecord,
} from '../statistics.ts'
import type { ArrayElement, ArrayElementType } from './postgres-binary-array.ts'
import type { PostgresQueryable, PostgresValue } from './postgres-pool.ts'
import { compareKeys, keyParam, parseKey } from './postgres-rows.ts'

/** How the commit's statement binds values (postgres-commit.ts's Params). */
export interface StatementParams {
  bind(value: PostgresValue): string
  array(type: ArrayElementType, elements: readonly ArrayElement[]): string
}

/** How many slots a counter is spread over. */
export const STATISTICS_SLOTS = 64

/** The migration creating the counter tables (appended to postgres-schema.ts's list). */
export function statisticsMigration(s: string): string {
  return `
    CREATE TABLE ${s}.element_statistics (
      process_definition_key BIGINT NOT NULL,
      element_id TEXT NOT NULL,
      slot SMALLINT NOT NULL,
      entered BIGINT NOT NULL,
      completed BIGINT NOT NULL,
      terminated BIGINT NOT NULL,
      duration_total_ms BIGINT NOT NULL,
      PRIMARY KEY (process_definition_key, element_id, slot)
    );
    CREATE TABLE ${s}.element_durations (
      process_definition_key BIGINT NOT NULL,
      element_id TEXT NOT NULL,
      bucket SMALLINT NOT NULL,
      slot SMALLINT NOT NULL,
      count BIGINT NOT NULL,
      PRIMARY KEY (process_definition_key, element_id, bucket, slot)
    );
    CREATE INDEX incidents_active_definition ON ${s}.incidents (process_definition_key, element_id)
      WHERE status = 'active';
  `
}

/**
 * A commit's deltas added to this store's slot: the upserts, as data-modifying CTEs of the
 * commit's statement (postgres-commit.ts), binding their values through `params`, each with
 * `condition` (a WHERE clause or '') on its rows.
 */
export function statisticsWrites(
  params: StatementParams,
  s: string,
  slot: number,
  deltas: readonly ElementStatisticsDelta[],
  condition: string,
): string[] {
  if (deltas.length === 0) return []
  // Key order, like every other write of a commit, so that two commits never lock in a cycle.
  const sorted = [...deltas].sort(
    (a, b) =>
      compareKeys(a.processDefinitionKey, b.processDefinitionKey) ||
      (a.elementId < b.elementId ? -1 : a.elementId > b.elementId ? 1 : 0),
  )
  const slotParam = `${params.bind(slot)}::smallint`
  const counters =
    `INSERT INTO ${s}.element_statistics SELECT d, e, ${slotParam}, n, c, t, ms FROM unnest(` +
    arrays(params, sorted, [
      ['bigint', (d) => keyParam(d.processDefinitionKey)],
      ['text', (d) => d.elementId],
      ['bigint', (d) => d.entered],
      ['bigint', (d) => d.completed],
      ['bigint', (d) => d.terminated],
      ['bigint', (d) => Math.round(d.durationTotalMs)],
    ]) +
    `) AS batch (d, e, n, c, t, ms)${condition}
      ON CONFLICT (process_definition_key, element_id, slot) DO UPDATE SET
        entered = ${s}.element_statistics.entered + excluded.entered,
        completed = ${s}.element_statistics.completed + excluded.completed,
        terminated = ${s}.element_statistics.terminated + excluded.terminated,
        duration_total_ms = ${s}.element_statistics.duration_total_ms + excluded.duration_total_ms`
  const buckets = sorted.flatMap((d) =>
    [...d.durationBuckets]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([bucket, count]) =>
          [keyParam(d.processDefinitionKey), d.elementId, bucket, count] as const,
      ),
  )
  if (buckets.length === 0) return [counters]
  const durations =
    `INSERT INTO ${s}.element_durations SELECT d, e, b, ${slotParam}, n FROM unnest(` +
    arrays(params, buckets, [
      ['bigint', (row) => row[0]],
      ['text', (row) => row[1]],
      ['smallint', (row) => row[2]],
      ['bigint', (row) => row[3]],
    ]) +
    `) AS batch (d, e, b, n)${condition}
      ON CONFLICT (process_definition_key, element_id, bucket, slot) DO UPDATE SET
        count = ${s}.element_durations.count + excluded.count`
  return [counters, durations]
}

/** One bound array per column of `rows`, comma-separated (the arguments of an unnest). */
function arrays<T>(
  params: StatementParams,
  rows: readonly T[],
  columns: readonly (readonly [ArrayElementType, (row: T) => ArrayElement])[],
): string {
  return columns.map(([type, value]) => params.array(type, rows.map(value))).join(', ')
}

export async function elementStatistics(
  db: PostgresQueryable,
  s: string,
  processDefinitionKey: Key,
): Promise<ElementStatisticsRecord[]> {
  const definition = parseKey(processDefinitionKey)
  if (definition === undefined) return []
  const [counters, durations, incidents] = await Promise.all([
    db.query<{
      element_id: string
      entered: string
      completed: string
      terminated: string
      duration_total_ms: string
    }>({
      text: `SELECT element_id, sum(entered) AS entered, sum(completed) AS completed,
          sum(terminated) AS terminated, sum(duration_total_ms) AS duration_total_ms
        FROM ${s}.element_statistics WHERE process_definition_key = $1 GROUP BY element_id`,
      values: [definition],
    }),
    db.query<{ element_id: string; bucket: number; count: string }>({
      text: `SELECT element_id, bucket, sum(count) AS count FROM ${s}.element_durations
        WHERE process_definition_key = $1 GROUP BY element_id, bucket`,
      values: [definition],
    }),
    db.query<{ element_id: string; incidents: string }>({
      text: `SELECT element_id, count(*) AS incidents FROM ${s}.incidents
        WHERE status = 'active' AND process_definition_key = $1 GROUP BY element_id`,
      values: [definition],
    }),
  ])
  const byElement = new Map<string, ElementRecord>()
  const entry = (elementId: string): ElementRecord => {
    let record = byElement.get(elementId)
    if (record === undefined) {
      record = {
        elementId,
        entered: 0,
        completed: 0,
        terminated: 0,
        durationTotalMs: 0,
        durationBuckets: [],
        incidents: 0,
      }
      byElement.set(elementId, record)
    }
    return record
  }
  for (const row of counters.rows) {
    Object.assign(entry(row.element_id), {
      entered: Number(row.entered),
      completed: Number(row.completed),
      terminated: Number(row.terminated),
      durationTotalMs: Number(row.duration_total_ms),
    })
  }
  for (const row of durations.rows) {
    entry(row.element_id).durationBuckets.push([row.bucket, Number(row.count)])
  }
  for (const row of incidents.rows) entry(row.element_id).incidents = Number(row.incidents)
  return [...byElement.values()].sort((a, b) => a.elementId.localeCompare(b.elementId))
}

export async function processDefinitionStatistics(
  db: PostgresQueryable,
  s: string,
  waitingSince: number,
): Promise<ProcessDefinitionStatisticsRecord[]> {
  const [ended, active] = await Promise.all([
    db.query<{ process_definition_key: string; completed: string; terminated: string }>({
      text: `SELECT st.process_definition_key, sum(st.completed) AS completed,
          sum(st.terminated) AS terminated
        FROM ${s}.element_statistics st JOIN ${s}.process_definitions d
          ON d.key = st.process_definition_key AND d.bpmn_process_id = st.element_id
        GROUP BY st.process_definition_key`,
    }),
    db.query<{
      process_definition_key: string
      active: string
      with_incidents: string
      waiting: string
    }>({
      text: `SELECT process_definition_key, count(*) AS active,
          count(*) FILTER (WHERE has_incident) AS with_incidents,
          count(*) FILTER (WHERE started_at < $1) AS waiting
        FROM ${s}.instances WHERE status = 'active' GROUP BY process_definition_key`,
      values: [waitingSince],
    }),
  ])
  const byDefinition = new Map<string, DefinitionRecord>()
  const entry = (key: string): DefinitionRecord => {
    let record = byDefinition.get(key)
    if (record === undefined) {
      record = {
        processDefinitionKey: key,
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
  for (const row of ended.rows) {
    Object.assign(entry(String(row.process_definition_key)), {
      completed: Number(row.completed),
      terminated: Number(row.terminated),
    })
  }
  for (const row of active.rows) {
    Object.assign(entry(String(row.process_definition_key)), {
      active: Number(row.active),
      withIncidents: Number(row.with_incidents),
      waitingSince: Number(row.waiting),
    })
  }
  return [...byDefinition.values()].sort((a, b) =>
    compareKeys(a.processDefinitionKey, b.processDefinitionKey),
  )
}

export async function incidentGroups(
  db: PostgresQueryable,
  s: string,
  limit: number,
): Promise<IncidentGroupRecord[]> {
  const { rows } = await db.query<{
    error_type: string
    error_message: string
    count: string
    definitions: string[]
  }>({
    text: `SELECT error_type, error_message, count(*) AS count,
        array_agg(DISTINCT process_definition_key::text) AS definitions
      FROM ${s}.incidents WHERE status = 'active'
      GROUP BY error_type, error_message
      ORDER BY count(*) DESC, error_type, error_message LIMIT $1`,
    values: [limit],
  })
  return rows.map((row) => ({
    errorType: row.error_type,
    errorMessage: row.error_message,
    count: Number(row.count),
    processDefinitionKeys: [...row.definitions].sort(compareKeys),
  }))
}

type ElementRecord = {
  -readonly [K in keyof ElementStatisticsRecord]: K extends 'durationBuckets'
    ? [number, number][]
    : ElementStatisticsRecord[K]
}
type DefinitionRecord = {
  -readonly [K in keyof ProcessDefinitionStatisticsRecord]: ProcessDefinitionStatisticsRecord[K]
}
