/**
 * Token simulation conformance: replays every scenario of a bpmn-js-token-simulation folder
 * (scenarios.json + models + traces) on Baton and compares the flow nodes entered and left with
 * the simulator's recorded trace. See the recipe in ../shared/corpora/README.md, the harness
 * rewrites in token-simulation-model.ts and the trace reduction in token-simulation-trace.ts.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RewriteKinds, type RewriteKind } from './token-simulation-model.ts'
import { runScenario, type ScenarioResult } from './token-simulation-scenario.ts'
import { loadTokenSimulationSuite } from './token-simulation-suite.ts'

export interface TokenSimulationReport {
  readonly dir: string
  readonly scenarios: readonly ScenarioResult[]
}

export interface TokenSimulationOptions {
  /** Only scenarios whose id or model contains this text. */
  readonly filter?: string
  /** Called with each result as soon as it is known (for streaming output). */
  readonly onScenario?: (result: ScenarioResult) => void
  /** Real-time limit per scenario, ms (default 10 s): a scenario that exceeds it fails. */
  readonly scenarioTimeoutMs?: number
}

/**
 * Runs a token simulation folder. Throws TokenSimulationSuiteError when the folder is not such a
 * suite; every engine behaviour (rejections, incidents, hangs) is a result, not an exception.
 *
 * @example
 * const report = await runTokenSimulation('../shared/corpora/bpmn-exec/token-simulation')
 * console.log(report.scenarios.filter((s) => !s.failure).length)
 */
export async function runTokenSimulation(
  dir: string,
  options: TokenSimulationOptions = {},
): Promise<TokenSimulationReport> {
  const scenarios = await loadTokenSimulationSuite(dir)
  const results: ScenarioResult[] = []
  for (const scenario of scenarios) {
    const filter = options.filter
    if (filter !== undefined && !scenario.id.includes(filter) && !scenario.model.includes(filter))
      continue
    let result: ScenarioResult
    const xml = await readModel(dir, scenario.model)
    if (xml === undefined) {
      result = {
        name: scenario.id,
        failure: {
          kind: 'harness',
          reason: `model ${scenario.model} is missing (looked in the folder and in models/)`,
          groups: ['harness: model missing'],
        },
        notes: [],
        rewrites: new Map(),
      }
    } else {
      result = await withTimeout(
        runScenario(scenario, xml),
        options.scenarioTimeoutMs ?? 10_000,
        scenario.id,
      )
    }
    results.push(result)
    options.onScenario?.(result)
  }
  return { dir, scenarios: results }
}

/** The model by its path in scenarios.json, relative to the folder or to its `models/`. */
async function readModel(dir: string, model: string): Promise<string | undefined> {
  for (const path of [join(dir, model), join(dir, 'models', model)]) {
    if (existsSync(path)) return readFile(path, 'utf8')
  }
  return undefined
}

async function withTimeout(
  run: Promise<ScenarioResult>,
  ms: number,
  name: string,
): Promise<ScenarioResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<ScenarioResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          name,
          failure: {
            kind: 'harness',
            reason: `no result within ${ms / 1000} s of real time`,
            groups: ['harness: real-time limit'],
          },
          notes: [],
          rewrites: new Map(),
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

/** One line per scenario: `PASS|FAIL <id> <reason>`. */
export function formatScenario(result: ScenarioResult): string {
  if (result.failure !== undefined) {
    const notes = result.notes.length > 0 ? ` (${result.notes.join('; ')})` : ''
    return `FAIL ${result.name} ${result.failure.reason}${notes}`
  }
  return result.notes.length === 0
    ? `PASS ${result.name}`
    : `PASS ${result.name} (${result.notes.join('; ')})`
}

const kindTitles = {
  unsupported: 'unsupported element',
  rejected: 'rejected at deploy (not for an unsupported element)',
  mismatch: 'trace mismatch',
  harness: 'harness limitation',
} as const

/** The summary after the per-scenario lines; its last line is exactly `N passed, M failed`. */
export function formatSummary(report: TokenSimulationReport): string[] {
  const lines: string[] = []
  const failed = report.scenarios.filter((s) => s.failure !== undefined)
  const passed = report.scenarios.length - failed.length
  if (failed.length > 0) {
    lines.push('', 'Failures by reason (a scenario may count under several unsupported elements):')
    for (const kind of ['unsupported', 'rejected', 'mismatch', 'harness'] as const) {
      const ofKind = failed.filter((s) => s.failure?.kind === kind)
      if (ofKind.length === 0) continue
      lines.push(`  ${kindTitles[kind]}: ${ofKind.length}`)
      const groups = new Map<string, string[]>()
      for (const result of ofKind) {
        for (const group of result.failure?.groups ?? []) {
          const names = groups.get(group) ?? []
          names.push(result.name)
          groups.set(group, names)
        }
      }
      const sorted = [...groups].sort(
        (a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]),
      )
      for (const [group, names] of sorted)
        lines.push(`    ${names.length} ${group}: ${names.join(' ')}`)
    }
  }
  const rewrites = new Map<RewriteKind, Set<string>>()
  for (const result of report.scenarios) {
    for (const [kind, ids] of result.rewrites) {
      const set = rewrites.get(kind) ?? new Set<string>()
      for (const id of ids) set.add(`${result.name}:${id}`)
      rewrites.set(kind, set)
    }
  }
  if (rewrites.size > 0) {
    lines.push('', 'Harness rewrites before deploy (elements, over all scenarios):')
    for (const [kind, ids] of rewrites) lines.push(`  ${ids.size} ${RewriteKinds[kind]}`)
  }
  const orderOnly = failed.filter((s) => s.failure?.groups.includes('mismatch: order differs'))
  if (orderOnly.length > 0) {
    lines.push(
      '',
      `${orderOnly.length} of the mismatches run the same enters and exits in another order (most often: the engine completes a throwing event before it activates the catching boundary event or event subprocess; the simulator activates the catch first). They fail: the trace is compared in order.`,
    )
  }
  lines.push('', `${passed} passed, ${failed.length} failed`)
  return lines
}
