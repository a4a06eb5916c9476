import { Decimal } from 'decimal.js'
import { FeelDate, FeelDateTime, FeelDuration, FeelTime, duration } from 'feelin'

/**
 * FEEL arithmetic for DMN (`+ - * / **` and negation) as DMN 1.5 defines it (table "Specific
 * semantics of addition and subtraction" and its siblings): numbers in decimal with 34
 * significant digits, dates, times and date-times with zones, both duration kinds. A
 * combination the specification does not define, null included, gives null and reports an error.
 */
export const FeelDecimal = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN })
type Dec = InstanceType<typeof FeelDecimal>

/** Collects the errors raised while one expression evaluates. */
export interface ArithmeticErrors {
  report(message: string): void
}

const nanosPerSecond = new FeelDecimal(1_000_000_000)

function dec(value: number | bigint | string): Dec {
  return new FeelDecimal(typeof value === 'bigint' ? value.toString() : value)
}

/** A FEEL number carried as a JS number between operations, computed in decimal within one. */
export function toDecimal(value: number): Dec {
  return dec(String(value))
}

function number(value: Dec): number {
  return value.toNumber()
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value instanceof FeelDate) return 'date'
  if (value instanceof FeelTime) return 'time'
  if (value instanceof FeelDateTime) return 'date and time'
  if (value instanceof FeelDuration)
    return value.yearsMonths ? 'years and months duration' : 'days and time duration'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'object') return 'context'
  return typeof value
}

function isYearsMonths(value: unknown): value is FeelDuration {
  return value instanceof FeelDuration && value.yearsMonths
}

function isDaysTime(value: unknown): value is FeelDuration {
  return value instanceof FeelDuration && !value.yearsMonths
}

/** Total months of a years and months duration. */
function months(value: FeelDuration): number {
  const d = value.value
  return d.years * 12 + d.months
}

