/**
 * The text both stores keep in `instance_events.events`: one commit's events of one instance.
 *
 * Format (version 2): a JSON array whose first item is the instant of the first event, then one
 * item per event. A frequent event is an array `[code, instant - first instant, ...fields]`: its
 * fields in the order its shape lists them, absent optional fields as null, trailing nulls cut.
 * Its position is not written: it is the row's `from_position` plus its index. Any other event is
 * written whole, as an object (with its own position and instant). Field names, positions and
 * instants were about two thirds of the bytes of a log written as objects.
 *
 * Version 1 rows (an array of event objects, what Baton wrote before) are read as they are, so a
 * store needs no migration.
 *
 * Compatibility: a shape's code and the order of its fields are part of the stored format. Never
 * renumber or reorder; a new field goes at the end of `optional`, a new shape takes a new code.
 */
import type { EngineEvent, EngineEventBody, EngineEventType } from '../engine/types.ts'

type BodyOf<T extends EngineEventType> = Omit<Extract<EngineEventBody, { type: T }>, 'type'>
type FieldOf<T extends EngineEventType> = keyof BodyOf<T> & string

interface Shape {
  readonly code: number
  readonly type: EngineEventType
  readonly required: readonly string[]
  readonly optional: readonly string[]
}

/**
 * Declares a shape. The last parameter does not type-check until the two lists name every field
 * of the event type, so a field added to an event must be added here (at the end of `optional`).
 */
function shape<
  T extends EngineEventType,
  const R extends readonly FieldOf<T>[],
  const O extends readonly FieldOf<T>[],
>(
  type: T,
  code: number,
  required: R,
  optional: O,
  ..._complete: [Exclude<FieldOf<T>, R[number] | O[number]>] extends [never]
    ? []
    : [missing: Exclude<FieldOf<T>, R[number] | O[number]>]
): Shape {
  return { code, type, required, optional }
}

/** The events frequent enough to be worth a shape (the others are written as objects). */
const shapeList: readonly Shape[] = [
  shape(
    'ProcessInstanceCreated',
    1,
    ['processDefinitionKey', 'bpmnProcessId', 'version'],
    ['businessKey', 'startCorrelationKey', 'parent'],
  ),
  shape('ProcessInstanceCompleted', 2, [], []),
  shape('ProcessInstanceTerminated', 3, [], []),
  shape(
    'ElementActivating',
    4,
    ['elementInstanceKey', 'elementId', 'elementType', 'flowScopeKey'],
    [
      'triggered',
      'loopRole',
      'compensationFor',
      'compensatesScope',
      'revivesScope',
      'cancelsTransaction',
      'startEventId',
    ],
  ),
  shape('ElementActivated', 5, ['elementInstanceKey', 'elementId'], []),
  shape('ElementCompleting', 6, ['elementInstanceKey', 'elementId'], []),
  shape('ElementCompleted', 7, ['elementInstanceKey', 'elementId'], []),
  shape('ElementTerminated', 8, ['elementInstanceKey', 'elementId'], []),
  shape('SequenceFlowTaken', 9, ['flowId', 'sourceId', 'targetId', 'flowScopeKey'], []),
  shape('JoinTokenArrived', 10, ['gatewayId', 'flowId', 'flowScopeKey'], []),
  shape('JoinTokensConsumed', 11, ['gatewayId', 'flowScopeKey', 'flows'], []),
  shape('VariableSet', 12, ['scopeKey', 'name', 'value', 'created'], []),
  shape(
    'JobCreated',
    13,
    ['jobKey', 'elementInstanceKey', 'elementId', 'jobType', 'retries', 'headers'],
    [],
  ),
  shape('JobCompleted', 14, ['jobKey'], []),
  shape(
    'UserTaskCreated',
    15,
    [
      'userTaskKey',
      'elementInstanceKey',
      'elementId',
      'assignee',
      'candidateUsers',
      'candidateGroups',
      'dueDate',
      'followUpDate',
      'priority',
      'formKey',
      'formId',
    ],
    ['name'],
  ),
  shape('UserTaskAssigned', 16, ['userTaskKey', 'assignee'], []),
  shape('UserTaskCompleted', 17, ['userTaskKey', 'variables'], []),
  shape('SubscriptionClosed', 18, ['subscriptionKey'], []),
  shape('SubscriptionTriggered', 19, ['subscriptionKey', 'elementId', 'variables'], []),
]

