/**
 * The part of better-sqlite3 the SQLite store uses, described structurally so that the rest of
 * the adapter does not depend on the library's own types (and a test could hand in a fake).
 */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'

/** A value SQLite can bind: keys travel as numbers, JSON as text, booleans as 0/1. */
export type SqliteValue = string | number | bigint | null

export interface SqliteRunResult {
  readonly changes: number
}

export interface SqliteStatement {
  run(...params: readonly SqliteValue[]): SqliteRunResult
  get(...params: readonly SqliteValue[]): unknown
  all(...params: readonly SqliteValue[]): unknown[]
}

/** A function wrapped in a transaction: plain call = BEGIN DEFERRED, `.immediate` = BEGIN IMMEDIATE. */
export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R
  immediate(...args: A): R
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement
  exec(sql: string): void
  pragma(source: string, options: { simple: true }): unknown
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>
  close(): void
}

/** Opens (creating it and its parent directories if needed) a SQLite database file or `:memory:`. */
export function openSqliteDatabase(path: string, busyTimeoutMs: number): SqliteDatabase {
  if (path !== ':memory:' && !path.startsWith('file:')) {
    const directory = dirname(resolve(path))
    try {
      mkdirSync(directory, { recursive: true })
    } catch (error) {
      throw openError(path, `cannot create its directory ${directory}`, error)
    }
  }
  try {
    return new Database(path, { timeout: busyTimeoutMs }) as unknown as SqliteDatabase
  } catch (error) {
    throw openError(path, 'SQLite refused it', error)
  }
}

function openError(path: string, what: string, error: unknown): Error {
  const cause = error instanceof Error ? error.message : String(error)
  return new Error(`cannot open the SQLite store at ${path}: ${what} (${cause})`, { cause: error })
}
