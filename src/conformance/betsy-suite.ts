/**
 * betsy's suite format: `tests.json` (a model, then cases with an input and the expected trace)
 * and, optionally, `constraints.json` (models that break one BPMN rule each). Loaded and checked
 * here, so a malformed folder fails with a message naming the file and the entry.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface BetsyTestCase {
  /** Process variables: null, an object, or a bare value betsy passes as `test`. */
  readonly input: unknown
  readonly expectedTrace: readonly string[]
  /** Every process of the model is started, not only the main one. */
  readonly parallel: boolean
  /** How long betsy waits before reading the trace (timers), in ms. */
  readonly delayMs: number
  /** Start value of `integerVariable`, when the case sets one. */
  readonly integerVariable?: number
}

export interface BetsyTest {
  readonly id: string
  /** Path of the model, relative to the suite folder. */
  readonly model: string
  readonly feature: string | undefined
  readonly description: string
  readonly testCases: readonly BetsyTestCase[]
}

export interface BetsyConstraint {
  readonly model: string
  readonly constraint: string
}

export interface BetsySuite {
  readonly dir: string
  readonly tests: readonly BetsyTest[]
  /** Undefined when the folder has no constraints.json. */
  readonly constraints: readonly BetsyConstraint[] | undefined
}

/** The folder or one of its files is not a betsy suite; the message says what is wrong. */
export class BetsySuiteError extends Error {
  override readonly name = 'BetsySuiteError'
}

/**
 * Loads a folder in betsy's format.
 *
 * @example
 * const suite = await loadBetsySuite('../shared/corpora/bpmn-exec/betsy')
 */
export async function loadBetsySuite(dir: string): Promise<BetsySuite> {
  if (!existsSync(dir)) throw new BetsySuiteError(`betsy folder not found: ${dir}`)
  const testsFile = join(dir, 'tests.json')
  if (!existsSync(testsFile)) {
    throw new BetsySuiteError(`${testsFile} not found: a betsy folder holds tests.json and models`)
  }
  const tests = asArray(await readJson(testsFile), testsFile).map((entry, i) =>
    readTest(entry, `${testsFile} entry ${i}`),
  )
  const constraintsFile = join(dir, 'constraints.json')
  const constraints = existsSync(constraintsFile)
    ? asArray(await readJson(constraintsFile), constraintsFile).map((entry, i) =>
        readConstraint(entry, `${constraintsFile} entry ${i}`),
      )
    : undefined
  return { dir, tests, constraints }
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new BetsySuiteError(`${file} is not valid JSON: ${String(error)}`)
  }
}

function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new BetsySuiteError(`${where}: expected a JSON array`)
  return value
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new BetsySuiteError(`${where}: expected an object`)
  return value as Record<string, unknown>
}

function requireString(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key]
  if (typeof value !== 'string' || value === '')
    throw new BetsySuiteError(`${where}: '${key}' must be a non-empty string`)
  return value
}

function readTest(entry: unknown, where: string): BetsyTest {
  const record = asRecord(entry, where)
  const id = requireString(record, 'id', where)
  const model = requireString(record, 'model', `${where} (${id})`)
  const cases = asArray(record['testCases'], `${where} (${id}) testCases`)
  const feature = record['feature']
  const description = record['description']
  return {
    id,
    model,
    feature: typeof feature === 'string' ? feature : undefined,
    description: typeof description === 'string' ? description : '',
    testCases: cases.map((c, i) => readCase(c, `${where} (${id}) case ${i}`)),
  }
}

function readCase(entry: unknown, where: string): BetsyTestCase {
  const record = asRecord(entry, where)
  const trace = asArray(record['expectedTrace'], `${where} expectedTrace`)
  if (!trace.every((step) => typeof step === 'string'))
    throw new BetsySuiteError(`${where}: expectedTrace must hold strings`)
  const delayMs = record['delayMs'] ?? 0
  if (typeof delayMs !== 'number' || !(delayMs >= 0))
    throw new BetsySuiteError(`${where}: delayMs must be a number >= 0`)
  const integerVariable = record['integerVariable']
  if (integerVariable !== undefined && typeof integerVariable !== 'number')
    throw new BetsySuiteError(`${where}: integerVariable must be a number`)
  return {
    input: record['input'] ?? null,
    expectedTrace: trace,
    parallel: record['parallel'] === true,
    delayMs,
    ...(integerVariable === undefined ? {} : { integerVariable }),
  }
}

function readConstraint(entry: unknown, where: string): BetsyConstraint {
  const record = asRecord(entry, where)
  const constraint = record['constraint']
  return {
    model: requireString(record, 'model', where),
    constraint: typeof constraint === 'string' ? constraint : '?',
  }
}
