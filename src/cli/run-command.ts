/**
 * `baton run MODEL`: runs one process on an in-memory engine (no server, nothing kept) and prints
 * what happened. An auto worker completes every job of every type at once with no variables, user
 * tasks are completed at once, and timers fire at once (the run's clock skips ahead to them), so
 * the run goes as far as the model lets it: to its end, or to where nothing can progress (a
 * message, a signal, an incident), which is printed.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { EngineEvent, InstanceState, Key, Variables } from '../engine/types.ts'
import { BatonError } from '../errors.ts'
import { Engine } from '../runtime/engine.ts'
import { CliError } from './remote.ts'

export interface RunOptions {
  /** `--vars`: a JSON object, as given on the command line. */
  readonly vars?: string
  /** Which process of the file (default: the first). */
  readonly process?: string
  /** JSON lines of the engine's events instead of a readable trace. */
  readonly json: boolean
  readonly out?: (line: string) => void
  /** Notes that are not the trace (stderr in --json mode). */
  readonly note?: (line: string) => void
  /** Rounds of work before giving up (a timer cycle can go on for ever). */
  readonly maxRounds?: number
}

/** How the run ended; `stuck` exits with code 2. */
export type RunOutcome = 'completed' | 'terminated' | 'stuck'

/** Parses --vars: a JSON object, or a CliError saying what was wrong. */
export function parseVariables(text: string | undefined): Variables {
  if (text === undefined) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CliError(
      `--vars is not valid JSON (${(error as Error).message}); pass an object, e.g. --vars '{"amount":5}'`,
    )
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      `--vars must be a JSON object of variables, got ${JSON.stringify(value)}; e.g. --vars '{"amount":5}'`,
    )
  }
  return value as Variables
}

