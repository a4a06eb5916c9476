/**
 * Replays one token simulation scenario on a fresh in-memory engine and compares the traces.
 * Nothing waits on real time: timers are fired by the harness when a step triggers them, the
 * clock is virtual and never moves by itself.
 */
import type { Key } from '../engine/types.ts'
import { BatonError } from '../errors.ts'
import type { ModelProblem } from '../model/types.ts'
import { Engine } from '../runtime/engine.ts'
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts'
import type { Store } from '../store/store.ts'
import type { SubscriptionStore } from '../store/subscriptions.ts'
import { describeProblem, isUnsupportedRule, oneLine } from './betsy-case.ts'
import {
  correlationKey,
  forcedFlowsVariable,
  prepareModel,
  type PreparedModel,
  type RewriteKind,
  type TriggerBinding,
} from './token-simulation-model.ts'
import type { Scenario, ScenarioStep } from './token-simulation-suite.ts'
import {
  canonicalTrace,
  compareTraces,
  reduceEngineTrace,
  reduceSimulatorTrace,
  type InstanceLog,
} from './token-simulation-trace.ts'
import { VirtualClock } from './virtual-clock.ts'

export const FailureKinds = {
  /** The model uses an element the engine does not run yet. */
  unsupported: 'unsupported',
  /** The engine rejected the model for another reason. */
  rejected: 'rejected',
  /** The engine ran the model, and its trace differs from the simulator's. */
  mismatch: 'mismatch',
  /** The harness cannot replay or judge the scenario. */
  harness: 'harness',
} as const
export type FailureKind = (typeof FailureKinds)[keyof typeof FailureKinds]

export interface ScenarioFailure {
  readonly kind: FailureKind
  readonly reason: string
  /** Summary groups this failure counts in. */
  readonly groups: readonly string[]
}

export interface ScenarioResult {
  readonly name: string
  readonly failure: ScenarioFailure | undefined
  readonly notes: readonly string[]
  /** What the harness rewrote in the model before deploy, by kind: element ids. */
  readonly rewrites: ReadonlyMap<RewriteKind, readonly string[]>
}

/** Rounds of "let the engine run, complete the jobs of plain tasks" before giving up. */
const maxDrainRounds = 200

/** Runs one scenario; never throws for anything the engine does (that is a result). */
export async function runScenario(scenario: Scenario, modelXml: string): Promise<ScenarioResult> {
  const name = scenario.id
  const notes: string[] = []
  if (scenario.skipped) notes.push("skipped by the simulator's own test suite")
  const noRewrites = new Map<RewriteKind, string[]>()
  const fail = (
    kind: FailureKind,
    reason: string,
    groups: readonly string[],
    rewrites: ReadonlyMap<RewriteKind, readonly string[]> = noRewrites,
  ): ScenarioResult => ({
    name,
    failure: { kind, reason: oneLine(reason), groups },
    notes,
    rewrites,
  })

  const unknown = scenario.steps.find((step) => step.op === 'unknown')
  if (unknown?.op === 'unknown')
    return fail('harness', `unknown step '${unknown.name}'`, ['harness: unknown step'])
  const missing = scenario.steps.find((step) => step.op === 'expectTrace' && !step.trace)
  if (missing?.op === 'expectTrace')
    return fail('harness', `trace file ${missing.traceFile} is missing`, [
      'harness: expected trace missing',
    ])
  if (!scenario.steps.some((step) => step.op === 'expectTrace'))
    return fail('harness', 'the scenario expects no trace', ['harness: nothing to compare'])

  const plan = planConfig(scenario.steps)
  if (typeof plan === 'string')
    return fail('harness', plan, ['harness: setConfig changes a gateway during the run'])
  const model = prepareModel(modelXml, plan)
  if (model.limitation !== undefined)
    return fail('harness', model.limitation, ['harness: forced flow not expressible'])
  const rewrites = model.rewrites

  // A file of empty pools (message flows between participants without a process) runs nothing:
  // there is nothing to deploy, and every message sent there is lost.
  if (model.processIds.length === 0) {
    return compareRun(scenario, model, [], notes, rewrites, '')
  }
  const clock = new VirtualClock()
  const store = await openSqliteStore({ path: ':memory:', durable: false })
  const engine = await Engine.open({ store, clock, pollIntervalMs: 60_000 })
  try {
    try {
      await engine.deploy([{ name: scenario.model, xml: model.xml }])
    } catch (error) {
      const rejected = judgeRejection(error)
      return fail(rejected.kind, rejected.reason, rejected.groups, rewrites)
    }
    const run = new ScenarioRun(engine, store, model, plan.changingFlows)
    for (const step of scenario.steps) {
      const problem = await run.step(step)
      if (problem !== undefined) {
        const reason = `${describeStep(step)}: ${problem.text}`
        return fail(problem.kind, reason + (await run.context()), [problem.group], rewrites)
      }
    }
    return compareRun(scenario, model, await run.logs(), notes, rewrites, await run.context())
  } finally {
    await engine.close()
  }
}

