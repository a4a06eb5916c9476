/**
 * Runs one betsy test case on a fresh in-memory engine with a virtual clock, and judges it: the
 * trace must match and the instances must end the way betsy expects.
 */
import type { JsonValue, Variables } from '../engine/types.ts'
import { BatonError } from '../errors.ts'
import type { ModelProblem } from '../model/types.ts'
import { Engine } from '../runtime/engine.ts'
import type { InstanceRecord } from '../store/store.ts'
import type { BetsyModelFacts } from './betsy-model-facts.ts'
import { BetsyLog, betsyScriptHandler } from './betsy-placeholders.ts'
import type { BetsyTest, BetsyTestCase } from './betsy-suite.ts'
import { VirtualClock } from './virtual-clock.ts'

export const FailureKinds = {
  /** The model uses an element the engine does not support yet. */
  unsupported: 'unsupported',
  /** The engine rejected the model (or refused to start it) for another reason. */
  rejected: 'rejected',
  /** An incident nobody expected. */
  incident: 'incident',
  /** An instance waits forever (no progress, no incident) and betsy expects it to end. */
  stuck: 'stuck',
  /** The trace differs from the expected one. */
  trace: 'trace',
  /** The instance ended otherwise than betsy expects (e.g. completed instead of an error). */
  outcome: 'outcome',
  /** The harness cannot judge the case (unknown expectation, time limit). */
  harness: 'harness',
} as const
export type FailureKind = (typeof FailureKinds)[keyof typeof FailureKinds]

export interface CaseFailure {
  readonly kind: FailureKind
  readonly reason: string
  /** Summary groups this failure counts in (an unsupported case: one per missing element kind). */
  readonly groups: readonly string[]
}

export interface CaseResult {
  /** `<TEST_ID>#<caseIndex>` */
  readonly name: string
  readonly failure: CaseFailure | undefined
  /** Remarks on a passing case (e.g. the order differs from betsy's listing). */
  readonly notes?: readonly string[]
}

/**
 * How traces are compared. `betsy` (default): as multisets, as betsy's own generated tests do
 * (they sort both traces); an order difference in a sequential model is noted, not failed.
 * `strict`: in order, unless the model may run branches concurrently (see betsy-model-facts.ts).
 */
export type TraceOrder = 'betsy' | 'strict'

/** Entries of an expected trace that are checks, not task executions. */
const flagMarkers = ['MARKER_EXISTS', 'EXECUTION_PARALLEL'] as const
/** Expected error outcomes: how each shows in Baton. */
const errorMarkers = {
  /** A rejected deployment. */
  ERROR_DEPLOYMENT: 'deployment',
  /** Any incident on the instance. */
  ERROR_RUNTIME: 'incident',
  /** An uncaught BPMN error: an incident of type UNHANDLED_ERROR_EVENT. */
  ERROR_THROWN_ERROR_EVENT: 'unhandled-error',
  /** Either a rejected deployment or an incident. */
  ERROR_GENERIC: 'any',
} as const
type ErrorMarker = keyof typeof errorMarkers

/** Virtual time a case may use beyond its `delayMs` (waits, retries), before it is cut off. */
const extraVirtualMs = 60_000
/** The largest step the virtual clock takes at once. */
const timeStepMs = 1_000
/** Event-loop turns without progress before the harness calls the engine quiet. */
const quietTurns = 3
const maxTurnsPerSettle = 5_000

/**
 * Descriptions that say the process must not complete (a deadlock, a catch event that never
 * fires): then an instance waiting without incident is an acceptable end; only the trace counts.
 */
const mayNotComplete =
  /deadlock|never (?:be )?(?:finish|complet)|should not complete|not be completed|is locked/i

export interface CaseInput {
  readonly test: BetsyTest
  readonly caseIndex: number
  readonly testCase: BetsyTestCase
  /** The model with its conditions translated to FEEL. */
  readonly xml: string
  readonly facts: BetsyModelFacts
  /** Conditions the translation left as they were (named in a failure they may explain). */
  readonly untranslated: readonly string[]
  readonly order: TraceOrder
}

/** Runs one case; never throws for anything the engine does (that is a result). */
export async function runBetsyCase(input: CaseInput): Promise<CaseResult> {
  const name = `${input.test.id}#${input.caseIndex}`
  const expected = splitExpectation(input.testCase.expectedTrace)
  if (expected.unknownErrors.length > 0) {
    return fail(name, 'harness', `unknown expected outcome ${expected.unknownErrors.join(', ')}`, [
      'harness: unknown expected outcome',
    ])
  }
  const clock = new VirtualClock()
  const log = new BetsyLog()
  const engine = await Engine.open({ path: ':memory:', durable: false, clock, pollIntervalMs: 20 })
  try {
    return await runOnEngine(name, input, expected, engine, clock, log)
  } finally {
    clock.wakeAll() // handlers waiting on the clock must finish for close() to return
    await engine.close()
  }
}

