/**
 * betsy conformance: runs every case of a betsy folder (tests.json + models) on Baton and checks
 * that every model of constraints.json is rejected at deploy. See docs in
 * ../shared/corpora/README.md (the betsy recipe) and the conventions in betsy-placeholders.ts.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BatonError } from '../errors.ts'
import type { ModelProblem } from '../model/types.ts'
import { Engine } from '../runtime/engine.ts'
import {
  describeProblem,
  isUnsupportedRule,
  runBetsyCase,
  type CaseResult,
  type TraceOrder,
} from './betsy-case.ts'
import { translateBetsyModel, type UntranslatedCondition } from './betsy-conditions.ts'
import { readBetsyModelFacts } from './betsy-model-facts.ts'
import { loadBetsySuite, type BetsyConstraint } from './betsy-suite.ts'

export interface ConstraintResult {
  /** The model path, relative to the suite folder. */
  readonly name: string
  readonly constraint: string
  readonly rejected: boolean
  /** The first problem (one that is not an `*-unsupported` rule when there is one). */
  readonly firstProblem: ModelProblem | undefined
  /** Rejected, but only because something is not supported yet (`*-unsupported` rules). */
  readonly onlyUnsupported: boolean
}

export interface BetsyReport {
  readonly dir: string
  readonly cases: readonly CaseResult[]
  /** Undefined when not run or when the folder has no constraints.json. */
  readonly constraints: readonly ConstraintResult[] | undefined
  readonly untranslated: readonly (UntranslatedCondition & { readonly model: string })[]
}

export interface BetsyOptions {
  /** Run the tests, the constraints, or both (default). */
  readonly sections?: 'all' | 'tests' | 'constraints'
  /** Only tests (or constraint models) whose id or path contains this text. */
  readonly filter?: string
  /** Called with each result as soon as it is known (for streaming output). */
  readonly onCase?: (result: CaseResult) => void
  readonly onConstraint?: (result: ConstraintResult) => void
  /** How traces are compared (default `betsy`: as multisets, like betsy itself). */
  readonly order?: TraceOrder
  /** Real-time limit per case, ms (default 20 s): a case that exceeds it fails. */
  readonly caseTimeoutMs?: number
}

/**
 * Runs a betsy folder. Throws BetsySuiteError when the folder is not a betsy suite; every engine
 * behaviour (rejections, incidents, hangs) is a result, not an exception.
 *
 * @example
 * const report = await runBetsy('../shared/corpora/bpmn-exec/betsy')
 * console.log(report.cases.filter((c) => !c.failure).length)
 */
export async function runBetsy(dir: string, options: BetsyOptions = {}): Promise<BetsyReport> {
  const suite = await loadBetsySuite(dir)
  const sections = options.sections ?? 'all'
  const filter = options.filter
  const untranslated: (UntranslatedCondition & { model: string })[] = []
  const cases: CaseResult[] = []

  if (sections !== 'constraints') {
    for (const test of suite.tests) {
      if (filter !== undefined && !test.id.includes(filter) && !test.model.includes(filter))
        continue
      const source = await readModel(dir, test.model)
      const translated = translateBetsyModel(source)
      for (const u of translated.untranslated) untranslated.push({ ...u, model: test.model })
      const facts = readBetsyModelFacts(translated.xml)
      for (const [caseIndex, testCase] of test.testCases.entries()) {
        const result = await withTimeout(
          runBetsyCase({
            test,
            caseIndex,
            testCase,
            xml: translated.xml,
            facts,
            untranslated: translated.untranslated.map((u) => `'${u.body}' (${u.reason})`),
            order: options.order ?? 'betsy',
          }),
          options.caseTimeoutMs ?? 20_000,
          `${test.id}#${caseIndex}`,
        )
        cases.push(result)
        options.onCase?.(result)
      }
    }
  }

  let constraints: ConstraintResult[] | undefined
  if (sections !== 'tests' && suite.constraints) {
    constraints = []
    for (const constraint of suite.constraints) {
      if (filter !== undefined && !constraint.model.includes(filter)) continue
      const result = await checkConstraint(dir, constraint, untranslated)
      constraints.push(result)
      options.onConstraint?.(result)
    }
  }
  return { dir, cases, constraints, untranslated }
}

async function readModel(dir: string, model: string): Promise<string> {
  try {
    return await readFile(join(dir, model), 'utf8')
  } catch (error) {
    // A model the suite names but does not ship is a broken suite, not an engine result.
    throw new Error(`cannot read model ${join(dir, model)}: ${String(error)}`)
  }
}