/** Compares the engine's logs of a finished run with the scenario's expected traces. */
function compareRun(
  scenario: Scenario,
  model: PreparedModel,
  logs: readonly InstanceLog[],
  notes: readonly string[],
  rewrites: ReadonlyMap<RewriteKind, readonly string[]>,
  context: string,
): ScenarioResult {
  const name = scenario.id
  const segments = scenario.steps.flatMap((step) =>
    step.op === 'expectTrace' ? [step.trace ?? []] : [],
  )
  const expected = canonicalTrace(
    reduceSimulatorTrace(segments, model.flowNodes, model.joinGateways),
    segments.length,
  )
  const actual = canonicalTrace(reduceEngineTrace(logs, model.flowNodes), segments.length)
  const comparison = compareTraces(expected, actual)
  if (comparison.same) return { name, failure: undefined, notes, rewrites }
  const fixtures = scenario.steps.flatMap((step) =>
    step.op === 'expectTrace' ? [step.fixture] : [],
  )
  const where = segments.length > 1 ? ` (trace ${fixtures[comparison.segment] ?? '?'})` : ''
  const reason =
    `${comparison.orderOnly ? 'same steps in another order' : 'trace differs'}${where} at #${comparison.index}: ` +
    `expected ${comparison.expected[comparison.index] ?? 'nothing'}, got ${comparison.actual[comparison.index] ?? 'nothing'}; ` +
    `expected [${comparison.expected.join(' ')}] got [${comparison.actual.join(' ')}]` +
    context
  return {
    name,
    failure: {
      kind: 'mismatch',
      reason: oneLine(reason),
      groups: [comparison.orderOnly ? 'mismatch: order differs' : 'mismatch: trace differs'],
    },
    notes,
    rewrites,
  }
}

/**
 * The forced flows and wait states of a scenario, known before it starts: each gateway's first
 * forced flows, and the gateways whose forced flows change once the run has started (those read
 * them from a variable the harness sets at each setConfig); a message when a later setConfig
 * could not be expressed.
 */
function planConfig(steps: readonly ScenarioStep[]):
  | {
      forcedFlows: Map<string, readonly string[]>
      changingFlows: Set<string>
      waitAt: Set<string>
    }
  | string {
  const forcedFlows = new Map<string, readonly string[]>()
  const changingFlows = new Set<string>()
  const waitAt = new Set<string>()
  let started = false
  for (const step of steps) {
    if (step.op === 'trigger' || step.op === 'signal') started = true
    if (step.op === 'waitAtElement') waitAt.add(step.element)
    if (step.op !== 'setConfig') continue
    const before = forcedFlows.get(step.element)
    if (before === undefined) {
      forcedFlows.set(step.element, step.activeOutgoing)
      if (started) changingFlows.add(step.element)
      continue
    }
    if (before.join() === step.activeOutgoing.join()) continue
    if (!started) {
      forcedFlows.set(step.element, step.activeOutgoing)
      continue
    }
    changingFlows.add(step.element)
    if (step.activeOutgoing.length !== before.length || step.activeOutgoing.length === 0)
      return `setConfig changes how many flows '${step.element}' takes after the run started (${before.join(', ')} -> ${step.activeOutgoing.join(', ')})`
  }
  return { forcedFlows, changingFlows, waitAt }
}

function describeStep(step: ScenarioStep): string {
  switch (step.op) {
    case 'trigger':
      return `trigger ${step.element}`
    case 'signal':
      return `signal ${step.element}`
    case 'setConfig':
      return `setConfig ${step.element}`
    case 'waitAtElement':
      return `waitAtElement ${step.element}`
    case 'expectTrace':
      return `expectTrace ${step.fixture}`
    case 'unknown':
      return step.name
  }
}