interface Expectation {
  readonly steps: readonly string[]
  readonly flags: ReadonlySet<string>
  readonly error: ErrorMarker | undefined
  readonly unknownErrors: readonly string[]
}

function splitExpectation(trace: readonly string[]): Expectation {
  const steps: string[] = []
  const flags = new Set<string>()
  let error: ErrorMarker | undefined
  const unknownErrors: string[] = []
  for (const entry of trace) {
    if ((flagMarkers as readonly string[]).includes(entry)) flags.add(entry)
    else if (Object.hasOwn(errorMarkers, entry)) error = entry as ErrorMarker
    else if (/^ERROR_/.test(entry)) unknownErrors.push(entry)
    else steps.push(entry)
  }
  return { steps, flags, error, unknownErrors }
}

async function runOnEngine(
  name: string,
  input: CaseInput,
  expected: Expectation,
  engine: Engine,
  clock: VirtualClock,
  log: BetsyLog,
): Promise<CaseResult> {
  const { test, testCase, facts } = input
  engine.worker('script', betsyScriptHandler(log, clock), {
    maxActive: 64,
    timeoutMs: 7 * 24 * 3_600_000, // virtual time may pass while a handler waits
  })

  try {
    await engine.deploy([{ name: test.model, xml: input.xml }])
  } catch (error) {
    return judgeRejection(name, error, expected, input)
  }
  if (expected.error === 'ERROR_DEPLOYMENT') {
    return fail(name, 'outcome', 'the model was deployed, but betsy expects it to be rejected', [
      'outcome: deployed, expected a rejected deployment',
    ])
  }

  const deployed = new Set(engine.processDefinitions().map((record) => record.bpmnProcessId))
  const startable = facts.processIds.filter((id) => deployed.has(id))
  const main = startable.find((id) => id === test.feature) ?? startable[0]
  if (main === undefined) {
    return fail(name, 'harness', 'the deployment holds no executable process to start', [
      'harness: no process to start',
    ])
  }
  // "parallel" cases start every process; the others first, so they wait for the main one.
  const toStart = testCase.parallel ? [...startable.filter((id) => id !== main), main] : [main]
  const variables = caseVariables(testCase)
  for (const processId of toStart) {
    try {
      await engine.createInstance(processId, { variables })
    } catch (error) {
      return fail(
        name,
        'rejected',
        `the engine refused to start '${processId}': ${message(error)}`,
        [`rejected at start: ${error instanceof BatonError ? error.code : 'error'}`],
      )
    }
  }

  const quiet = await runUntilDone(engine, clock, log, testCase.delayMs)
  if (!quiet) {
    return fail(
      name,
      'harness',
      `the engine did not become quiet: ${await describeActive(engine)} (a job may never reach its worker)`,
      ['harness: no quiescence'],
    )
  }
  return judgeRun(name, input, expected, engine, log)
}

function caseVariables(testCase: BetsyTestCase): Variables {
  const inputValue = testCase.input as JsonValue
  const variables: Variables =
    inputValue !== null && typeof inputValue === 'object' && !Array.isArray(inputValue)
      ? { ...inputValue }
      : inputValue === null
        ? {}
        : { test: inputValue } // betsy passes a bare input as the variable `test`
  if (testCase.integerVariable !== undefined)
    variables['integerVariable'] = testCase.integerVariable
  return variables
}

/**
 * Lets the engine run; whenever it is quiet, moves the virtual clock to the next wake-up (a
 * waiting script) or to the end of the case's delay, until nothing is left to happen.
 */
async function runUntilDone(
  engine: Engine,
  clock: VirtualClock,
  log: BetsyLog,
  delayMs: number,
): Promise<boolean> {
  const delayEnd = clock.now() + delayMs
  const horizon = delayEnd + extraVirtualMs
  for (;;) {
    if (!(await settle(engine, log))) return false
    const wakeUp = clock.nextWakeUp()
    const target =
      wakeUp !== undefined && wakeUp <= horizon
        ? wakeUp
        : clock.now() < delayEnd
          ? delayEnd
          : undefined
    if (target === undefined) return true
    // One virtual second at a time, so whatever is due in between (timers, retries) fires in turn.
    clock.advanceTo(Math.min(target, clock.now() + timeStepMs))
    await fireDueTimers(engine)
    await engine.pollNow()
  }
}

/**
 * Lets the engine fire the timers due at the virtual time. Engines without timer support have no
 * such method (their models with timers are rejected at deploy), hence the structural check.
 */
