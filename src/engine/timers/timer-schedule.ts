/**
 * Timer schedules with Camunda 8 semantics, computed without reading the clock: the caller passes
 * `now`, so replaying an instance gives the same due times. All calendar arithmetic is in UTC.
 *
 * - date: an ISO 8601 date-time (`2025-03-01T09:00:00Z`, `...+01:00`; no offset means UTC) or a
 *   date (`2025-03-01`, midnight UTC). Due then, at once if that is already past.
 * - duration: an ISO 8601 duration (`PT10M`, `P1DT2H`, `P2W`, `PT0.5S`). Due `now` + duration;
 *   years and months are calendar months (Jan 31 + P1M = Feb 28 or 29).
 * - cycle: an ISO 8601 repeating interval, `R5/PT10S` (5 times, the first after one interval),
 *   `R/P1D` (no limit), `R3/2025-03-01T09:00:00Z/PT1H` (the first at the start), or a cron
 *   expression, Spring style with seconds (`0 0 9 * * MON-FRI`) or classic 5 fields (`0 9 * * 1-5`).
 *
 * @example
 * ```ts
 * const parsed = parseTimer('cycle', 'R3/PT10M')
 * if (parsed.ok) {
 *   const first = firstDue(parsed.schedule, now) // now + 10 minutes
 *   const second = nextDue(parsed.schedule, first, 1) // first + 10 minutes
 * }
 * ```
 */
import { Cron } from 'croner'

export type TimerKind = 'date' | 'duration' | 'cycle'

/**
 * An ISO 8601 duration split into calendar parts: `months` (years count 12) and `days` (weeks
 * count 7) move the calendar date, `milliseconds` (hours, minutes, seconds) is exact.
 */
export type TimerDuration = {
  readonly months: number
  readonly days: number
  readonly milliseconds: number
}

/**
 * A parsed timer, plain JSON so that it can be stored in instance state and subscription payloads.
 * `text` is the timer as written (trimmed), for messages.
 */
export type TimerSchedule =
  | { readonly type: 'date'; readonly text: string; readonly at: number }
  | { readonly type: 'duration'; readonly text: string; readonly duration: TimerDuration }
  | {
      readonly type: 'cycle'
      readonly text: string
      /** How many times it fires in all; null for no limit (`R/...`). */
      readonly repetitions: number | null
      /** When it fires first (ms since the epoch); null for one interval after it opens. */
      readonly start: number | null
      readonly interval: TimerDuration
    }
  | { readonly type: 'cron'; readonly text: string }

export type ParseTimerResult =
  | { readonly ok: true; readonly schedule: TimerSchedule }
  | { readonly ok: false; readonly error: string }

/**
 * Parses a timer's text for its kind (the BPMN `timeDate`, `timeDuration` or `timeCycle`).
 *
 * @example
 * ```ts
 * parseTimer('duration', 'PT5X')
 * // { ok: false, error: "'PT5X' is not an ISO 8601 duration (like PT10M or P1DT2H)" }
 * ```
 */
export function parseTimer(kind: TimerKind, text: string): ParseTimerResult {
  const trimmed = text.trim()
  switch (kind) {
    case 'date': {
      const at = parseDateTime(trimmed)
      return 'error' in at ? fail(at.error) : ok({ type: 'date', text: trimmed, at: at.value })
    }
    case 'duration': {
      const duration = parseDuration(trimmed)
      return 'error' in duration
        ? fail(duration.error)
        : ok({ type: 'duration', text: trimmed, duration: duration.value })
    }
    case 'cycle':
      return /^R/i.test(trimmed) ? parseRepeatingInterval(trimmed) : parseCron(trimmed)
  }
}

/**
 * When a timer opened at `now` fires first; null if it never does (a date beyond what a
 * JavaScript Date can hold).
 *
 * @example
 * ```ts
 * firstDue(schedule, Date.UTC(2025, 0, 31)) // for P1M: Date.UTC(2025, 1, 28)
 * ```
 */
export function firstDue(schedule: TimerSchedule, now: number): number | null {
  switch (schedule.type) {
    case 'date':
      return schedule.at
    case 'duration':
      return finite(addDuration(now, schedule.duration))
    case 'cycle':
      // Camunda: a start that has passed already fires at once.
      if (schedule.start !== null) return Math.max(schedule.start, now)
      return finite(addDuration(now, schedule.interval))
    case 'cron':
      return cronRunAfter(schedule.text, now)
  }
}

/**
 * When a cycle fires next, after it fired at `previousDue` for the `firedCount`-th time (counting
 * that one); null when it has fired all its repetitions, and always for a date or a duration.
 *
 * The next time follows `previousDue`, so that a cycle keeps its rhythm however late each firing
 * is handled. Given `now`, a next time that has passed already (whole intervals were missed, say
 * while the engine was down) is moved to one interval after `now`, as Camunda does, instead of
 * firing the missed ones in a burst.
 *
 * @example
 * ```ts
 * nextDue(parseTimer('cycle', 'R2/PT1H').schedule, due, 1) // due + 1 hour
 * nextDue(parseTimer('cycle', 'R2/PT1H').schedule, due, 2) // null
 * ```
 */