interface StepProblem {
  readonly kind: FailureKind
  readonly text: string
  readonly group: string
}

/** The engine side of one scenario: triggers, jobs, checkpoints. */
class ScenarioRun {
  /** Per expectTrace step: each instance's log length at that moment. */
  private readonly checkpoints: Map<Key, number>[] = []
  /** How far each instance's log was searched for completed message flow sources. */
  private readonly scanned = new Map<Key, number>()

  /** Messages sent to message start events so far (each gets its own correlation key). */
  private starts = 0

  /** The flows each changing gateway takes now (as the scenario's setConfig steps so far say). */
  private readonly flowsNow = new Map<string, readonly string[]>()

  constructor(
    private readonly engine: Engine,
    private readonly store: Store & Partial<SubscriptionStore>,
    private readonly model: PreparedModel,
    private readonly changingFlows: ReadonlySet<string>,
  ) {}

  /** The variables that tell changing gateways which flows to take. */
  private flowVariables(): Record<string, string[]> {
    const variables: Record<string, string[]> = {}
    for (const [gateway, flows] of this.flowsNow)
      variables[forcedFlowsVariable(gateway)] = [...flows]
    return variables
  }

  async step(step: ScenarioStep): Promise<StepProblem | undefined> {
    switch (step.op) {
      case 'setConfig': {
        if (!this.changingFlows.has(step.element)) return undefined // applied before deploy
        this.flowsNow.set(step.element, step.activeOutgoing)
        for (const record of await this.engine.instances({ status: 'active' }, { limit: 1000 }))
          await this.engine.setVariables(record.key, this.flowVariables())
        return undefined
      }
      case 'waitAtElement':
      case 'unknown':
        return undefined // applied to the model before deploy
      case 'expectTrace': {
        const lengths = new Map<Key, number>()
        for (const record of await this.allInstances())
          lengths.set(record.key, (await this.engine.history(record.key)).length)
        this.checkpoints.push(lengths)
        return undefined
      }
      case 'trigger':
        return this.trigger(step.element)
      case 'signal':
        return this.signal(step.element)
    }
  }

  private async trigger(elementId: string): Promise<StepProblem | undefined> {
    const binding: TriggerBinding = this.model.triggers.get(elementId) ?? {
      kind: 'none',
      reason: this.model.elements.has(elementId)
        ? `${this.model.elements.get(elementId)?.tag ?? '?'} '${elementId}' is not something the harness can trigger`
        : `'${elementId}' is not in the model`,
    }
    const problem = await this.fire(elementId, binding)
    if (problem !== undefined) return problem
    return this.settle()
  }

  /** Drains, then delivers the message flows of every source that completed, until quiet. */
  private async settle(): Promise<StepProblem | undefined> {
    for (let round = 0; round < maxDrainRounds; round++) {
      const problem = await this.drain()
      if (problem !== undefined) return problem
      const sources = await this.completedMessageSources()
      if (sources.length === 0) return undefined
      for (const source of sources) {
        // Two flows of one source into the same pool (to the pool and to its start) start it once.
        const delivered = new Set<string>()
        for (const flow of this.model.elements.values()) {
          if (flow.tag !== 'messageFlow' || flow.attributes['sourceRef'] !== source) continue
          const target = this.messageFlowTarget(flow.id)
          // A message nobody waits for is lost, as in the simulator.
          if (typeof target !== 'string' || delivered.has(target)) continue
          delivered.add(target)
          const binding = this.model.triggers.get(target)
          if (binding !== undefined && binding.kind !== 'none') {
            const problem = await this.fire(target, binding)
            if (problem?.kind === 'harness') return problem
          }
        }
      }
    }
    return {
      kind: 'harness',
      text: `still delivering message flows after ${maxDrainRounds} rounds (a loop?)`,
      group: 'harness: no quiescence',
    }
  }

  /** Flow nodes with outgoing message flows that completed since the last look. */
  private async completedMessageSources(): Promise<string[]> {
    const sources = new Set<string>()
    for (const element of this.model.elements.values()) {
      const source = element.attributes['sourceRef']
      if (element.tag === 'messageFlow' && source !== undefined) sources.add(source)
    }
    if (sources.size === 0) return []
    const completed: string[] = []
    for (const record of await this.allInstances()) {
      const events = await this.engine.history(record.key)
      const from = this.scanned.get(record.key) ?? 0
      for (const event of events.slice(from)) {
        if (event.type === 'ElementCompleted' && sources.has(event.elementId))
          completed.push(event.elementId)
      }
      this.scanned.set(record.key, events.length)
    }
    return completed
  }

