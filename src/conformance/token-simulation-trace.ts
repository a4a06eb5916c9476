/**
 * Both traces reduced to one vocabulary: a flow node is entered into a scope, and later left.
 *
 * The simulator's trace (`action:element:scope`) records scopes: `createScope:X:P` makes a scope
 * for X inside P, `enter:X:P` moves a token into it, `signal:X:S` triggers it (an element
 * activated without an incoming flow: start, boundary, event subprocess), `exit:X:S` completes
 * it and `destroyScope:X:S` removes it (without an exit: cancelled). Reduced: enter = `enter` or
 * the first `signal` of a scope; exit = `exit`, or `destroyScope` of a scope that was entered and
 * never exited. Tokens at a joining gateway that never exit it (merged into the token that
 * leaves, or still waiting) are dropped: the engine activates a join once, when it fires, and
 * records a waiting token as JoinTokenArrived. Sequence flows and processes are not flow nodes
 * and are dropped.
 *
 * The engine's log: ElementActivating = enter (into its flow scope), ElementCompleted or
 * ElementTerminated = exit (its own element instance).
 *
 * Scope ids differ between the two, so both are renamed by first appearance (A, B, ...). Events of
 * different process instances have no common order in the engine's logs, so within each segment
 * (the steps between two expected traces) events are grouped by process instance, instances in
 * order of first appearance.
 */
import type { EngineEvent } from '../engine/types.ts'

export interface TraceEvent {
  readonly action: 'enter' | 'exit'
  readonly elementId: string
  /** enter: the scope entered; exit: the element's own scope. As the source names it. */
  readonly scope: string
  /** The root process instance (its scope id in the source). */
  readonly instance: string
  /** Which expected trace the event belongs to (0 = the first). */
  readonly segment: number
}

interface SimulatorScope {
  readonly element: string
  readonly parent: string | null
  letter: string | undefined
  enteredAt: number | undefined
  exitedAt: number | undefined
  destroyedAt: number | undefined
}

/**
 * Reduces the simulator's expected traces (one per `expectTrace` step, scopes shared across them).
 *
 * @example
 * reduceSimulatorTrace([['createScope:Process_1:null', 'signal:Process_1:A', ...]], flowNodes, joins)
 */
export function reduceSimulatorTrace(
  segments: readonly (readonly string[])[],
  flowNodes: ReadonlySet<string>,
  joinGateways: ReadonlySet<string>,
): TraceEvent[] {
  const created: SimulatorScope[] = []
  const byLetter = new Map<string, SimulatorScope>()
  const segmentAt: number[] = []
  let position = 0

  const bind = (element: string, letter: string): SimulatorScope => {
    const known = byLetter.get(letter)
    if (known) return known
    const scope = created.find((s) => s.element === element && s.letter === undefined) ?? {
      element,
      parent: null,
      letter: undefined,
      enteredAt: undefined,
      exitedAt: undefined,
      destroyedAt: undefined,
    }
    if (!created.includes(scope)) created.push(scope)
    scope.letter = letter
    byLetter.set(letter, scope)
    return scope
  }

  for (const [segment, entries] of segments.entries()) {
    for (const entry of entries) {
      segmentAt[position] = segment
      const first = entry.indexOf(':')
      const last = entry.lastIndexOf(':')
      const action = entry.slice(0, first)
      const element = planeOwner(entry.slice(first + 1, last), flowNodes)
      const scopeId = entry.slice(last + 1)
      switch (action) {
        case 'createScope':
          created.push({
            element,
            parent: scopeId === 'null' ? null : scopeId,
            letter: undefined,
            enteredAt: undefined,
            exitedAt: undefined,
            destroyedAt: undefined,
          })
          break
        case 'enter': {
          const scope = created.find(
            (s) =>
              s.element === element &&
              s.parent === scopeId &&
              s.enteredAt === undefined &&
              s.destroyedAt === undefined,
          )
          if (scope) scope.enteredAt = position
          break
        }
        case 'signal': {
          const scope = bind(element, scopeId)
          scope.enteredAt ??= position
          break
        }
        case 'exit': {
          const scope = bind(element, scopeId)
          scope.exitedAt ??= position
          break
        }
        case 'destroyScope': {
          const scope = bind(element, scopeId)
          scope.destroyedAt ??= position
          break
        }
        default:
          break
      }
      position++
    }
  }

  const rootOf = (scope: SimulatorScope): string => {
    let current = scope
    for (let depth = 0; depth < 1000 && current.parent !== null; depth++) {
      const parent = byLetter.get(current.parent)
      if (!parent) return current.parent
      current = parent
    }
    return current.letter ?? '?'
  }

  const events: { at: number; event: TraceEvent }[] = []
  for (const scope of created) {
    if (!flowNodes.has(scope.element) || scope.enteredAt === undefined) continue
    // A token at a join that never leaves it was merged into another one, or still waits.
    if (joinGateways.has(scope.element) && scope.exitedAt === undefined) continue
    const instance = rootOf(scope)
    events.push({
      at: scope.enteredAt,
      event: {
        action: 'enter',
        elementId: scope.element,
        scope: scope.parent ?? 'null',
        instance,
        segment: segmentAt[scope.enteredAt] ?? 0,
      },
    })
    const exitAt = scope.exitedAt ?? scope.destroyedAt
    if (exitAt !== undefined) {
      events.push({
        at: exitAt,
        event: {
          action: 'exit',
          elementId: scope.element,
          scope: scope.letter ?? '?',
          instance,
          segment: segmentAt[exitAt] ?? 0,
        },
      })
    }
  }
  return events.sort((a, b) => a.at - b.at).map((e) => e.event)
}

