/**
 * Deployed DMN decisions in PostgreSQL: the `decision_definitions` table's migration, and the two
 * Store methods over it. Kept apart from postgres-store.ts, which only delegates here.
 */
import type { DecisionDefinitionRecord } from '../store.ts'
import type { PostgresQueryable } from './postgres-pool.ts'
import {
  columnArrays,
  columnList,
  compareKeys,
  keyParam,
  unnestRows,
  type Column,
} from './postgres-rows.ts'

/** The migration creating the table (appended to postgres-schema.ts's list). */
export function decisionDefinitionsMigration(s: string): string {
  return `
    CREATE TABLE ${s}.decision_definitions (
      key BIGINT PRIMARY KEY,
      decision_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT,
      decision_requirements_id TEXT NOT NULL,
      resource_name TEXT NOT NULL,
      xml TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      deployed_at BIGINT NOT NULL,
      UNIQUE (decision_id, version)
    );
  `
}

const columns: readonly Column<DecisionDefinitionRecord>[] = [
  { name: 'key', type: 'bigint', value: (r) => keyParam(r.key) },
  { name: 'decision_id', type: 'text', value: (r) => r.decisionId },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'decision_requirements_id', type: 'text', value: (r) => r.decisionRequirementsId },
  { name: 'resource_name', type: 'text', value: (r) => r.resourceName },
  { name: 'xml', type: 'text', value: (r) => r.xml },
  { name: 'content_hash', type: 'text', value: (r) => r.contentHash },
  { name: 'deployed_at', type: 'bigint', value: (r) => r.deployedAt },
]

interface DecisionDefinitionRow {
  key: string
  decision_id: string
  version: number
  name: string | null
  decision_requirements_id: string
  resource_name: string
  xml: string
  content_hash: string
  deployed_at: string
}

/** Upserts the records by key in one statement (the last record of a repeated key wins). */
export async function saveDecisionDefinitions(
  db: PostgresQueryable,
  schema: string,
  records: readonly DecisionDefinitionRecord[],
): Promise<void> {
  if (records.length === 0) return
  const byKey = new Map<string, DecisionDefinitionRecord>()
  for (const record of records) byKey.set(keyParam(record.key), record)
  const rows = [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key))
  const updates = columns
    .filter((column) => column.name !== 'key')
    .map((column) => `${column.name} = excluded.${column.name}`)
    .join(', ')
  await db.query({
    text:
      `INSERT INTO ${schema}.decision_definitions (${columnList(columns)}) ` +
      `SELECT * FROM ${unnestRows(columns, 'batch')} ON CONFLICT (key) DO UPDATE SET ${updates}`,
    values: columnArrays(columns, rows),
  })
}

/** Every decision definition, ordered by decision id then version. */
export async function listDecisionDefinitions(
  db: PostgresQueryable,
  schema: string,
): Promise<DecisionDefinitionRecord[]> {
  const { rows } = await db.query<DecisionDefinitionRow>({
    name: 'baton_listDecisionDefinitions',
    text:
      `SELECT ${columnList(columns)} FROM ${schema}.decision_definitions ` +
      'ORDER BY decision_id, version',
  })
  return rows.map((row) => ({
    key: row.key,
    decisionId: row.decision_id,
    version: row.version,
    name: row.name,
    decisionRequirementsId: row.decision_requirements_id,
    resourceName: row.resource_name,
    xml: row.xml,
    contentHash: row.content_hash,
    deployedAt: Number(row.deployed_at),
  }))
}
