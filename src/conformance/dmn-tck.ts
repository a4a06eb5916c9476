import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Decimal } from 'decimal.js'
import { compileDmn } from '../dmn/compile.ts'
import {
  evaluateDecision,
  evaluateDecisionService,
  type EvaluateDecisionResult,
} from '../dmn/evaluate.ts'
import { feelEvaluate, feelTypeOf } from '../dmn/feel/feel.ts'
import type { CompiledDmn } from '../dmn/model.ts'
import { folderTable, readVendorResults, type VendorResults } from './dmn-tck-summary.ts'
import { childNamed, childrenNamed, parseXml, type XmlNode } from './dmn-tck-xml.ts'

export type TckStatus = 'SUCCESS' | 'ERROR' | 'IGNORED'

export interface TckCase {
  readonly level: 2 | 3
  readonly folder: string
  readonly file: string
  readonly id: string
  readonly status: TckStatus
  /** Every expected result is null (an engine answering null to everything passes these). */
  readonly nullOnly: boolean
  readonly message: string
}

export interface TckScore {
  readonly passed: number
  readonly total: number
}

export interface TckReport {
  readonly level2: TckScore
  readonly level3: TckScore
  /** The cases whose expected results are only null, apart (they are in the levels too). */
  readonly nullOnly: { readonly level2: TckScore; readonly level3: TckScore }
  readonly cases: readonly TckCase[]
}

/** Java-only: external Java functions cannot be run by a JavaScript engine. */
const ignoredFolders = new Set(['0076-feel-external-java'])

/**
 * Runs the DMN TCK (the `TestCases` folder) the way corpora/README.md describes, printing one line
 * per case.
 *
 * @example
 * const report = await runDmnTck('../shared/corpora/dmn-tck/TestCases', { csvPath: 'tck.csv' })
 */
export async function runDmnTck(
  dir: string,
  options: { readonly csvPath?: string; readonly quiet?: boolean; readonly filter?: string } = {},
): Promise<TckReport> {
  const cases: TckCase[] = []
  for (const [level, sub] of [
    [2, 'compliance-level-2'],
    [3, 'compliance-level-3'],
  ] as const) {
    const levelDir = join(dir, sub)
    const folders = (await readdir(levelDir).catch(() => [] as string[])).sort()
    for (const folder of folders) {
      if (options.filter !== undefined && !folder.includes(options.filter)) continue
      const folderDir = join(levelDir, folder)
      if (!(await stat(folderDir)).isDirectory()) continue
      const found = await runFolder(level, folder, folderDir)
      for (const c of found) {
        if (options.quiet !== true) {
          console.log(
            `${c.status.padEnd(7)} L${c.level} ${c.folder}/${c.file} ${c.id}${c.message === '' ? '' : `: ${c.message}`}`,
          )
        }
      }
      cases.push(...found)
    }
  }
  const score = (level: 2 | 3, nullOnly?: boolean): TckScore => {
    const chosen = cases.filter(
      (c) =>
        c.level === level &&
        c.status !== 'IGNORED' &&
        (nullOnly === undefined || c.nullOnly === nullOnly),
    )
    return { passed: chosen.filter((c) => c.status === 'SUCCESS').length, total: chosen.length }
  }
  if (options.csvPath !== undefined) await writeFile(options.csvPath, toCsv(cases))
  return {
    level2: score(2),
    level3: score(3),
    nullOnly: { level2: score(2, true), level3: score(3, true) },
    cases,
  }
}

/** The TCK's results CSV: folder, file, id, SUCCESS/ERROR/IGNORED, message. */
function toCsv(cases: readonly TckCase[]): string {
  const quote = (s: string): string => `"${s.replaceAll('"', '""').replaceAll(/\s+/g, ' ')}"`
  return (
    cases
      .map((c) => [c.folder, c.file, c.id, c.status, c.message].map(quote).join(','))
      .join('\n') + '\n'
  )
}