function elapsed(ms: number): string {
  if (ms < 1000) return `+${ms}ms`
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)}s`
  if (ms < 3_600_000) return `+${(ms / 60_000).toFixed(1)}m`
  if (ms < 86_400_000) return `+${(ms / 3_600_000).toFixed(1)}h`
  return `+${(ms / 86_400_000).toFixed(1)}d`
}

const json = (value: unknown): string => JSON.stringify(value)

/** The trace line of an event; undefined for bookkeeping events the trace leaves out. */
function describeEvent(event: EngineEvent, types: Map<Key, string>): string | undefined {
  switch (event.type) {
    case 'ProcessInstanceCreated':
      return `process '${event.bpmnProcessId}' v${event.version} started`
    case 'ProcessInstanceCompleted':
      return 'process completed'
    case 'ProcessInstanceTerminated':
      return 'process terminated'
    case 'ElementActivating':
      types.set(event.elementInstanceKey, event.elementType)
      return undefined
    case 'ElementActivated': {
      const type = types.get(event.elementInstanceKey)
      return `activated ${event.elementId}${type ? ` (${type})` : ''}`
    }
    case 'ElementCompleted':
      return `completed ${event.elementId}`
    case 'ElementTerminated':
      return `terminated ${event.elementId}`
    case 'SequenceFlowTaken':
      return `flow ${event.flowId}: ${event.sourceId} -> ${event.targetId}`
    case 'VariableSet':
      return `variable ${event.name} = ${json(event.value)}`
    case 'JobCreated':
      return `job '${event.jobType}' created for ${event.elementId}`
    case 'JobCompleted':
      return 'job completed by the auto worker'
    case 'JobFailed':
      return `job failed (${event.retries} retries left): ${event.errorMessage}`
    case 'JobErrorThrown':
      return `job threw error '${event.errorCode}'`
    case 'JobCanceled':
      return 'job canceled'
    case 'UserTaskCreated':
      return `user task '${event.name ?? event.elementId}' created`
    case 'UserTaskCompleted':
      return 'user task completed (auto)'
    case 'UserTaskCanceled':
      return 'user task canceled'
    case 'IncidentCreated':
      return `INCIDENT at ${event.elementId}: [${event.errorType}] ${event.errorMessage}`
    case 'IncidentResolved':
      return 'incident resolved'
    case 'SubscriptionOpened': {
      const s = event.subscription
      if (s.kind === 'timer')
        return `timer at ${s.elementId} set${s.dueAt === null ? '' : ` (due ${new Date(s.dueAt).toISOString()})`}`
      return `waiting at ${s.elementId} for ${s.kind}${s.name === null ? '' : ` '${s.name}'`}${s.correlationKey === null ? '' : ` (correlation key '${s.correlationKey}')`}`
    }
    case 'SubscriptionTriggered':
      return `caught ${event.elementId}${Object.keys(event.variables).length ? ` with ${json(event.variables)}` : ''}`
    case 'ErrorThrown':
      return `error '${event.errorCode}' thrown at ${event.elementId}${event.caughtBy ? `, caught by ${event.caughtBy}` : ', not caught'}`
    case 'EscalationThrown':
      return `escalation '${event.escalationCode}' at ${event.elementId}${event.childInstanceKey ? ` from instance ${event.childInstanceKey}` : ''}${event.caughtBy ? `, caught by ${event.caughtBy}` : ''}`
    case 'ChildInstanceCreated':
      return `called process '${event.bpmnProcessId}' (instance ${event.childInstanceKey})`
    default:
      return undefined
  }
}

/**
 * Runs a command the engine may refuse because an earlier one of the same round already ended its
 * job or task (an interrupting event, a terminate end event); the next round looks again.
 */
async function settles(command: () => Promise<void>): Promise<boolean> {
  try {
    await command()
    return true
  } catch (error) {
    if (error instanceof BatonError) return false
    throw error
  }
}

/** Where an instance that cannot progress waits, one line each. */
export function whereStuck(state: InstanceState): string[] {
  const lines: string[] = []
  const prefix = `[${state.bpmnProcessId}] `
  for (const incident of Object.values(state.incidents)) {
    lines.push(
      `${prefix}incident at ${incident.elementId}: [${incident.errorType}] ${incident.errorMessage}`,
    )
  }
  const explained = new Set<Key>()
  for (const s of Object.values(state.subscriptions ?? {})) {
    explained.add(s.holderKey)
    const what =
      s.kind === 'message'
        ? `message '${s.name}'${s.correlationKey === null ? '' : ` with correlation key '${s.correlationKey}'`}`
        : s.kind === 'signal'
          ? `signal '${s.name}'`
          : s.kind === 'timer'
            ? 'a timer'
            : 'a condition'
    lines.push(`${prefix}waiting at ${s.elementId} for ${what}`)
  }
  for (const [at, flows] of Object.entries(state.joins)) {
    const gateway = at.slice(at.indexOf('/') + 1)
    lines.push(
      `${prefix}tokens waiting at ${gateway} (arrived from ${Object.keys(flows).join(', ')})`,
    )
  }
  const scopes = new Set(Object.values(state.elements).map((e) => e.flowScopeKey))
  for (const element of Object.values(state.elements)) {
    if (scopes.has(element.key) || explained.has(element.key) || element.incident) continue
    if (element.childInstanceKey !== undefined) continue // the child says where it waits
    lines.push(`${prefix}waiting at ${element.elementId} (${element.phase})`)
  }
  return lines
}

/**
 * Runs the model and prints the trace; resolves with how it ended.
 *
 * @example
 * const outcome = await runModel('examples/reference.bpmn', { vars: '{"amount":5}', json: false })
 */
export async function runModel(file: string, options: RunOptions): Promise<RunOutcome> {
  const out = options.out ?? console.log
  const note = options.note ?? (options.json ? console.error : out)
  const variables = parseVariables(options.vars)
  let xml: string
  try {
    xml = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `no such file: ${file}`
        : `cannot read ${file}: ${(error as Error).message}`,
    )
  }
  // The run's clock: real time, plus however far it skipped ahead to due timers.
  let skipped = 0
  const clock = { now: () => Date.now() + skipped }
  const engine = await Engine.open({ path: ':memory:', durable: false, clock })
  try {
    const deployed = await engine
      .deploy([{ name: basename(file), xml }])
      .catch((error: unknown) => {
        throw new CliError((error as Error).message)
      })
    const target =
      options.process === undefined
        ? deployed[0]
        : deployed.find((d) => d.bpmnProcessId === options.process)
    if (!target) {
      throw new CliError(
        `${file} has no process '${options.process}'; it has ${deployed.map((d) => d.bpmnProcessId).join(', ')}`,
      )
    }
    note(`running '${target.bpmnProcessId}' from ${file} on an in-memory engine (nothing is kept)`)
    note(
      'auto worker: every job of every type is completed at once with no variables; user tasks are completed at once; timers fire at once',
    )
    const startedAt = clock.now()
    const created = await engine.createInstance(target.bpmnProcessId, { variables })
    const root = created.instanceKey
    const traced: Key[] = [root]
    const cursors = new Map<Key, number>()
    const types = new Map<Key, string>()
    const names = new Map<Key, string>([[root, target.bpmnProcessId]])
    const emit = (instanceKey: Key, event: EngineEvent): void => {
      if (options.json) {
        out(JSON.stringify({ instanceKey, ...event }))
        return
      }
      const line = describeEvent(event, types)
      if (line === undefined) return
      const who = instanceKey === root ? '' : `[${names.get(instanceKey) ?? instanceKey}] `
      out(`${elapsed(event.at - startedAt).padStart(8)}  ${who}${line}`)
    }
    const printNew = async (): Promise<void> => {
      for (let i = 0; i < traced.length; i++) {
        const key = traced[i] as Key
        const events = await engine.history(key)
        for (const event of events.slice(cursors.get(key) ?? 0)) {
          if (event.type === 'ChildInstanceCreated') {
            traced.push(event.childInstanceKey)
            names.set(event.childInstanceKey, event.bpmnProcessId)
          }
          emit(key, event)
        }
        cursors.set(key, events.length)
      }
    }

    const maxRounds = options.maxRounds ?? 10_000
    for (let round = 0; ; round++) {
      await engine.idle()
      await printNew()
      const record = await engine.getInstance(root)
      if (!record) throw new Error(`instance ${root} vanished`)
      if (record.status !== 'active') {
        note(`instance ${root} ${record.status}`)
        return record.status
      }
      const active: InstanceState[] = []
      for (const key of traced) {
        const r = await engine.getInstance(key)
        if (r?.status === 'active') active.push(r.state)
      }
      let acted = 0
      for (const state of active) {
        for (const job of Object.values(state.jobs)) {
          if (state.elements[job.elementInstanceKey]?.incident || job.retries <= 0) continue
          if (await settles(() => engine.completeJob(job.key))) acted++
        }
        for (const task of Object.values(state.userTasks)) {
          if (await settles(() => engine.completeUserTask(task.key))) acted++
        }
      }
      if (acted === 0) {
        const due = active
          .flatMap((s) => Object.values(s.subscriptions ?? {}))
          .filter((s) => s.kind === 'timer' && s.dueAt !== null)
          .map((s) => s.dueAt as number)
        if (due.length > 0) {
          skipped += Math.max(0, Math.min(...due) - clock.now())
          if ((await engine.fireDueTimers()) > 0) acted++
        }
      }
      if (acted === 0 || round >= maxRounds) {
        note(
          acted === 0
            ? 'stuck: nothing can progress'
            : `gave up after ${maxRounds} rounds (a timer cycle or a loop that does not end?)`,
        )
        for (const state of active) for (const line of whereStuck(state)) note(`  ${line}`)
        return 'stuck'
      }
    }
  } finally {
    await engine.close()
  }
}