/** Total seconds of a days and time duration, exactly. */
function seconds(value: FeelDuration): Dec {
  const d = value.value
  const whole = ((d.days * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds
  const nanos = d.milliseconds * 1_000_000 + d.microseconds * 1000 + d.nanoseconds
  return dec(whole).plus(dec(nanos).dividedBy(nanosPerSecond))
}

/** A years and months duration of `total` months. */
export function yearsMonthsDuration(total: number): FeelDuration | null {
  const sign = total < 0 ? '-' : ''
  const abs = Math.abs(total)
  const result = duration(`${sign}P${Math.floor(abs / 12)}Y${abs % 12}M`)
  return result === null ? null : new FeelDuration(result.value, true)
}

function daysTimeDuration(total: Dec): FeelDuration | null {
  const sign = total.isNegative() && !total.isZero() ? '-' : ''
  const abs = total.abs()
  const whole = abs.floor()
  const fraction = abs.minus(whole)
  const s = whole.toNumber()
  const days = Math.floor(s / 86400)
  const hours = Math.floor((s % 86400) / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const rest = s % 60
  const secs = fraction.isZero() ? String(rest) : dec(rest).plus(fraction).toFixed()
  const result = duration(`${sign}P${days}DT${hours}H${minutes}M${secs}S`)
  return result === null ? null : new FeelDuration(result.value, false)
}

function epochNanos(value: FeelDateTime): bigint {
  return value.value.toZonedDateTime(value.zone ?? 'UTC').epochNanoseconds
}

/** Moves a date-time by a number of seconds: named zones by the exact instant, others by the clock. */
function shiftDateTime(value: FeelDateTime, by: Dec): FeelDateTime {
  const nanos = by.times(nanosPerSecond).round().toFixed()
  const shift = { nanoseconds: 0 }
  if (value.zone !== null && value.zone.includes('/')) {
    const zoned = value.value.toZonedDateTime(value.zone)
    const moved = zoned.add({ ...shift, nanoseconds: Number(nanos) })
    return new FeelDateTime(moved.toPlainDateTime(), value.zone)
  }
  return new FeelDateTime(value.value.add({ nanoseconds: Number(nanos) }), value.zone)
}

function addDuration(temporal: unknown, amount: FeelDuration, sign: 1 | -1): unknown {
  if (temporal instanceof FeelDate) {
    if (amount.yearsMonths) {
      return new FeelDate(temporal.value.add({ months: sign * months(amount) }))
    }
    const midnight = new FeelDateTime(temporal.value.toPlainDateTime(), null)
    const moved = shiftDateTime(midnight, seconds(amount).times(sign))
    return new FeelDate(moved.value.toPlainDate())
  }
  if (temporal instanceof FeelDateTime) {
    if (amount.yearsMonths) {
      return new FeelDateTime(temporal.value.add({ months: sign * months(amount) }), temporal.zone)
    }
    return shiftDateTime(temporal, seconds(amount).times(sign))
  }
  if (temporal instanceof FeelTime && !amount.yearsMonths) {
    const nanos = seconds(amount).times(sign).times(nanosPerSecond).round()
    const day = dec(86400).times(nanosPerSecond)
    const within = nanos.mod(day)
    return new FeelTime(temporal.value.add({ nanoseconds: within.toNumber() }), temporal.zone)
  }
  return undefined
}

function timeOfDayNanos(value: FeelTime): Dec {
  const t = value.value
  const nanos = ((t.hour * 60 + t.minute) * 60 + t.second) * 1e9
  let total = dec(nanos).plus(t.millisecond * 1e6 + t.microsecond * 1000 + t.nanosecond)
  if (value.zone !== null) {
    const offset = value['time offset']
    if (offset !== null) total = total.minus(seconds(offset).times(nanosPerSecond))
  }
  return total
}

function subtractTemporals(a: unknown, b: unknown): FeelDuration | null | undefined {
  if (a instanceof FeelTime && b instanceof FeelTime) {
    if ((a.zone === null) !== (b.zone === null)) return undefined
    return daysTimeDuration(timeOfDayNanos(a).minus(timeOfDayNanos(b)).dividedBy(nanosPerSecond))
  }
  const left = asDateTime(a)
  const right = asDateTime(b)
  if (left === undefined || right === undefined) return undefined
  // A zoned and a local date-time have no defined distance.
  if ((left.zone === null) !== (right.zone === null)) return undefined
  const nanos = dec(epochNanos(left)).minus(dec(epochNanos(right)))
  return daysTimeDuration(nanos.dividedBy(nanosPerSecond))
}

/** A date takes part in date-time arithmetic as midnight UTC. */
function asDateTime(value: unknown): FeelDateTime | undefined {
  if (value instanceof FeelDateTime) return value
  if (value instanceof FeelDate) return new FeelDateTime(value.value.toPlainDateTime(), 'UTC')
  return undefined
}

function isTemporalInstant(value: unknown): boolean {
  return value instanceof FeelDate || value instanceof FeelDateTime || value instanceof FeelTime
}

function fail(errors: ArithmeticErrors, op: string, a: unknown, b: unknown): null {
  errors.report(`FEEL: cannot apply '${op}' to ${typeName(a)} and ${typeName(b)}`)
  return null
}

/** `a op b` for `+ - * / **`; reports an error for operand types FEEL does not combine. */
export function arithmetic(op: string, a: unknown, b: unknown, errors: ArithmeticErrors): unknown {
  if (a === null || a === undefined || b === null || b === undefined) return fail(errors, op, a, b)
  try {
    const result = compute(op, a, b, errors)
    if (result === undefined) return fail(errors, op, a, b)
    return result
  } catch (error) {
    errors.report(
      `FEEL: '${op}' on ${typeName(a)} and ${typeName(b)} failed: ${error instanceof Error ? error.message : String(error)}`,
    )
    return null
  }
}

function compute(op: string, a: unknown, b: unknown, errors: ArithmeticErrors): unknown {
  if (typeof a === 'number' && typeof b === 'number') return numbers(op, a, b, errors)
  switch (op) {
    case '+':
      if (typeof a === 'string' && typeof b === 'string') return a + b
      if (a instanceof FeelDuration && b instanceof FeelDuration) {
        if (a.yearsMonths !== b.yearsMonths) return undefined
        return a.yearsMonths
          ? yearsMonthsDuration(months(a) + months(b))
          : daysTimeDuration(seconds(a).plus(seconds(b)))
      }
      if (b instanceof FeelDuration && isTemporalInstant(a)) return addDuration(a, b, 1)
      if (a instanceof FeelDuration && isTemporalInstant(b)) return addDuration(b, a, 1)
      return undefined
    case '-':
      if (a instanceof FeelDuration && b instanceof FeelDuration) {
        if (a.yearsMonths !== b.yearsMonths) return undefined
        return a.yearsMonths
          ? yearsMonthsDuration(months(a) - months(b))
          : daysTimeDuration(seconds(a).minus(seconds(b)))
      }
      if (b instanceof FeelDuration && isTemporalInstant(a)) return addDuration(a, b, -1)
      if (isTemporalInstant(a) && isTemporalInstant(b)) return subtractTemporals(a, b)
      return undefined
    case '*': {
      const [d, n] = a instanceof FeelDuration ? [a, b] : [b, a]
      if (!(d instanceof FeelDuration) || typeof n !== 'number') return undefined
      return scaleDuration(d, toDecimal(n), false, errors)
    }
    case '/':
      if (a instanceof FeelDuration && typeof b === 'number') {
        if (b === 0) return divisionByZero(errors)
        return scaleDuration(a, toDecimal(b), true, errors)
      }
      if (isYearsMonths(a) && isYearsMonths(b)) {
        if (months(b) === 0) return divisionByZero(errors)
        return number(dec(months(a)).dividedBy(months(b)))
      }
      if (isDaysTime(a) && isDaysTime(b)) {
        const divisor = seconds(b)
        if (divisor.isZero()) return divisionByZero(errors)
        return number(seconds(a).dividedBy(divisor))
      }
      return undefined
    default:
      return undefined
  }
}

function divisionByZero(errors: ArithmeticErrors): null {
  errors.report('FEEL: division by zero')
  return null
}

function scaleDuration(
  d: FeelDuration,
  by: Dec,
  divide: boolean,
  errors: ArithmeticErrors,
): unknown {
  if (divide && by.isZero()) return divisionByZero(errors)
  if (d.yearsMonths) {
    const total = divide ? dec(months(d)).dividedBy(by) : dec(months(d)).times(by)
    return yearsMonthsDuration(total.trunc().toNumber())
  }
  return daysTimeDuration(divide ? seconds(d).dividedBy(by) : seconds(d).times(by))
}

function numbers(op: string, a: number, b: number, errors: ArithmeticErrors): unknown {
  const x = toDecimal(a)
  const y = toDecimal(b)
  switch (op) {
    case '+':
      return number(x.plus(y))
    case '-':
      return number(x.minus(y))
    case '*':
      return number(x.times(y))
    case '/':
      if (y.isZero()) return divisionByZero(errors)
      return number(x.dividedBy(y))
    case '**': {
      if (x.isZero() && y.isNegative()) return divisionByZero(errors)
      const result = x.pow(y)
      if (!result.isFinite()) {
        errors.report(`FEEL: ${a} ** ${b} is not a number`)
        return null
      }
      return number(result)
    }
    default:
      return undefined
  }
}

/** `-a`: numbers and durations; anything else (but null) is an error. */
export function negate(a: unknown, errors: ArithmeticErrors): unknown {
  if (typeof a === 'number') return a === 0 ? 0 : -a
  if (a instanceof FeelDuration) {
    return a.yearsMonths ? yearsMonthsDuration(-months(a)) : daysTimeDuration(seconds(a).negated())
  }
  errors.report(`FEEL: cannot negate ${typeName(a)}`)
  return null
}