async function runFolder(level: 2 | 3, folder: string, folderDir: string): Promise<TckCase[]> {
  const names = (await readdir(folderDir)).sort()
  const testFiles = names.filter((n) => n.endsWith('.xml') && n.includes('test'))
  const dmnFiles = names.filter((n) => n.endsWith('.dmn'))
  const documents = new Map<string, string>()
  for (const name of dmnFiles) documents.set(name, await readFile(join(folderDir, name), 'utf8'))
  const cases: TckCase[] = []
  for (const testFile of testFiles) {
    const file = testFile.replace(/\.xml$/, '')
    let root: XmlNode
    try {
      root = parseXml(await readFile(join(folderDir, testFile), 'utf8'))
    } catch (error) {
      cases.push({
        level,
        folder,
        file,
        id: '*',
        status: 'ERROR',
        nullOnly: false,
        message: String(error),
      })
      continue
    }
    const testCases = childrenNamed(root, 'testCase')
    const ignored = ignoredFolders.has(folder)
    const modelName = childNamed(root, 'modelName')?.text.trim() ?? dmnFiles[0] ?? ''
    let compiled: CompiledDmn | string
    if (ignored) compiled = 'ignored'
    else {
      const main = documents.get(modelName)
      const rest = [...documents].filter(([n]) => n !== modelName).map(([, xml]) => xml)
      const result = main === undefined ? undefined : await compileDmn([main, ...rest])
      compiled =
        result === undefined
          ? `model ${modelName} not found`
          : result.ok
            ? result.compiled
            : `model does not compile: ${result.problems.map((p) => p.message).join('; ')}`
    }
    for (const testCase of testCases) {
      const id = testCase.attributes['id'] ?? '?'
      const nullOnly = childrenNamed(testCase, 'resultNode').every((r) => expectsNull(r))
      if (ignored) {
        cases.push({
          level,
          folder,
          file,
          id,
          status: 'IGNORED',
          nullOnly,
          message: 'Java-only (external Java functions)',
        })
        continue
      }
      const message = typeof compiled === 'string' ? compiled : runCase(compiled, testCase)
      cases.push({
        level,
        folder,
        file,
        id,
        status: message === '' ? 'SUCCESS' : 'ERROR',
        nullOnly,
        message,
      })
    }
  }
  return cases
}

function expectsNull(resultNode: XmlNode): boolean {
  if (resultNode.attributes['errorResult'] === 'true') return true
  const expected = childNamed(resultNode, 'expected')
  const value = expected === undefined ? undefined : childNamed(expected, 'value')
  return value?.attributes['xsi:nil'] === 'true'
}

/** Runs one test case; returns '' when every result node matches, else what differed. */
function runCase(compiled: CompiledDmn, testCase: XmlNode): string {
  const variables: Record<string, unknown> = {}
  const imported: Record<string, Record<string, unknown>> = {}
  for (const input of childrenNamed(testCase, 'inputNode')) {
    const name = input.attributes['name'] ?? ''
    const value = toFeel(input)
    const namespace = input.attributes['namespace']
    if (namespace !== undefined && namespace !== compiled.main.namespace) {
      imported[namespace] = { ...imported[namespace], [name]: value }
    } else variables[name] = value
  }
  const failures: string[] = []
  const invocable = testCase.attributes['invocableName']
  for (const resultNode of childrenNamed(testCase, 'resultNode')) {
    const name = resultNode.attributes['name'] ?? ''
    const result: EvaluateDecisionResult =
      testCase.attributes['type'] === 'decisionService'
        ? evaluateDecisionService(compiled, invocable ?? name, variables)
        : evaluateDecision(compiled, name, variables, { importedVariables: imported })
    const expectError = resultNode.attributes['errorResult'] === 'true'
    if (!result.ok) {
      if (!expectError) failures.push(`${name}: ${result.error}`)
      continue
    }
    if (expectError) {
      if (result.value !== null || result.errors.length === 0) {
        failures.push(
          `${name}: expected null and an error, got ${show(result.value)}${result.errors.length === 0 ? ' and no error' : ''}`,
        )
      }
      continue
    }
    const expected = childNamed(resultNode, 'expected')
    if (expected === undefined) continue
    const difference = compare(expected, result.value, '')
    if (difference !== undefined) {
      const why = result.errors[0] === undefined ? '' : ` (error: ${result.errors[0]})`
      failures.push(`${name}: ${difference}${why}`)
    }
  }
  return failures.join('; ')
}

