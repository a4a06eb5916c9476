/**
 * Syntax checks for literal timer values, so a timer that could never be scheduled is rejected at
 * deploy instead of failing when it is reached. Only the syntax Camunda 8 accepts: the scheduler
 * (src/engine) computes due dates from the same text.
 */
import type { TimerDefinition } from './types.ts'

/** Why a timer value does not parse; undefined when it does. */
export type TimerSyntaxError = string | undefined

const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?(?:\[[A-Za-z][\w/+-]*\])?)?$/
const durationPattern =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/

/**
 * Checks an ISO 8601 date-time with offset (`2025-03-01T09:00:00Z`, `...+01:00`, optionally
 * followed by a zone id in brackets) or a plain date (`2025-03-01`).
 *
 * @example
 * checkTimeDate('2025-03-01T09:00:00+01:00') // undefined
 * checkTimeDate('2025-03-01T09:00:00') // 'the date-time has no offset ...'
 */
export function checkTimeDate(text: string): TimerSyntaxError {
  const match = dateTime.exec(text)
  if (!match) {
    return "it is not an ISO 8601 date-time with offset (like '2025-03-01T09:00:00Z') or a date (like '2025-03-01')"
  }
  const [, year, month, day, hour, minute, second, offset] = match
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth) {
    return `${year}-${month}-${day} is not a calendar date`
  }
  if (hour === undefined) return undefined
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) {
    return `${hour}:${minute}${second === undefined ? '' : `:${second}`} is not a time of day`
  }
  if (offset === undefined && !text.endsWith(']')) {
    return "the date-time has no offset, so when it is due depends on the server's time zone; add 'Z' or an offset like '+01:00'"
  }
  return undefined
}

/**
 * Checks an ISO 8601 duration: `P` then years, months, weeks, days, and after `T` hours, minutes,
 * seconds (`PT15M`, `P1DT12H`, `PT0.5S`).
 *
 * @example
 * checkTimeDuration('PT15M') // undefined
 */
export function checkTimeDuration(text: string): TimerSyntaxError {
  const match = durationPattern.exec(text)
  if (!match || match.slice(1).every((part) => part === undefined) || text.endsWith('T')) {
    return "it is not an ISO 8601 duration (like 'PT15M', 'P1D' or 'P1DT12H')"
  }
  return undefined
}

/**
 * Checks a cycle: a repeating interval `R[n]/[start/]duration` (`R5/PT10M`, `R/P1D`,
 * `R3/2025-03-01T09:00:00Z/PT1H`) or a cron expression (Spring style: 6 fields from seconds, or 5
 * from minutes; `?`, `L`, `W`, `#`, names and the `@daily`-style macros allowed).
 *
 * @example
 * checkTimeCycle('R3/PT10M') // undefined
 * checkTimeCycle('0 0 9 * * MON-FRI') // undefined
 */
export function checkTimeCycle(text: string): TimerSyntaxError {
  if (text.startsWith('R')) return checkRepeatingInterval(text)
  return checkCron(text)
}

function checkRepeatingInterval(text: string): TimerSyntaxError {
  const parts = text.split('/')
  const [repeat = '', ...rest] = parts
  if (!/^R\d*$/.test(repeat)) {
    return `'${repeat}' is not a repetition count (write 'R' for unbounded or 'R5' for five times)`
  }
  if (rest.length === 1) {
    const duration = rest[0] ?? ''
    const error = checkTimeDuration(duration)
    return error === undefined ? undefined : `the interval '${duration}' is wrong: ${error}`
  }
  if (rest.length === 2) {
    const [start = '', duration = ''] = rest
    const startError = checkTimeDate(start)
    if (startError !== undefined) return `the start '${start}' is wrong: ${startError}`
    const durationError = checkTimeDuration(duration)
    return durationError === undefined
      ? undefined
      : `the interval '${duration}' is wrong: ${durationError}`
  }
  return "a repeating interval has the form 'R[n]/[start/]duration', like 'R5/PT10M'"
}

const cronMacros = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
])
const monthNames = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
]
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

interface CronField {
  readonly name: string
  readonly min: number
  readonly max: number
  readonly names?: readonly string[]
  /** Day fields: `?`, `L`, `W` and `#` are allowed. */
  readonly day?: 'month' | 'week'
}

const secondsField: CronField = { name: 'seconds', min: 0, max: 59 }
const cronFields: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, day: 'month' },
  { name: 'month', min: 1, max: 12, names: monthNames },
  { name: 'day of week', min: 0, max: 7, names: dayNames, day: 'week' },
]

function checkCron(text: string): TimerSyntaxError {
  if (cronMacros.has(text.toLowerCase())) return undefined
  const values = text.split(/\s+/)
  const fields =
    values.length === 6 ? [secondsField, ...cronFields] : values.length === 5 ? cronFields : []
  if (fields.length === 0) {
    return `it is neither a repeating interval (like 'R5/PT10M') nor a cron expression of 5 or 6 fields (it has ${values.length} field${values.length === 1 ? '' : 's'})`
  }
  for (const [index, field] of fields.entries()) {
    const value = values[index] ?? ''
    const error = checkCronField(value, field)
    if (error !== undefined) return `cron field ${field.name} '${value}' is wrong: ${error}`
  }
  return undefined
}

function checkCronField(value: string, field: CronField): TimerSyntaxError {
  if (value === '?') {
    return field.day === undefined ? "'?' is only allowed in the day fields" : undefined
  }
  for (const item of value.split(',')) {
    const error = checkCronItem(item.toUpperCase(), field)
    if (error !== undefined) return error
  }
  return undefined
}

function checkCronItem(item: string, field: CronField): TimerSyntaxError {
  if (field.day === 'month' && /^(?:L(?:-\d{1,2})?|LW|\d{1,2}W)$/.test(item)) return undefined
  if (field.day === 'week' && /^(?:[0-7]|[A-Z]{3})(?:L|#[1-5])$/.test(item)) {
    return checkCronValue(item.replace(/(?:L|#[1-5])$/, ''), field)
  }
  const [range = '', step, ...extra] = item.split('/')
  if (extra.length > 0) return `'${item}' has more than one '/'`
  if (step !== undefined && !/^\d+$/.test(step)) return `the step '${step}' is not a number`
  if (range === '*') return undefined
  const [from = '', to, ...more] = range.split('-')
  if (more.length > 0) return `'${range}' is not a range`
  const error =
    checkCronValue(from, field) ?? (to === undefined ? undefined : checkCronValue(to, field))
  return error
}

function checkCronValue(value: string, field: CronField): TimerSyntaxError {
  if (field.names?.includes(value) === true) return undefined
  if (!/^\d+$/.test(value))
    return `'${value}' is not a number${field.names === undefined ? '' : ' or a name'}`
  const number = Number(value)
  if (number < field.min || number > field.max) {
    return `${value} is outside ${field.min}-${field.max}`
  }
  return undefined
}

/** The check for a timer kind. */
export function checkTimerLiteral(kind: TimerDefinition['kind'], text: string): TimerSyntaxError {
  switch (kind) {
    case 'date':
      return checkTimeDate(text)
    case 'duration':
      return checkTimeDuration(text)
    case 'cycle':
      return checkTimeCycle(text)
  }
}
