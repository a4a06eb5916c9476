/**
 * The token simulation suite's format: `scenarios.json` (a model and steps per scenario), the
 * models, and the expected traces the `expectTrace` steps name (`traces/*.json`, arrays of
 * `action:element:scope`). Loaded and checked here, so a malformed folder fails with a message
 * naming the file and the entry.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export type ScenarioStep =
  | {
      readonly op: 'trigger'
      readonly element: string
      /** The scope to trigger in, as the simulator's test names it (kept for the report). */
      readonly scope: string | undefined
    }
  | { readonly op: 'setConfig'; readonly element: string; readonly activeOutgoing: string[] }
  | { readonly op: 'waitAtElement'; readonly element: string }
  /** Signals an element directly (the simulator's tests use it on message flows). */
  | { readonly op: 'signal'; readonly element: string }
  | {
      readonly op: 'expectTrace'
      readonly fixture: string
      /** The trace, or undefined when its file is missing. */
      readonly trace: readonly string[] | undefined
      readonly traceFile: string
    }
  | { readonly op: 'unknown'; readonly name: string }

export interface Scenario {
  readonly id: string
  /** Path of the model, relative to the suite folder. */
  readonly model: string
  /** Skipped by the simulator's own test suite. */
  readonly skipped: boolean
  readonly comment: string
  readonly steps: readonly ScenarioStep[]
}

/** The folder or one of its files is not a token simulation suite; the message says what. */
export class TokenSimulationSuiteError extends Error {
  override readonly name = 'TokenSimulationSuiteError'
}

/**
 * Loads a folder in the token simulation format.
 *
 * @example
 * const scenarios = await loadTokenSimulationSuite('../shared/corpora/bpmn-exec/token-simulation')
 */
export async function loadTokenSimulationSuite(dir: string): Promise<Scenario[]> {
  if (!existsSync(dir))
    throw new TokenSimulationSuiteError(`token simulation folder not found: ${dir}`)
  const file = join(dir, 'scenarios.json')
  if (!existsSync(file)) {
    throw new TokenSimulationSuiteError(
      `${file} not found: a token simulation folder holds scenarios.json, models and traces`,
    )
  }
  const entries = await readJson(file)
  if (!Array.isArray(entries)) throw new TokenSimulationSuiteError(`${file}: expected a JSON array`)
  const scenarios: Scenario[] = []
  for (const [i, entry] of entries.entries()) {
    scenarios.push(await readScenario(dir, entry, `${file} entry ${i}`))
  }
  return scenarios
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new TokenSimulationSuiteError(`${file} is not valid JSON: ${String(error)}`)
  }
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TokenSimulationSuiteError(`${where}: expected an object`)
  return value as Record<string, unknown>
}

function requireString(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key]
  if (typeof value !== 'string' || value === '')
    throw new TokenSimulationSuiteError(`${where}: '${key}' must be a non-empty string`)
  return value
}

async function readScenario(dir: string, entry: unknown, where: string): Promise<Scenario> {
  const record = asRecord(entry, where)
  const id = requireString(record, 'id', where)
  const model = requireString(record, 'model', `${where} (${id})`)
  const steps = record['steps']
  if (!Array.isArray(steps))
    throw new TokenSimulationSuiteError(`${where} (${id}): 'steps' must be an array`)
  const read: ScenarioStep[] = []
  for (const [i, step] of steps.entries())
    read.push(await readStep(dir, step, `${where} (${id}) step ${i}`))
  const comment = record['comment']
  return {
    id,
    model,
    skipped: record['skipped'] === true,
    comment: typeof comment === 'string' ? comment : '',
    steps: read,
  }
}

async function readStep(dir: string, entry: unknown, where: string): Promise<ScenarioStep> {
  const record = asRecord(entry, where)
  const op = requireString(record, 'op', where)
  switch (op) {
    case 'trigger': {
      const scope = record['scope']
      return {
        op,
        element: requireString(record, 'element', where),
        scope:
          scope === undefined
            ? undefined
            : typeof scope === 'string'
              ? scope
              : JSON.stringify(scope),
      }
    }
    case 'setConfig': {
      const active = record['activeOutgoing']
      const list = typeof active === 'string' ? [active] : active
      if (!Array.isArray(list) || !list.every((flow) => typeof flow === 'string'))
        throw new TokenSimulationSuiteError(
          `${where}: 'activeOutgoing' must be a flow id or a list of them`,
        )
      return { op, element: requireString(record, 'element', where), activeOutgoing: list }
    }
    case 'waitAtElement':
    case 'signal':
      return { op, element: requireString(record, 'element', where) }
    case 'expectTrace': {
      const traceFile = requireString(record, 'traceFile', where)
      const fixture = typeof record['fixture'] === 'string' ? record['fixture'] : traceFile
      const path = join(dir, traceFile)
      if (!existsSync(path)) return { op, fixture, traceFile, trace: undefined }
      const trace = await readJson(path)
      if (!Array.isArray(trace) || !trace.every((item) => typeof item === 'string'))
        throw new TokenSimulationSuiteError(`${path}: expected an array of strings`)
      return { op, fixture, traceFile, trace }
    }
    default:
      return { op: 'unknown', name: op }
  }
}
