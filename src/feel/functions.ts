/**
 * The FEEL built-ins Camunda 8 users rely on that feelin lacks (or implements differently), as
 * FEEL function values. Expressions see them as variables, so a variable of the same name shadows
 * them, as it shadows feelin's own built-ins.
 */
import { FeelDate, FeelDateTime, FeelFunction, duration, evaluate, parseDate, toFeel } from 'feelin'
import { toJsonValue } from './values.ts'

const systemClock = (): Date => new Date()
let clock: () => Date = systemClock

/**
 * Runs `run` with `now` as the clock behind FEEL `now()` and `today()`. Evaluation is synchronous,
 * so a module-level clock that is restored afterwards cannot leak into another evaluation.
 */
export function withClock<T>(now: (() => Date) | undefined, run: () => T): T {
  const previous = clock
  clock = now ?? systemClock
  try {
    return run()
  } finally {
    clock = previous
  }
}

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined

/**
 * One of feelin's built-ins as a JS function (its raw implementation, which returns a value or a
 * failure signal feelin turns into a warning). The name is declared in the context so the parser
 * reads it as one name even when it holds a keyword; declared as `undefined`, feelin resolves it
 * to the built-in.
 */
function feelinBuiltin(name: string): (...args: unknown[]) => unknown {
  const builtin = evaluate(name, { [name]: undefined }).value
  if (typeof builtin !== 'function') throw new Error(`feelin has no built-in named '${name}'`)
  return builtin as (...args: unknown[]) => unknown
}

// reused so the prefix/suffix form shares feelin's checks
const feelinStringJoin = feelinBuiltin('string join')

const isCalendarDate = (value: unknown): value is FeelDate | FeelDateTime =>
  value instanceof FeelDate || value instanceof FeelDateTime

function feelFunction(parameterNames: string[], fn: (...args: any[]) => unknown): FeelFunction {
  return new FeelFunction(fn, parameterNames)
}

/**
 * Camunda 8 built-ins missing from feelin, keyed by FEEL name. Type mismatches give `null`, as
 * feelin's built-ins do.
 */
export const camundaFunctions: Readonly<Record<string, FeelFunction>> = {
  // the current instant, in UTC, from the evaluation's clock
  now: feelFunction([], () => toFeel(clock())),
  // the current UTC date from the evaluation's clock
  today: feelFunction([], () => parseDate(clock().toISOString().slice(0, 10))),
  // feelin cannot tell a missing variable from null: both are "not defined"
  'is defined': feelFunction(['value'], (value) => !isNil(value)),
  'get or else': feelFunction(['value', 'default'], (value, fallback) =>
    isNil(value) ? (fallback ?? null) : value,
  ),
  'is empty': feelFunction(['list'], (list) => (Array.isArray(list) ? list.length === 0 : null)),
  trim: feelFunction(['string'], (string) => (typeof string === 'string' ? string.trim() : null)),
  uuid: feelFunction([], () => globalThis.crypto.randomUUID()),
  'to json': feelFunction(['value'], (value) => JSON.stringify(toJsonValue(value ?? null))),
  'from json': feelFunction(['value'], (value) => {
    if (typeof value !== 'string') return null
    try {
      return JSON.parse(value) as unknown
    } catch {
      return null
    }
  }),
  'string join': feelFunction(['list', 'delimiter', 'prefix', 'suffix'], (...args) => {
    const [list, delimiter, prefix, suffix] = args
    const joined =
      delimiter === undefined ? feelinStringJoin(list) : feelinStringJoin(list, delimiter)
    if (typeof joined !== 'string' || (isNil(prefix) && isNil(suffix))) return joined
    if (!isNil(prefix) && typeof prefix !== 'string') return null
    if (!isNil(suffix) && typeof suffix !== 'string') return null
    return `${prefix ?? ''}${joined}${suffix ?? ''}`
  }),
  // feelin's keeps the leftover days (P1Y1M27D); Camunda counts whole months only (P1Y1M)
  'years and months duration': feelFunction(['from', 'to'], (from, to) => {
    if (!isCalendarDate(from) || !isCalendarDate(to)) return null
    let months = (to.year - from.year) * 12 + (to.month - from.month)
    if (months > 0 && to.day < from.day) months -= 1
    if (months < 0 && to.day > from.day) months += 1
    const size = Math.abs(months)
    return duration(`${months < 0 ? '-' : ''}P${Math.floor(size / 12)}Y${size % 12}M`)
  }),
}