export function nextDue(
  schedule: TimerSchedule,
  previousDue: number,
  firedCount: number,
  now?: number,
): number | null {
  switch (schedule.type) {
    case 'date':
    case 'duration':
      return null
    case 'cycle': {
      if (schedule.repetitions !== null && firedCount >= schedule.repetitions) return null
      const natural = addDuration(previousDue, schedule.interval)
      if (now !== undefined && natural <= now) return finite(addDuration(now, schedule.interval))
      return finite(natural)
    }
    case 'cron':
      return cronRunAfter(
        schedule.text,
        now === undefined ? previousDue : Math.max(previousDue, now),
      )
  }
}

/**
 * How many more times a timer fires after it fired `firedCount` times; `Infinity` for a cycle
 * without a limit and for cron.
 *
 * @example
 * ```ts
 * repetitionsLeft(parseTimer('cycle', 'R5/PT10S').schedule, 2) // 3
 * ```
 */
export function repetitionsLeft(schedule: TimerSchedule, firedCount: number): number {
  switch (schedule.type) {
    case 'date':
    case 'duration':
      return Math.max(0, 1 - firedCount)
    case 'cycle':
      return schedule.repetitions === null
        ? Infinity
        : Math.max(0, schedule.repetitions - firedCount)
    case 'cron':
      return Infinity
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Parsed<T> = { readonly value: T } | { readonly error: string }

function ok(schedule: TimerSchedule): ParseTimerResult {
  return { ok: true, schedule }
}

function fail(error: string): ParseTimerResult {
  return { ok: false, error }
}

const dateExamples = 'like 2025-03-01T09:00:00Z, 2025-03-01T10:00:00+01:00 or 2025-03-01'
const durationExamples = 'like PT10M or P1DT2H'
const cycleExamples = 'like R5/PT10S, R/P1D or R3/2025-03-01T09:00:00Z/PT1H'
const cronExamples = 'like 0 0 9 * * MON-FRI, seconds first, or 0 9 * * 1-5'

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?(?:\[([^\]\s]+)\])?)?$/i

function parseDateTime(text: string): Parsed<number> {
  const match = dateTimePattern.exec(text)
  const wrong = (detail?: string) => ({
    error:
      `'${text}' is not an ISO 8601 date-time (${dateExamples})` +
      (detail === undefined ? '' : `: ${detail}`),
  })
  if (match === null) return wrong()
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offsetHours, offsetMinutes, zone] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  if (month < 1 || month > 12) return wrong(`there is no month ${mo}`)
  if (day < 1 || day > daysInMonth(year, month - 1)) return wrong(`${y}-${mo} has no day ${d}`)
  const hour = Number(h ?? 0)
  const minute = Number(mi ?? 0)
  const second = Number(s ?? 0)
  if (hour > 23 || minute > 59 || second > 59) {
    return wrong(`${h}:${mi}${s === undefined ? '' : `:${s}`} is not a time of day`)
  }
  let offsetMs = 0
  if (sign !== undefined) {
    const oh = Number(offsetHours)
    const om = Number(offsetMinutes ?? 0)
    if (oh > 18 || om > 59) {
      return wrong(`${sign}${offsetHours}:${offsetMinutes ?? '00'} is not a UTC offset`)
    }
    offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000
  }
  // The instant comes from the offset; without one, a zone name would need a time zone database.
  if (zone !== undefined && zulu === undefined && sign === undefined) {
    return wrong(
      `the zone [${zone}] needs an offset before it (like 2025-03-01T10:00:00+01:00[${zone}])`,
    )
  }
  const at =
    utcMidnight(year, month - 1, day) +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    fractionToMilliseconds(fraction) -
    offsetMs
  return { value: at }
}

const durationPattern =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d+))?S)?)?$/i

/** Longer durations are surely mistakes, and would overflow a Date. */
const maxDurationYears = 10_000
const maxDurationMs = maxDurationYears * 366 * 86_400_000

function parseDuration(text: string): Parsed<TimerDuration> {
  const match = durationPattern.exec(text)
  // `P` alone, or a `T` with no time after it, matches the pattern but is no duration.
  if (match === null || match.slice(1).every((part) => part === undefined) || /t$/i.test(text)) {
    if (/^-/.test(text)) {
      return {
        error: `'${text}' is negative: a timer duration is zero or more (${durationExamples})`,
      }
    }
    return { error: `'${text}' is not an ISO 8601 duration (${durationExamples})` }
  }
  const part = (index: number) => Number(match[index] ?? 0)
  const duration: TimerDuration = {
    months: part(1) * 12 + part(2),
    days: part(3) * 7 + part(4),
    milliseconds:
      ((part(5) * 60 + part(6)) * 60 + part(7)) * 1000 + fractionToMilliseconds(match[8]),
  }
  const roughMs =
    duration.months * 31 * 86_400_000 + duration.days * 86_400_000 + duration.milliseconds
  if (!(roughMs <= maxDurationMs)) {
    return {
      error: `'${text}' is too long: a timer duration must be under ${maxDurationYears} years`,
    }
  }
  return { value: duration }
}