  /** The element a message flow delivers to: a flow node, or the start event of a pool. */
  private messageFlowTarget(flowId: string): string | StepProblem {
    const flow = this.model.elements.get(flowId)
    const target = this.model.elements.get(flow?.attributes['targetRef'] ?? '')
    if (target === undefined) {
      return {
        kind: 'harness',
        text: `message flow '${flowId}' has no target in the model`,
        group: 'harness: message flow target not triggerable',
      }
    }
    if (target.tag !== 'participant') return target.id
    const processId = target.attributes['processRef']
    const starts = [...this.model.elements.values()].filter(
      (e) => e.tag === 'startEvent' && e.processId === processId && e.parentTag === 'process',
    )
    const start =
      starts.find((e) => e.eventKind === 'message') ?? starts.find((e) => e.eventKind === undefined)
    if (start !== undefined) return start.id
    return {
      kind: 'harness',
      text: `pool '${target.id}' has no message or none start event to deliver to`,
      group: 'harness: message flow target not triggerable',
    }
  }

  /** Signals a message flow: delivers its message to the target, as when its source completes. */
  private async signal(elementId: string): Promise<StepProblem | undefined> {
    const element = this.model.elements.get(elementId)
    if (element?.tag !== 'messageFlow') {
      return {
        kind: 'harness',
        text: `signal on ${element?.tag ?? 'an unknown element'} '${elementId}' is not supported by the harness`,
        group: 'harness: signal on something other than a message flow',
      }
    }
    const target = this.messageFlowTarget(elementId)
    return typeof target === 'string' ? this.trigger(target) : target
  }

  private async fire(elementId: string, binding: TriggerBinding): Promise<StepProblem | undefined> {
    const notWaiting = (what: string): StepProblem => ({
      kind: 'mismatch',
      text: `the simulator can trigger '${elementId}' here, but in the engine ${what}`,
      group: 'mismatch: element not waiting when triggered',
    })
    try {
      switch (binding.kind) {
        case 'none':
          return {
            kind: 'harness',
            text: binding.reason,
            group: 'harness: element cannot be triggered from outside',
          }
        case 'start':
          // At this start event (a process may have several none starts), or at every flow node
          // without incoming flow of a process without start events.
          await this.engine.createInstance(binding.processId, {
            ...(binding.implicit === true ? {} : { startEventId: elementId }),
            variables: this.flowVariables(),
          })
          return undefined
        case 'message': {
          // Every message the simulator sends to a start event starts an instance: Baton would
          // hold a second one with the correlation key of an instance still running.
          const key = binding.start === true ? `${correlationKey}:${++this.starts}` : correlationKey
          const result = await this.engine.publishMessage({
            name: binding.name,
            correlationKey: key,
          })
          return result.correlatedInstances > 0
            ? undefined
            : notWaiting(`nothing waits for message '${binding.name}'`)
        }
        case 'signal': {
          const result = await this.engine.broadcastSignal(binding.name)
          return result.triggeredInstances + result.startedInstances > 0
            ? undefined
            : notWaiting(`nothing waits for signal '${binding.name}'`)
        }
        case 'timer': {
          await this.engine.idle()
          const timers =
            typeof this.store.dueTimers === 'function'
              ? await this.store.dueTimers(Number.MAX_SAFE_INTEGER, 1000)
              : []
          const timer = timers.find((t) => t.elementId === elementId)
          if (timer === undefined) return notWaiting('no timer is open there')
          // Fire this timer only, as the simulator triggers one element; the clock stays put.
          await this.engine.submit({ type: 'FireTimer', subscription: timer })
          return undefined
        }
        case 'condition': {
          const active = await this.engine.instances({ status: 'active' }, { limit: 1000 })
          if (active.length === 0) return notWaiting('no instance is active')
          for (const record of active)
            await this.engine.setVariables(record.key, { [binding.variable]: true })
          return undefined
        }
        case 'job': {
          const job = await this.findJob((type) => type === binding.type)
          if (job === undefined) return notWaiting('no job is open there')
          await this.engine.completeJob(job)
          return undefined
        }
      }
    } catch (error) {
      return {
        kind: 'mismatch',
        text: `the engine refused: ${error instanceof Error ? error.message : String(error)}`,
        group: `mismatch: the engine failed on a trigger (${error instanceof BatonError ? error.code : 'error'})`,
      }
    }
  }