async function fireDueTimers(engine: Engine): Promise<void> {
  const withTimers = engine as Engine & { fireDueTimers?: () => Promise<number> }
  if (typeof withTimers.fireDueTimers === 'function') await withTimers.fireDueTimers()
}

/** Waits until no command is queued, no handler runs and no script job is left to hand over. */
async function settle(engine: Engine, log: BetsyLog): Promise<boolean> {
  let last = ''
  let quietFor = 0
  for (let turn = 0; turn < maxTurnsPerSettle; turn++) {
    await engine.idle()
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (log.busy > 0) {
      quietFor = 0
      continue
    }
    const instances = await engine.instances({}, { limit: 1000 })
    const pending = instances.reduce((n, record) => n + pendingScriptJobs(record, log), 0)
    const signature = `${instances.map((r) => `${r.key}:${r.stateVersion}`).join()}|${log.trace.length}`
    if (signature === last && pending === 0) {
      if (++quietFor >= quietTurns) return true
    } else quietFor = 0
    if (pending > 0 && turn % 50 === 49) await engine.pollNow()
    last = signature
  }
  return false
}

function pendingScriptJobs(record: InstanceRecord, log: BetsyLog): number {
  if (record.status !== 'active') return 0
  let pending = 0
  for (const job of Object.values(record.state.jobs)) {
    if (job.type !== 'script' || log.sleepingJobs.has(job.key)) continue
    if (record.state.elements[job.elementInstanceKey]?.incident !== undefined) continue
    pending++
  }
  return pending
}

async function describeActive(engine: Engine): Promise<string> {
  const active = await engine.instances({ status: 'active' }, { limit: 1000 })
  const places = active.map((record) => {
    const elements = Object.values(record.state.elements).map((e) => `${e.elementId} (${e.phase})`)
    return `${record.bpmnProcessId}: ${elements.length > 0 ? elements.join(', ') : 'no element'}`
  })
  return places.length > 0 ? places.join('; ') : 'no active instance'
}

function judgeRejection(
  name: string,
  error: unknown,
  expected: Expectation,
  input: CaseInput,
): CaseResult {
  if (!(error instanceof BatonError) || error.code !== 'BATON_MODEL_INVALID') {
    const code = error instanceof BatonError ? error.code : 'crash'
    return fail(name, 'rejected', `deploy failed: ${message(error)}`, [`deploy failed: ${code}`])
  }
  const problems = problemsOf(error)
  const unsupported = problems.filter((p) => isUnsupportedRule(p.rule))
  const other = problems.filter((p) => !isUnsupportedRule(p.rule))
  const wantsRejection = expected.error === 'ERROR_DEPLOYMENT' || expected.error === 'ERROR_GENERIC'
  // Rejecting a model only because something is not supported yet proves nothing about the rule.
  if (wantsRejection && other.length > 0 && expected.steps.length === 0) {
    return { name, failure: undefined }
  }
  const hint =
    input.untranslated.length > 0
      ? ` (conditions left untranslated: ${input.untranslated.join('; ')})`
      : ''
  if (unsupported.length > 0) {
    const kinds = [...new Set(unsupported.map((p) => unsupportedKind(p, input.facts)))]
    const also = other.length > 0 ? `; also rejected: ${other.map(describeProblem).join('; ')}` : ''
    return fail(name, 'unsupported', `unsupported: ${kinds.join(', ')}${also}${hint}`, [
      ...kinds.map((kind) => `unsupported: ${kind}`),
      ...other.map((p) => `rejected at deploy: ${p.rule}`),
    ])
  }
  return fail(name, 'rejected', `rejected: ${other.map(describeProblem).join('; ')}${hint}`, [
    ...new Set(other.map((p) => `rejected at deploy: ${p.rule}`)),
  ])
}

function problemsOf(error: BatonError): ModelProblem[] {
  const details = error.details
  if (!Array.isArray(details)) return [{ rule: 'unknown', message: error.message }]
  return details.flatMap((entry: { problems?: ModelProblem[] }) => entry.problems ?? [])
}