function parseRepeatingInterval(text: string): ParseTimerResult {
  const wrong = (detail: string) =>
    fail(`'${text}' is not a valid cycle (${cycleExamples}): ${detail}`)
  const slash = text.indexOf('/')
  if (slash === -1) return wrong('the interval after the / is missing')
  const count = text.slice(1, slash)
  let repetitions: number | null = null
  if (count !== '') {
    if (!/^\d+$/.test(count) || !Number.isSafeInteger(Number(count))) {
      return wrong(`'R${count}' is not a repetition count: write R5 for five times, R for no limit`)
    }
    repetitions = Number(count)
    if (repetitions === 0) return wrong('R0 never fires: write R1 or more, or R for no limit')
  }
  const rest = text.slice(slash + 1)
  // R/<duration>/<end> is ISO 8601 too, but Camunda does not accept it either.
  if (/^P/i.test(rest) && rest.includes('/')) {
    return wrong('an interval with an end (R/<duration>/<end>) is not supported')
  }
  // The last slash: a zone name in brackets (Europe/Berlin) has slashes of its own.
  const last = rest.lastIndexOf('/')
  let start: number | null = null
  if (last !== -1) {
    const parsedStart = parseDateTime(rest.slice(0, last))
    if ('error' in parsedStart) return wrong(parsedStart.error)
    start = parsedStart.value
  }
  const interval = parseDuration(rest.slice(last + 1))
  if ('error' in interval) return wrong(interval.error)
  const { months, days, milliseconds } = interval.value
  if (months === 0 && days === 0 && milliseconds === 0) {
    return wrong('the interval must be longer than zero')
  }
  return ok({ type: 'cycle', text, repetitions, start, interval: interval.value })
}

/**
 * Spring-style cron as Camunda reads it: day of month and day of week must both match (not
 * either, as in Vixie cron), `?` is `*`, and `0/15` steps from 0. Evaluated in UTC.
 */
const cronOptions = {
  utcOffset: 0,
  domAndDow: true,
  mode: '5-or-6-parts',
  sloppyRanges: true,
} as const

/** Any date from which a cron expression that can fire at all fires within croner's horizon. */
const cronProbe = Date.UTC(2000, 0, 1)

function parseCron(text: string): ParseTimerResult {
  let cron: Cron
  try {
    cron = compiledCron(text)
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).replace(
      /^CronPattern: /,
      '',
    )
    return fail(
      `'${text}' is neither an ISO 8601 repeating interval (${cycleExamples}) ` +
        `nor a cron expression (${cronExamples}): ${detail}`,
    )
  }
  // The Gregorian calendar repeats every 400 years, so no run from the probe means never.
  if (cron.nextRun(new Date(cronProbe)) === null) {
    return fail(`'${text}' is a cron expression that never fires: no date matches it`)
  }
  return ok({ type: 'cron', text })
}

/** Parsed cron expressions by text; parsing is the costly part, and expressions are few. */
const cronCache = new Map<string, Cron>()
const cronCacheLimit = 500

function compiledCron(text: string): Cron {
  let cron = cronCache.get(text)
  if (cron === undefined) {
    // Without a function to run, croner only evaluates: it starts no timer.
    cron = new Cron(text, { ...cronOptions })
    if (cronCache.size >= cronCacheLimit) cronCache.clear()
    cronCache.set(text, cron)
  }
  return cron
}

function cronRunAfter(text: string, after: number): number | null {
  const next = compiledCron(text).nextRun(new Date(after))
  return next === null ? null : next.getTime()
}

// ---------------------------------------------------------------------------------------------
// UTC calendar arithmetic

const dayMs = 86_400_000

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

/** Days in a month; `month` is 0-based. */
function daysInMonth(year: number, month: number): number {
  if (month === 1) return isLeapYear(year) ? 29 : 28
  return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31
}

/** Midnight UTC of a date; `month` is 0-based. Date.UTC reads years 0-99 as 1900-1999. */
function utcMidnight(year: number, month: number, day: number): number {
  const time = Date.UTC(year, month, day)
  if (year >= 0 && year < 100) {
    const date = new Date(time)
    date.setUTCFullYear(year)
    return date.getTime()
  }
  return time
}

/** Milliseconds of a decimal fraction of a second, truncated (`5` -> 500, `0425` -> 42). */
function fractionToMilliseconds(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, '0'))
}

/**
 * `from` plus a duration, as java.time adds a Period then a Duration in UTC: the months first,
 * clamping the day to the end of a shorter month, then the days, then the exact time.
 */
function addDuration(from: number, duration: TimerDuration): number {
  const { months, days, milliseconds } = duration
  if (months === 0) return from + days * dayMs + milliseconds
  const date = new Date(from)
  const timeOfDay = from - utcMidnight(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + months
  const year = Math.floor(monthIndex / 12)
  const month = monthIndex - year * 12
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month))
  return utcMidnight(year, month, day) + timeOfDay + days * dayMs + milliseconds
}

function finite(time: number): number | null {
  return Number.isFinite(time) && Math.abs(time) <= 8.64e15 ? time : null
}