async function withTimeout(
  run: Promise<CaseResult>,
  ms: number,
  name: string,
): Promise<CaseResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<CaseResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          name,
          failure: {
            kind: 'harness',
            reason: `no result within ${ms / 1000} s of real time`,
            groups: ['harness: real-time limit'],
          },
        }),
      ms,
    )
  })
  try {
    return await Promise.race([run, timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function checkConstraint(
  dir: string,
  constraint: BetsyConstraint,
  untranslated: (UntranslatedCondition & { model: string })[],
): Promise<ConstraintResult> {
  const translated = translateBetsyModel(await readModel(dir, constraint.model))
  for (const u of translated.untranslated) untranslated.push({ ...u, model: constraint.model })
  const engine = await Engine.open({ path: ':memory:', durable: false })
  try {
    await engine.deploy([{ name: constraint.model, xml: translated.xml }])
    return {
      name: constraint.model,
      constraint: constraint.constraint,
      rejected: false,
      firstProblem: undefined,
      onlyUnsupported: false,
    }
  } catch (error) {
    if (!(error instanceof BatonError)) throw error
    const problems: ModelProblem[] = Array.isArray(error.details)
      ? error.details.flatMap((entry: { problems?: ModelProblem[] }) => entry.problems ?? [])
      : [{ rule: error.code, message: error.message }]
    const real = problems.filter((p) => !isUnsupportedRule(p.rule))
    return {
      name: constraint.model,
      constraint: constraint.constraint,
      rejected: true,
      firstProblem: real[0] ?? problems[0],
      onlyUnsupported: real.length === 0,
    }
  } finally {
    await engine.close()
  }
}

/** One line per case: `PASS|FAIL <TEST_ID>#<caseIndex> <reason>`. */
export function formatCase(result: CaseResult): string {
  if (result.failure !== undefined) return `FAIL ${result.name} ${result.failure.reason}`
  const notes = result.notes ?? []
  return notes.length === 0 ? `PASS ${result.name}` : `PASS ${result.name} (${notes.join('; ')})`
}

/** One line per constraint model. */
export function formatConstraint(result: ConstraintResult): string {
  if (!result.rejected) return `FAIL ${result.name} [${result.constraint}] accepted`
  const problem = result.firstProblem
  const first = problem === undefined ? '?' : describeProblem(problem)
  return `PASS ${result.name} [${result.constraint}] rejected: ${first}`
}

/** The summary after the per-case lines; its last line is exactly `N passed, M failed`. */
export function formatSummary(report: BetsyReport): string[] {
  const lines: string[] = []
  const failed = report.cases.filter((c) => c.failure !== undefined)
  const casesPassed = report.cases.length - failed.length

  if (failed.length > 0) {
    lines.push('', 'Failures by reason (a case may count under several unsupported elements):')
    const groups = new Map<string, string[]>()
    for (const result of failed) {
      for (const group of result.failure?.groups ?? []) {
        const names = groups.get(group) ?? []
        names.push(result.name)
        groups.set(group, names)
      }
    }
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    for (const [group, names] of sorted)
      lines.push(`  ${names.length} ${group}: ${names.join(' ')}`)
  }
  const noted = report.cases.filter((c) => c.failure === undefined && (c.notes ?? []).length > 0)
  if (noted.length > 0) {
    lines.push('', `Passed with notes (${noted.length}): ${noted.map((c) => c.name).join(' ')}`)
  }
  if (report.untranslated.length > 0) {
    lines.push('', 'Conditions the harness could not translate to FEEL (deployed as written):')
    for (const u of report.untranslated)
      lines.push(`  ${u.model} <${u.element}> '${u.body}': ${u.reason}`)
  }

  lines.push('', `tests: ${casesPassed}/${report.cases.length} cases passed`)
  let constraintsPassed = 0
  let constraintsFailed = 0
  if (report.constraints === undefined) {
    lines.push('constraints: not run')
  } else {
    constraintsPassed = report.constraints.filter((c) => c.rejected).length
    constraintsFailed = report.constraints.length - constraintsPassed
    const unsupportedOnly = report.constraints.filter((c) => c.onlyUnsupported).length
    lines.push(
      `constraints: ${constraintsPassed}/${report.constraints.length} models rejected` +
        (unsupportedOnly > 0
          ? ` (${unsupportedOnly} of them only because something is not supported yet)`
          : ''),
    )
  }
  lines.push(
    `${casesPassed + constraintsPassed} passed, ${failed.length + constraintsFailed} failed`,
  )
  return lines
}