/**
 * bpmn-js draws a collapsed subprocess on a plane of its own and the simulator names the scope of
 * its contents after that plane (`<id>_plane`): that is the subprocess itself.
 */
function planeOwner(element: string, flowNodes: ReadonlySet<string>): string {
  if (flowNodes.has(element) || !element.endsWith('_plane')) return element
  const owner = element.slice(0, -'_plane'.length)
  return flowNodes.has(owner) ? owner : element
}

/** One process instance's log, with where each segment of the scenario ended in it. */
export interface InstanceLog {
  readonly key: string
  readonly parentKey: string | null
  readonly events: readonly EngineEvent[]
  /** The log's length when each expected trace was taken (segment i = before `segmentEnds[i]`). */
  readonly segmentEnds: readonly number[]
}

/** Reduces the engine's logs of every instance of a scenario (child instances included). */
export function reduceEngineTrace(
  logs: readonly InstanceLog[],
  flowNodes: ReadonlySet<string>,
): TraceEvent[] {
  const parents = new Map(logs.map((log) => [log.key, log.parentKey]))
  const rootOf = (key: string): string => {
    let current = key
    for (let depth = 0; depth < 1000; depth++) {
      const parent = parents.get(current)
      if (parent === null || parent === undefined) return current
      current = parent
    }
    return current
  }
  const out: TraceEvent[] = []
  for (const log of logs) {
    const instance = rootOf(log.key)
    // A completed subprocess entered again to host compensation handlers stands for the instance
    // it revives: the simulator keeps that scope and runs the handlers in it.
    const revived = new Map<string, string>()
    for (const [index, event] of log.events.entries()) {
      let segment = log.segmentEnds.findIndex((end) => index < end)
      if (segment < 0) segment = log.segmentEnds.length
      if (event.type === 'ElementActivating') {
        if (event.revivesScope !== undefined) {
          revived.set(event.elementInstanceKey, event.revivesScope)
          continue
        }
        if (!flowNodes.has(event.elementId)) continue
        out.push({
          action: 'enter',
          elementId: event.elementId,
          scope: revived.get(event.flowScopeKey) ?? event.flowScopeKey,
          instance,
          segment,
        })
      } else if (event.type === 'ElementCompleted' || event.type === 'ElementTerminated') {
        if (revived.has(event.elementInstanceKey)) continue
        if (!flowNodes.has(event.elementId)) continue
        out.push({
          action: 'exit',
          elementId: event.elementId,
          scope: event.elementInstanceKey,
          instance,
          segment,
        })
      }
    }
  }
  return out
}

/**
 * The canonical form: per segment, events grouped by instance (in order of first appearance),
 * scopes renamed A, B, ... by first appearance. One string list per segment; events after the
 * last segment are left out.
 */
export function canonicalTrace(events: readonly TraceEvent[], segments: number): string[][] {
  const instanceRank = new Map<string, number>()
  const ordered = [...events.entries()]
    .sort(([ia, a], [ib, b]) => a.segment - b.segment || ia - ib)
    .map(([, event]) => event)
  for (const event of ordered)
    if (!instanceRank.has(event.instance)) instanceRank.set(event.instance, instanceRank.size)
  const grouped = [...ordered.entries()]
    .sort(
      ([ia, a], [ib, b]) =>
        a.segment - b.segment ||
        (instanceRank.get(a.instance) ?? 0) - (instanceRank.get(b.instance) ?? 0) ||
        ia - ib,
    )
    .map(([, event]) => event)
  const labels = new Map<string, string>()
  const label = (scope: string): string => {
    let name = labels.get(scope)
    if (name === undefined) {
      name = scopeName(labels.size)
      labels.set(scope, name)
    }
    return name
  }
  const out: string[][] = Array.from({ length: segments }, () => [])
  for (const event of grouped) {
    // Events after the last expected trace are not compared.
    out[event.segment]?.push(`${event.action}:${event.elementId}:${label(event.scope)}`)
  }
  return out
}

/** A, B, ..., Z, A1, B1, ... as the simulator names scopes. */
function scopeName(index: number): string {
  const round = Math.trunc(index / 26)
  return String.fromCharCode(65 + (index % 26)) + (round === 0 ? '' : String(round))
}

export type TraceComparison =
  | { readonly same: true }
  | {
      readonly same: false
      readonly segment: number
      /** First index where the segment's lists differ. */
      readonly index: number
      readonly expected: readonly string[]
      readonly actual: readonly string[]
      /** The same enters and exits of the same elements, in another order. */
      readonly orderOnly: boolean
    }

/** Compares two canonical traces segment by segment. */
export function compareTraces(
  expected: readonly (readonly string[])[],
  actual: readonly (readonly string[])[],
): TraceComparison {
  for (const [segment, wanted] of expected.entries()) {
    const got = actual[segment] ?? []
    const length = Math.max(wanted.length, got.length)
    let index = -1
    for (let i = 0; i < length; i++) {
      if (wanted[i] !== got[i]) {
        index = i
        break
      }
    }
    if (index < 0) continue
    const withoutScopes = (list: readonly string[]): string =>
      JSON.stringify(list.map((entry) => entry.slice(0, entry.lastIndexOf(':'))).sort())
    return {
      same: false,
      segment,
      index,
      expected: wanted,
      actual: got,
      orderOnly: withoutScopes(wanted) === withoutScopes(got),
    }
  }
  return { same: true }
}