  private async findJob(matches: (type: string) => boolean): Promise<Key | undefined> {
    await this.engine.idle()
    for (const record of await this.engine.instances({ status: 'active' }, { limit: 1000 })) {
      for (const job of Object.values(record.state.jobs)) if (matches(job.type)) return job.key
    }
    return undefined
  }

  /** Lets the engine run and completes the jobs of tasks that do not wait, until all is quiet. */
  private async drain(): Promise<StepProblem | undefined> {
    for (let round = 0; round < maxDrainRounds; round++) {
      const job = await this.findJob((type) => type.startsWith('ts:'))
      if (job === undefined) return undefined
      try {
        await this.engine.completeJob(job)
      } catch (error) {
        return {
          kind: 'mismatch',
          text: `completing the job of a task failed: ${error instanceof Error ? error.message : String(error)}`,
          group: 'mismatch: job completion refused',
        }
      }
    }
    return {
      kind: 'harness',
      text: `still completing task jobs after ${maxDrainRounds} rounds (a loop?)`,
      group: 'harness: no quiescence',
    }
  }

  private async allInstances(): Promise<{ key: Key; parentKey: Key | null }[]> {
    await this.engine.idle()
    const records = await this.engine.instances({}, { limit: 1000 })
    return records
      .map((record) => ({ key: record.key, parentKey: record.parentKey }))
      .sort((a, b) => (BigInt(a.key) < BigInt(b.key) ? -1 : BigInt(a.key) > BigInt(b.key) ? 1 : 0))
  }

  /** Every instance's log, with where each checkpoint fell in it. */
  async logs(): Promise<InstanceLog[]> {
    const logs: InstanceLog[] = []
    for (const record of await this.allInstances()) {
      logs.push({
        key: record.key,
        parentKey: record.parentKey,
        events: await this.engine.history(record.key),
        segmentEnds: this.checkpoints.map((lengths) => lengths.get(record.key) ?? 0),
      })
    }
    return logs
  }

  /** Open incidents, for a failure's reason (they often explain it). */
  async context(): Promise<string> {
    const incidents = await this.engine.incidents({ status: 'active' }, { limit: 20 })
    if (incidents.length === 0) return ''
    return ` (incidents: ${incidents.map((i) => `${i.errorType} at '${i.elementId}': ${i.errorMessage}`).join('; ')})`
  }
}

function judgeRejection(error: unknown): ScenarioFailure {
  if (!(error instanceof BatonError) || error.code !== 'BATON_MODEL_INVALID') {
    const code = error instanceof BatonError ? error.code : 'crash'
    return {
      kind: 'rejected',
      reason: `deploy failed: ${error instanceof Error ? error.message : String(error)}`,
      groups: [`rejected at deploy: ${code}`],
    }
  }
  const details = error.details
  const problems: ModelProblem[] = Array.isArray(details)
    ? details.flatMap((entry: { problems?: ModelProblem[] }) => entry.problems ?? [])
    : [{ rule: 'unknown', message: error.message }]
  const unsupported = problems.filter((p) => isUnsupportedRule(p.rule))
  const other = problems.filter((p) => !isUnsupportedRule(p.rule))
  if (unsupported.length > 0) {
    const kinds = [...new Set(unsupported.map(unsupportedKind))]
    const also = other.length > 0 ? `; also rejected: ${other.map(describeProblem).join('; ')}` : ''
    return {
      kind: 'unsupported',
      reason: `unsupported: ${unsupported.map(describeProblem).join('; ')}${also}`,
      groups: kinds.map((kind) => `unsupported: ${kind}`),
    }
  }
  return {
    kind: 'rejected',
    reason: `rejected: ${other.map(describeProblem).join('; ')}`,
    groups: [...new Set(other.map((p) => `rejected at deploy: ${p.rule}`))],
  }
}

/** The constructs the compiler says it does not run ("the engine does not run X, Y"). */
function unsupportedKind(problem: ModelProblem): string {
  const constructs = /the engine does not run ([^)]+)\)/.exec(problem.message)?.[1]
  return constructs ?? problem.rule
}