/** One line: rule, element and message (messages may span lines). */
export function describeProblem(problem: ModelProblem): string {
  const where = problem.elementId === undefined ? '' : ` at '${problem.elementId}'`
  return `${problem.rule}${where}: ${oneLine(problem.message)}`
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Rules by which the engine says it does not run something (yet), rather than a model error. */
export function isUnsupportedRule(rule: string): boolean {
  return rule === 'element-unsupported' || rule.endsWith('-unsupported')
}

/** What is not supported, in the compiler's words when it names it ("error end event"). */
function unsupportedKind(problem: ModelProblem, facts: BetsyModelFacts): string {
  if (problem.rule !== 'element-unsupported') return problem.rule
  const message = problem.message
  const lead = /^([^'"]+?)\s*['"]/.exec(message)?.[1]
  if (lead !== undefined && /is not executable by Baton/.test(message)) return lead
  const named = /' \((.+)\) is not supported/.exec(message)?.[1]
  if (named !== undefined) return named
  return (problem.elementId === undefined ? undefined : facts.describe(problem.elementId)) ?? '?'
}

async function judgeRun(
  name: string,
  input: CaseInput,
  expected: Expectation,
  engine: Engine,
  log: BetsyLog,
): Promise<CaseResult> {
  const instances = await engine.instances({}, { limit: 1000 })
  const incidents = await engine.incidents({ status: 'active' }, { limit: 1000 })
  const active = instances.filter((record) => record.status === 'active')
  const problems: { kind: FailureKind; text: string; group: string }[] = []

  const wanted = expected.error === undefined ? undefined : errorMarkers[expected.error]
  if (wanted === undefined) {
    for (const incident of incidents) {
      problems.push({
        kind: 'incident',
        text: `incident ${incident.errorType} at '${incident.elementId}': ${incident.errorMessage}`,
        group: `unexpected incident: ${incident.errorType}`,
      })
    }
    if (
      incidents.length === 0 &&
      active.length > 0 &&
      !mayNotComplete.test(input.test.description)
    ) {
      problems.push({
        kind: 'stuck',
        text: `stuck at ${await describeActive(engine)}`,
        group: 'stuck: an instance waits without progress',
      })
    }
  } else {
    const matching = incidents.filter(
      (incident) => wanted !== 'unhandled-error' || incident.errorType === 'UNHANDLED_ERROR_EVENT',
    )
    if (matching.length === 0) {
      const seen =
        incidents.length > 0
          ? `incident ${incidents.map((i) => `${i.errorType} at '${i.elementId}'`).join(', ')}`
          : active.length > 0
            ? `no incident, stuck at ${await describeActive(engine)}`
            : 'the instance completed without incident'
      problems.push({
        kind: 'outcome',
        text: `${seen}, but betsy expects ${expected.error}`,
        group: `outcome: expected ${expected.error}, got ${incidents.length > 0 ? 'another incident' : active.length > 0 ? 'a waiting instance' : 'completion'}`,
      })
    }
  }

  const concurrent =
    input.facts.concurrency ?? (input.testCase.parallel ? 'parallel processes' : undefined)
  const inOrder = sameSequence(expected.steps, log.trace)
  const notes: string[] = []
  if (!sameMultiset(expected.steps, log.trace)) {
    problems.push({
      kind: 'trace',
      text: `trace [${log.trace.join(', ')}], expected [${expected.steps.join(', ')}]`,
      group: 'trace differs',
    })
  } else if (!inOrder && concurrent === undefined) {
    // betsy lists expected traces in assertion order and compares sorted traces (its generated
    // JUnit tests sort both arrays), so by default an order difference is only reported.
    const text = `ran [${log.trace.join(', ')}] but betsy lists [${expected.steps.join(', ')}] and the model is sequential`
    if (input.order === 'strict') {
      problems.push({ kind: 'trace', text, group: 'trace order differs (--strict-order)' })
    } else notes.push(`order differs: ${text}`)
  }
  const flags = new Map([
    ['MARKER_EXISTS', log.marker],
    ['EXECUTION_PARALLEL', log.ranInParallel()],
  ])
  for (const [flag, actual] of flags) {
    if (actual === expected.flags.has(flag)) continue
    problems.push({
      kind: 'trace',
      text: actual
        ? `${flag} holds but betsy does not expect it`
        : `${flag} expected but does not hold`,
      group: 'trace differs',
    })
  }

  const first = problems[0]
  if (first === undefined) return { name, failure: undefined, notes }
  const order: FailureKind[] = ['incident', 'stuck', 'outcome', 'trace']
  const main = order.find((kind) => problems.some((p) => p.kind === kind)) ?? first.kind
  return fail(name, main, problems.map((p) => p.text).join('; '), [
    ...new Set(problems.filter((p) => p.kind === main).map((p) => p.group)),
  ])
}

function sameSequence(expected: readonly string[], actual: readonly string[]): boolean {
  return expected.length === actual.length && expected.every((step, i) => actual[i] === step)
}

function sameMultiset(expected: readonly string[], actual: readonly string[]): boolean {
  const sorted = (list: readonly string[]): string => JSON.stringify([...list].sort())
  return sorted(expected) === sorted(actual)
}

function fail(name: string, kind: FailureKind, reason: string, groups: string[]): CaseResult {
  return { name, failure: { kind, reason: oneLine(reason), groups } }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
