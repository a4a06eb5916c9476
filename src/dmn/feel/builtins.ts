import type { Decimal } from 'decimal.js'
import { FeelDate, FeelDateTime, FeelDuration, FeelFunction } from 'feelin'
import {
  FeelDecimal,
  negate,
  toDecimal,
  yearsMonthsDuration,
  type ArithmeticErrors,
} from './arithmetic.ts'

/**
 * FEEL's numeric built-in functions as DMN 1.5 defines them (and `years and months duration`):
 * computed in decimal with 34 significant digits, and strict about their arguments. A call the specification
 * does not define (a missing or extra argument, a string for a number, `sqrt(-1)`, `log(0)`, a
 * scale out of range) gives null and reports an error naming the function, where feelin gives a
 * silent null. Parameter names are the specification's, so named invocation works as it says.
 */
type Dec = InstanceType<typeof FeelDecimal>

/** Thrown inside a built-in to make its call null with an error. */
class BuiltinError extends Error {}

function reject(message: string): never {
  throw new BuiltinError(message)
}

function num(value: unknown, fn: string, parameter: string): Dec {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    reject(`${fn}: '${parameter}' must be a number, got ${describe(value)}`)
  }
  return toDecimal(value)
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (Array.isArray(value)) return 'a list'
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return typeof value === 'object' ? String(value) : `${typeof value} ${String(value)}`
}

function scale(value: unknown, fn: string): number {
  const s = num(value, fn, 'scale')
  if (!s.isInteger() || s.lessThan(-6111) || s.greaterThan(6176)) {
    reject(`${fn}: 'scale' must be a whole number from -6111 to 6176, got ${s.toString()}`)
  }
  return s.toNumber()
}

function out(value: Dec): number {
  return value.toNumber()
}

/** Rounds to `places` decimal places (negative: to tens, hundreds...) with a decimal.js mode. */
function roundTo(value: Dec, places: number, mode: Decimal.Rounding): Dec {
  const factor = new FeelDecimal(10).pow(places)
  return value.times(factor).toDecimalPlaces(0, mode).dividedBy(factor)
}

/** The numbers of a list function's arguments: one list, or the numbers themselves (varargs). */
function numbers(args: readonly unknown[], fn: string): Dec[] {
  const [first] = args
  const list = args.length === 1 && Array.isArray(first) ? (first as unknown[]) : args
  if (args.length === 0) reject(`${fn}: expects a list of numbers, got nothing`)
  return list.map((item, i) => {
    if (typeof item !== 'number') {
      reject(`${fn}: item ${i + 1} must be a number, got ${describe(item)}`)
    }
    return toDecimal(item)
  })
}

const D = FeelDecimal

/** The wall-clock date-time of a date (at midnight) or date-time argument. */
function wallClock(value: unknown, parameter: string): FeelDateTime['value'] {
  if (value instanceof FeelDateTime) return value.value
  if (value instanceof FeelDate) return value.value.toPlainDateTime()
  return reject(
    `years and months duration: '${parameter}' must be a date or date and time, got ${describe(value)}`,
  )
}