const byType: Readonly<Record<string, Shape | undefined>> = Object.fromEntries(
  shapeList.map((s) => [s.type, s]),
)
const byCode: readonly (Shape | undefined)[] = (() => {
  const codes: (Shape | undefined)[] = []
  for (const s of shapeList) codes[s.code] = s
  return codes
})()

/** The shapes' codes by event type (what the format test pins). */
export function eventShapeCodes(): Readonly<Record<string, number>> {
  return Object.fromEntries(shapeList.map((s) => [s.type, s.code]))
}

/**
 * The stored text of events that follow each other in one instance's log (the first at
 * `events[0].position`).
 *
 * @example
 * store.run(insert, [instanceKey, from, from + events.length - 1, encodeEvents(events)])
 */
export function encodeEvents(events: readonly EngineEvent[]): string {
  const first = events[0]
  if (first === undefined) return '[]'
  const at0 = first.at
  // Without an instant to start from, the row keeps the first format (objects only).
  if (typeof at0 !== 'number') return JSON.stringify(events)
  const items: unknown[] = [at0]
  let position = first.position
  for (const event of events) {
    items.push(event.position === position ? compact(event, at0) : event)
    position++
  }
  return JSON.stringify(items)
}

function compact(event: EngineEvent, at0: number): unknown {
  const shape = byType[event.type]
  if (shape === undefined) return event
  const fields = event as unknown as Record<string, unknown>
  const item: unknown[] = [shape.code, event.at - at0]
  let present = 3 // type, position, at
  for (const name of shape.required) {
    const value = fields[name]
    if (value === undefined) return event
    item.push(value)
    present++
  }
  let end = item.length
  for (const name of shape.optional) {
    const value = fields[name]
    if (value === undefined || value === null) item.push(null)
    else {
      item.push(value)
      present++
      end = item.length
    }
  }
  item.length = end
  // A field the shape does not list (or an optional one set to null) would be lost: such an
  // event is written whole.
  let defined = 0
  for (const name in fields) if (fields[name] !== undefined) defined++
  return defined === present ? item : event
}

/** Thrown when stored events cannot be read (a code this version does not know). */
export class EventCodecError extends Error {
  override readonly name = 'EventCodecError'
}

/**
 * The events of one stored row, whose first event is at `fromPosition`; reads both formats.
 *
 * @example
 * const events = rows.flatMap((row) => decodeEvents(row.events, row.from_position))
 */
export function decodeEvents(text: string, fromPosition: number): EngineEvent[] {
  const items = JSON.parse(text) as unknown[]
  const at0 = items[0]
  if (typeof at0 !== 'number') return items as EngineEvent[] // version 1: event objects
  const events: EngineEvent[] = []
  for (let i = 1; i < items.length; i++) {
    const item = items[i]
    if (!Array.isArray(item)) {
      events.push(item as EngineEvent)
      continue
    }
    const shape = byCode[item[0] as number]
    if (shape === undefined)
      throw new EventCodecError(
        `event ${fromPosition + i - 1} has shape code ${String(item[0])}, which this version of Baton does not know (written by a newer version?)`,
      )
    const event: Record<string, unknown> = { type: shape.type }
    let j = 2
    for (const name of shape.required) event[name] = item[j++]
    for (const name of shape.optional) {
      const value: unknown = item[j++]
      if (value !== undefined && value !== null) event[name] = value
    }
    event['position'] = fromPosition + i - 1
    event['at'] = at0 + (item[1] as number)
    events.push(event as unknown as EngineEvent)
  }
  return events
}