const temporalFunctions: Readonly<Record<string, string>> = {
  date: 'date',
  time: 'time',
  dateTime: 'date and time',
  duration: 'duration',
}

/** Converts a TCK value holder (`inputNode`, `value`, `item`, `component`) to a FEEL value. */
function toFeel(holder: XmlNode): unknown {
  const value = childNamed(holder, 'value')
  if (value !== undefined) return scalar(value)
  const list = childNamed(holder, 'list')
  if (list !== undefined) return childrenNamed(list, 'item').map(toFeel)
  const components = childrenNamed(holder, 'component')
  if (components.length > 0) {
    return Object.fromEntries(components.map((c) => [c.attributes['name'] ?? '', toFeel(c)]))
  }
  if (holder.attributes['xsi:nil'] === 'true') return null
  return null
}

function xsdType(value: XmlNode): string {
  const type = value.attributes['xsi:type'] ?? ''
  return type.slice(type.indexOf(':') + 1)
}

function scalar(value: XmlNode): unknown {
  if (value.attributes['xsi:nil'] === 'true') return null
  const type = xsdType(value)
  const text = value.text
  if (
    type === 'decimal' ||
    type === 'double' ||
    type === 'int' ||
    type === 'integer' ||
    type === 'long'
  ) {
    return Number(text.trim())
  }
  if (type === 'boolean') return text.trim() === 'true'
  const fn = temporalFunctions[type]
  if (fn !== undefined) return feelEvaluate(`${fn}(${JSON.stringify(text.trim())})`, {}).value
  if (value.children.length > 0) return toFeel(value)
  return text
}

const numberComparisonPrecision = new Decimal('1e-8')

/** Compares an expected value holder with an actual value; returns what differs, if anything. */
function compare(holder: XmlNode, actual: unknown, path: string): string | undefined {
  const at = path === '' ? '' : ` at ${path}`
  const value = childNamed(holder, 'value')
  if (value !== undefined) {
    if (value.children.length > 0 && xsdType(value) === '') return compare(value, actual, path)
    return compareScalar(value, actual, at)
  }
  const list = childNamed(holder, 'list')
  if (list !== undefined) {
    const items = childrenNamed(list, 'item')
    if (!Array.isArray(actual))
      return `expected a list of ${items.length}${at}, got ${show(actual)}`
    if (actual.length !== items.length)
      return `expected ${items.length} items${at}, got ${actual.length}: ${show(actual)}`
    for (const [i, item] of items.entries()) {
      const difference = compare(item, actual[i], `${path}[${i + 1}]`)
      if (difference !== undefined) return difference
    }
    return undefined
  }
  const components = childrenNamed(holder, 'component')
  if (components.length > 0) {
    if (feelTypeOf(actual) !== 'context') return `expected a context${at}, got ${show(actual)}`
    const entries = actual as Record<string, unknown>
    const names = components.map((c) => c.attributes['name'] ?? '')
    const extra = Object.keys(entries).filter((k) => !names.includes(k))
    if (extra.length > 0) return `unexpected entries ${extra.join(', ')}${at}`
    for (const component of components) {
      const name = component.attributes['name'] ?? ''
      if (!Object.hasOwn(entries, name)) return `missing entry '${name}'${at}`
      const difference = compare(component, entries[name], `${path}.${name}`)
      if (difference !== undefined) return difference
    }
    return undefined
  }
  if (holder.attributes['xsi:nil'] === 'true')
    return actual === null ? undefined : `expected null${at}, got ${show(actual)}`
  return undefined
}

