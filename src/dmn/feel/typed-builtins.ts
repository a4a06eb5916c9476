import { FeelDate, FeelDateTime, FeelFunction, evaluate } from 'feelin'
import type { ArithmeticErrors } from './arithmetic.ts'
import { durationName } from './rewrite.ts'
import { feelTypeOf } from './feel.ts'

/**
 * FEEL built-ins whose parameters DMN 1.5 types (10.3.4): Baton checks the arguments against the
 * parameter types, reports a call outside them as an error (null result), and hands a well-typed
 * call to feelin's own implementation. Conversions that cannot convert (`number("1,0", " ", ".")`,
 * `duration("x")`) are errors too, as the TCK expects, where feelin answers a silent null.
 */
type Check = (value: unknown) => boolean

interface Signature {
  /** Parameter names as the specification spells them; `...list` takes the rest. */
  readonly parameters: readonly string[]
  /** One check per parameter; a parameter left out of the call is `undefined`. */
  readonly checks: readonly Check[]
  /** Whether a null from feelin means the arguments could not be converted. */
  readonly nullIsError?: boolean
  /** Brings the arguments to the one form feelin's implementation takes. */
  readonly normalize?: (args: readonly unknown[]) => unknown[]
}

const isString: Check = (v) => typeof v === 'string'
const optionalString: Check = (v) => v === undefined || v === null || typeof v === 'string'
const isContext: Check = (v) => feelTypeOf(v) === 'context'
const isDateLike: Check = (v) => v instanceof FeelDate || v instanceof FeelDateTime
const anything: Check = (v) => v !== undefined
const optionalSeparator: Check = (v) => v === undefined || v === null || typeof v === 'string'
const isKeys: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((k) => typeof k === 'string')
const isEntries: Check = (v) => {
  const entries = Array.isArray(v) ? v : [v]
  return entries.every(
    (e) =>
      feelTypeOf(e) === 'context' &&
      typeof (e as Record<string, unknown>)['key'] === 'string' &&
      Object.hasOwn(e as object, 'value'),
  )
}
const isContexts: Check = (v) =>
  feelTypeOf(v) === 'context' || (Array.isArray(v) && v.every((c) => feelTypeOf(c) === 'context'))
const isStrings: Check = (v) =>
  typeof v === 'string' || (Array.isArray(v) && v.every((s) => s === null || typeof s === 'string'))
/** A single item stands for the list holding it. */
const listAt =
  (index: number) =>
  (args: readonly unknown[]): unknown[] =>
    args.map((a, i) => (i === index && !Array.isArray(a) ? [a] : a))

const signatures: Readonly<Record<string, Signature>> = {
  'get value': { parameters: ['m', 'key'], checks: [isContext, isString] },
  // context put(context, key, value) and, for a nested path, context put(context, keys, value)
  'context put': {
    parameters: ['context', 'key', 'value', 'keys'],
    checks: [
      isContext,
      (v) => v === undefined || typeof v === 'string' || isKeys(v),
      anything,
      (v) => v === undefined || isKeys(v),
    ],
    normalize: ([context, key, value, keys]) => [context, key ?? keys, value],
    nullIsError: true,
  },
  'context merge': { parameters: ['contexts'], checks: [isContexts], normalize: listAt(0) },
  context: { parameters: ['entries'], checks: [isEntries], nullIsError: true },
  'week of year': { parameters: ['date'], checks: [isDateLike] },
  'day of year': { parameters: ['date'], checks: [isDateLike] },
  number: {
    parameters: ['from', 'grouping separator', 'decimal separator'],
    checks: [isString, optionalSeparator, optionalSeparator],
    nullIsError: true,
  },
  // Under its own name: a `duration` in scope would change how FEEL parses other names.
  [durationName]: { parameters: ['from'], checks: [isString], nullIsError: true },
  'string join': {
    parameters: ['list', 'delimiter'],
    checks: [isStrings, optionalString],
    normalize: listAt(0),
  },
  contains: { parameters: ['string', 'match'], checks: [isString, isString] },
  matches: {
    parameters: ['input', 'pattern', 'flags'],
    checks: [isString, isString, optionalString],
    nullIsError: true,
  },
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  return feelTypeOf(value)
}

/** Calls feelin's own built-in (the scope holds only the arguments, so nothing shadows it). */
function callFeelin(name: string, args: readonly unknown[]): unknown {
  const given = [...args]
  while (given.length > 0 && given.at(-1) === undefined) given.pop()
  const scope: Record<string, unknown> = {}
  const names = given.map((arg, i) => {
    scope[`__arg${i}`] = arg ?? null
    return `__arg${i}`
  })
  return evaluate(`${name}(${names.join(', ')})`, scope).value ?? null
}

/**
 * The typed built-ins as FEEL function values, to put in an evaluation's scope ahead of feelin's.
 * Errors go to `errors`; the call then gives null.
 */
export function typedBuiltins(errors: ArithmeticErrors): Record<string, FeelFunction> {
  const functions: Record<string, FeelFunction> = {}
  for (const [name, signature] of Object.entries(signatures)) {
    functions[name] = new FeelFunction(
      (...args: unknown[]) => {
        for (const [i, check] of signature.checks.entries()) {
          if (!check(args[i])) {
            errors.report(
              `FEEL ${name === durationName ? 'duration' : name}: '${signature.parameters[i] ?? i}' cannot be ${describe(args[i])}`,
            )
            return null
          }
        }
        if (name === 'context put' && (args[1] === undefined) === (args[3] === undefined)) {
          errors.report(`FEEL context put: give either 'key' or 'keys'`)
          return null
        }
        const feelinName = name === durationName ? 'duration' : name
        const result = callFeelin(feelinName, signature.normalize?.(args) ?? args)
        if (result === null && signature.nullIsError === true) {
          errors.report(`FEEL ${feelinName}: cannot convert the arguments given`)
        }
        return result
      },
      [...signature.parameters],
    )
  }
  // `all` and `any` take booleans (or null), as one list or as arguments.
  for (const name of ['all', 'any'] as const) {
    functions[name] = new FeelFunction(
      (...args: unknown[]) => {
        const [first] = args
        if (
          args.length === 0 ||
          (args.length === 1 && !Array.isArray(first) && typeof first !== 'boolean')
        ) {
          errors.report(`FEEL ${name}: expects a list of booleans, got ${describe(first)}`)
          return null
        }
        const list = args.length === 1 && Array.isArray(first) ? (first as unknown[]) : args
        const wrong = list.find((b) => b !== null && typeof b !== 'boolean')
        if (wrong !== undefined) {
          errors.report(`FEEL ${name}: expects booleans, got ${describe(wrong)}`)
          return null
        }
        if (name === 'all') return list.includes(false) ? false : list.includes(null) ? null : true
        return list.includes(true) ? true : list.includes(null) ? null : false
      },
      ['...list'],
    )
  }
  return functions
}
