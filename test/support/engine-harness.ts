/**
 * What engine behaviour tests share: a fake clock, fixtures by name, an in-memory engine, and
 * readers that turn an event log into short lines to assert on.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { EngineEvent, Key } from '../../src/engine/types.ts'
import type { DeployedDefinition } from '../../src/runtime/definitions.ts'
import { Engine } from '../../src/runtime/engine.ts'

/** A clock that moves only when a test moves it. */
export class FakeClock {
  constructor(private time = Date.UTC(2030, 0, 1, 9, 0, 0)) {}
  now(): number {
    return this.time
  }
  advance(ms: number): void {
    this.time += ms
  }
}

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** The XML of a fixture in test/fixtures. */
export function fixture(name: string): string {
  return readFileSync(`${fixturesDir}${name}`, 'utf8')
}

export interface TestEngine {
  readonly engine: Engine
  readonly clock: FakeClock
}

/** An in-memory engine on a fake clock, with the given fixtures deployed. */
export async function engineWith(
  ...fixtures: string[]
): Promise<TestEngine & { deployed: DeployedDefinition[] }> {
  const clock = new FakeClock()
  const engine = await Engine.open({ path: ':memory:', durable: false, clock })
  const deployed =
    fixtures.length === 0
      ? []
      : await engine.deploy(fixtures.map((name) => ({ name, xml: fixture(name) })))
  return { engine, clock, deployed }
}

/**
 * Lets the engine and its workers run until `check` holds. Turns the event loop and never waits on
 * the clock; only a test about to fail meets the deadline. (Some of the runtime's steps finish on
 * another thread, e.g. a dynamic import under tsx, so a count of turns alone is not enough.)
 */
export async function until(
  engine: Engine,
  check: () => Promise<boolean> | boolean,
  what: string,
): Promise<void> {
  const deadline = performance.now() + 20_000
  while (performance.now() < deadline) {
    if (await check()) return
    await new Promise<void>((resolve) => setImmediate(resolve))
    await engine.idle()
  }
  throw new Error(`timed out waiting until ${what}`)
}

/** Waits until the instance's log has an event of this type (optionally on this element). */
export async function untilEvent(
  engine: Engine,
  instanceKey: Key,
  type: EngineEvent['type'],
  elementId?: string,
): Promise<EngineEvent> {
  let found: EngineEvent | undefined
  await until(
    engine,
    async () => {
      found = (await engine.history(instanceKey)).find(
        (event) =>
          event.type === type && (elementId === undefined || elementIdOf(event) === elementId),
      )
      return found !== undefined
    },
    `${type}${elementId ? ` on ${elementId}` : ''} in instance ${instanceKey}`,
  )
  return found as EngineEvent
}

function elementIdOf(event: EngineEvent): string | undefined {
  return 'elementId' in event ? event.elementId : undefined
}

/**
 * The log as short lines: `ElementCompleted Task_a`, `SequenceFlowTaken Flow_1`, `JobCreated
 * charge-card`, `VariableSet total=42` ... Types left out of `only` are dropped when it is given.
 */
export function trail(
  events: readonly EngineEvent[],
  only?: readonly EngineEvent['type'][],
): string[] {
  const lines: string[] = []
  for (const event of events) {
    if (only && !only.includes(event.type)) continue
    lines.push(describe(event))
  }
  return lines
}

function describe(event: EngineEvent): string {
  switch (event.type) {
    case 'ElementActivating':
    case 'ElementActivated':
    case 'ElementCompleting':
    case 'ElementCompleted':
    case 'ElementTerminated':
      return `${event.type} ${event.elementId}`
    case 'SequenceFlowTaken':
      return `${event.type} ${event.flowId}`
    case 'JoinTokenArrived':
      return `${event.type} ${event.gatewayId} ${event.flowId}`
    case 'JoinTokensConsumed':
      return `${event.type} ${event.gatewayId}`
    case 'VariableSet':
      return `${event.type} ${event.name}=${JSON.stringify(event.value)}`
    case 'JobCreated':
      return `${event.type} ${event.jobType}`
    case 'IncidentCreated':
      return `${event.type} ${event.elementId} ${event.errorType}`
    default:
      return event.type
  }
}

/** The ids of the elements that completed, in order. */
export function completedElements(events: readonly EngineEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'ElementCompleted' ? [event.elementId] : []))
}

/** Events of one type, typed. */
export function eventsOf<T extends EngineEvent['type']>(
  events: readonly EngineEvent[],
  type: T,
): Extract<EngineEvent, { type: T }>[] {
  return events.filter((event): event is Extract<EngineEvent, { type: T }> => event.type === type)
}

/** Asserts a promise rejects with a BatonError of `code` whose message matches `message`. */
export function batonError(code: string, message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    const e = error as { name?: string; code?: string; message?: string }
    if (e.name !== 'BatonError') throw new Error(`expected a BatonError, got ${String(error)}`)
    if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`)
    if (!message.test(e.message ?? ''))
      throw new Error(`message '${e.message}' does not match ${message}`)
    return true
  }
}

/** Lets queued work (commits, handed-over jobs, polls) run out, without waiting on time. */
export async function settle(engine: Engine): Promise<void> {
  for (let turn = 0; turn < 20; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve))
    await engine.idle()
  }
}