function compareScalar(value: XmlNode, actual: unknown, at: string): string | undefined {
  const expectedText = value.text.trim()
  const mismatch = `expected ${expectedText === '' && value.attributes['xsi:nil'] === 'true' ? 'null' : JSON.stringify(value.text)}${at}, got ${show(actual)}`
  if (value.attributes['xsi:nil'] === 'true') return actual === null ? undefined : mismatch
  const type = xsdType(value)
  switch (type) {
    case 'decimal':
    case 'double':
    case 'int':
    case 'integer':
    case 'long': {
      if (typeof actual !== 'number' && !(actual instanceof Decimal)) return mismatch
      try {
        const expected = new Decimal(expectedText)
        const got = new Decimal(actual)
        // The TCK's own vendor runners (Drools, Camunda 7, dmn-scala) count numbers as equal when
        // they differ by less than 1e-8 (their NUMBER_COMPARISON_PRECISION); its maintainers hold
        // decimal equality to be by that convention. Compare the same way, so the scores compare.
        return got.minus(expected).abs().lessThan(numberComparisonPrecision) ? undefined : mismatch
      } catch {
        return mismatch
      }
    }
    case 'boolean':
      return actual === (expectedText === 'true') ? undefined : mismatch
    case 'string':
    case '':
      return actual === value.text ? undefined : mismatch
    default: {
      const expected = scalar(value)
      if (expected === null) return `cannot read expected ${type} '${expectedText}'`
      if (feelTypeOf(expected) !== feelTypeOf(actual)) return mismatch
      return feelEvaluate('a = b', { a: expected, b: actual }).value === true ? undefined : mismatch
    }
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`
  const type = feelTypeOf(value)
  if (type === 'context') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join(', ')}}`
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const text = String(value)
  return text.length > 200 ? `${text.slice(0, 200)}...` : text
}

const projectRoot = resolve(fileURLToPath(import.meta.url), '../../..')

/**
 * `npm run conformance -- dmn-tck [DIR] [--csv FILE] [--filter TEXT] [--markdown FILE]
 * [--compare NAME=VENDOR_CSV]...`: prints every case, the
 * level 2 and level 3 scores and the null-only split, and ends with `N passed, M failed`.
 */
export async function main(args: readonly string[]): Promise<number> {
  let dir: string | undefined
  let csvPath: string | undefined
  let filter: string | undefined
  let markdownPath: string | undefined
  const vendors: VendorResults[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--csv') csvPath = args[++i]
    else if (arg === '--filter') filter = args[++i]
    else if (arg === '--markdown') markdownPath = args[++i]
    else if (arg === '--compare') {
      // NAME=FILE: a vendor's published tck_results.csv, shown next to Baton's per folder
      const spec = args[++i] ?? ''
      const eq = spec.indexOf('=')
      if (eq < 0) throw new Error(`--compare expects NAME=FILE, got '${spec}'`)
      vendors.push(readVendorResults(spec.slice(0, eq), await readFile(spec.slice(eq + 1), 'utf8')))
    } else if (arg !== undefined) dir = arg
  }
  const root = resolve(dir ?? join(projectRoot, '../shared/corpora/dmn-tck/TestCases'))
  const report = await runDmnTck(root, {
    ...(csvPath === undefined ? {} : { csvPath }),
    ...(filter === undefined ? {} : { filter }),
  })
  const pct = (s: TckScore): string =>
    s.total === 0 ? '-' : `${((100 * s.passed) / s.total).toFixed(1)}%`
  const line = (label: string, s: TckScore): string =>
    `${label}: ${s.passed}/${s.total} (${pct(s)})`
  console.log(line('DMN TCK level 2', report.level2))
  console.log(line('DMN TCK level 3', report.level3))
  console.log(line('  null-only cases, level 2', report.nullOnly.level2))
  console.log(line('  null-only cases, level 3', report.nullOnly.level3))
  const ignored = report.cases.filter((c) => c.status === 'IGNORED').length
  if (ignored > 0) console.log(`${ignored} ignored (${[...ignoredFolders].join(', ')})`)
  const passed = report.level2.passed + report.level3.passed
  const failed = report.level2.total + report.level3.total - passed
  if (markdownPath !== undefined) await writeFile(markdownPath, folderTable(report.cases, vendors))
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

if (process.argv[1] !== undefined && basename(process.argv[1]) === 'dmn-tck.ts') {
  process.exitCode = await main(process.argv.slice(2))
}