const definitions: Readonly<Record<string, [readonly string[], (...args: unknown[]) => unknown]>> =
  {
    decimal: [
      ['n', 'scale'],
      (n, s) => out(roundTo(num(n, 'decimal', 'n'), scale(s, 'decimal'), D.ROUND_HALF_EVEN)),
    ],
    floor: [
      ['n', 'scale'],
      (n, s) =>
        out(roundTo(num(n, 'floor', 'n'), s === undefined ? 0 : scale(s, 'floor'), D.ROUND_FLOOR)),
    ],
    ceiling: [
      ['n', 'scale'],
      (n, s) =>
        out(
          roundTo(num(n, 'ceiling', 'n'), s === undefined ? 0 : scale(s, 'ceiling'), D.ROUND_CEIL),
        ),
    ],
    'round up': [
      ['n', 'scale'],
      (n, s) => out(roundTo(num(n, 'round up', 'n'), scale(s, 'round up'), D.ROUND_UP)),
    ],
    'round down': [
      ['n', 'scale'],
      (n, s) => out(roundTo(num(n, 'round down', 'n'), scale(s, 'round down'), D.ROUND_DOWN)),
    ],
    'round half up': [
      ['n', 'scale'],
      (n, s) =>
        out(roundTo(num(n, 'round half up', 'n'), scale(s, 'round half up'), D.ROUND_HALF_UP)),
    ],
    'round half down': [
      ['n', 'scale'],
      (n, s) =>
        out(
          roundTo(num(n, 'round half down', 'n'), scale(s, 'round half down'), D.ROUND_HALF_DOWN),
        ),
    ],
    abs: [
      ['n'],
      (n) => {
        if (n instanceof FeelDuration) {
          const negative = n.value.sign < 0
          return negative ? negate(n, { report: (m) => reject(`abs: ${m}`) }) : n
        }
        return out(num(n, 'abs', 'n').abs())
      },
    ],
    modulo: [
      ['dividend', 'divisor'],
      (a, b) => {
        const dividend = num(a, 'modulo', 'dividend')
        const divisor = num(b, 'modulo', 'divisor')
        if (divisor.isZero()) reject('modulo: division by zero')
        return out(dividend.minus(divisor.times(dividend.dividedBy(divisor).floor())))
      },
    ],
    sqrt: [
      ['number'],
      (n) => {
        const x = num(n, 'sqrt', 'number')
        if (x.isNegative() && !x.isZero()) reject(`sqrt: ${x.toString()} is negative`)
        return out(x.sqrt())
      },
    ],
    log: [
      ['number'],
      (n) => {
        const x = num(n, 'log', 'number')
        if (!x.greaterThan(0)) reject(`log: ${x.toString()} is not positive`)
        return out(x.ln())
      },
    ],
    exp: [['number'], (n) => out(num(n, 'exp', 'number').exp())],
    odd: [
      ['number'],
      (n) => {
        const x = num(n, 'odd', 'number')
        return x.isInteger() ? !x.mod(2).isZero() : false
      },
    ],
    even: [
      ['number'],
      (n) => {
        const x = num(n, 'even', 'number')
        return x.isInteger() ? x.mod(2).isZero() : false
      },
    ],
    product: [
      ['...list'],
      (...args) => {
        const list = numbers(args, 'product')
        if (list.length === 0) reject('product: the list is empty')
        return out(list.reduce((a, b) => a.times(b)))
      },
    ],
    median: [
      ['...list'],
      (...args) => {
        const list = numbers(args, 'median').sort((a, b) => a.comparedTo(b))
        if (list.length === 0) return null
        const middle = Math.floor(list.length / 2)
        const upper = list[middle] as Dec
        if (list.length % 2 === 1) return out(upper)
        return out((list[middle - 1] as Dec).plus(upper).dividedBy(2))
      },
    ],
    mode: [
      ['...list'],
      (...args) => {
        const list = numbers(args, 'mode')
        const counts = new Map<string, { value: Dec; count: number }>()
        for (const value of list) {
          const key = value.toString()
          const entry = counts.get(key)
          if (entry === undefined) counts.set(key, { value, count: 1 })
          else entry.count++
        }
        const most = Math.max(0, ...[...counts.values()].map((e) => e.count))
        return [...counts.values()]
          .filter((e) => e.count === most)
          .map((e) => e.value)
          .sort((a, b) => a.comparedTo(b))
          .map(out)
      },
    ],
    'years and months duration': [
      ['from', 'to'],
      (from, to) => {
        const start = wallClock(from, 'from')
        const end = wallClock(to, 'to')
        // Whole months between the two dates; the times of day do not count.
        let total = (end.year - start.year) * 12 + (end.month - start.month)
        if (total > 0 && end.day < start.day) total--
        else if (total < 0 && end.day > start.day) total++
        return yearsMonthsDuration(total)
      },
    ],
    stddev: [
      ['...list'],
      (...args) => {
        const list = numbers(args, 'stddev')
        if (list.length < 2) reject('stddev: needs at least two numbers')
        const mean = list.reduce((a, b) => a.plus(b)).dividedBy(list.length)
        const squares = list.reduce((sum, x) => sum.plus(x.minus(mean).pow(2)), new D(0))
        return out(squares.dividedBy(list.length - 1).sqrt())
      },
    ],
  }

/**
 * The built-ins as FEEL function values, to put in an evaluation's scope ahead of feelin's own.
 * Errors go to `errors`; the call then gives null.
 */
export function numericBuiltins(errors: ArithmeticErrors): Record<string, FeelFunction> {
  const functions: Record<string, FeelFunction> = {}
  for (const [name, [parameters, implementation]] of Object.entries(definitions)) {
    functions[name] = new FeelFunction(
      (...args: unknown[]) => {
        try {
          return implementation(...args)
        } catch (error) {
          if (!(error instanceof BuiltinError)) throw error
          errors.report(`FEEL ${error.message}`)
          return null
        }
      },
      [...parameters],
    )
  }
  return functions
}
