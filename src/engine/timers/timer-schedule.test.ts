// The pure-core rule is for the engine's code; its tests run under node:test.
/* eslint-disable no-restricted-imports */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
/* eslint-enable no-restricted-imports */
import type { JsonValue } from '../types.ts'
import {
  firstDue,
  nextDue,
  parseTimer,
  repetitionsLeft,
  type TimerKind,
  type TimerSchedule,
} from './timer-schedule.ts'

const second = 1000
const minute = 60 * second
const hour = 60 * minute
const day = 24 * hour

/** A fixed "now" for every test: Friday 2025-01-31 08:59:59.500 UTC. */
const now = Date.UTC(2025, 0, 31, 8, 59, 59, 500)

function parse(kind: TimerKind, text: string): TimerSchedule {
  const parsed = parseTimer(kind, text)
  assert.ok(parsed.ok, `${kind} '${text}' parses: ${parsed.ok ? '' : parsed.error}`)
  return parsed.schedule
}

function error(kind: TimerKind, text: string): string {
  const parsed = parseTimer(kind, text)
  assert.ok(!parsed.ok, `${kind} '${text}' is refused`)
  return parsed.error
}

function iso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString()
}

/** Every due time of a schedule opened at `from`, at most `max` of them. */
function dueTimes(schedule: TimerSchedule, from: number, max = 10): string[] {
  const times: string[] = []
  let due = firstDue(schedule, from)
  for (let fired = 1; due !== null && times.length < max; fired++) {
    times.push(new Date(due).toISOString())
    due = nextDue(schedule, due, fired)
  }
  return times
}

describe('engine/timers/timer-schedule', () => {
  describe('date', () => {
    it('reads date-times with Z, with offsets, with fractions and without an offset as UTC', () => {
      const cases: [string, string][] = [
        ['2025-03-01T09:00:00Z', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T10:00:00+01:00', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T03:30:00-05:30', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T10:00:00+0100', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T10:00:00+01', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T09:00:00.25Z', '2025-03-01T09:00:00.250Z'],
        ['2025-03-01T09:00:00,123456789Z', '2025-03-01T09:00:00.123Z'],
        ['2025-03-01t09:00:00z', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T09:00:00', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01T09:00', '2025-03-01T09:00:00.000Z'],
        ['2025-03-01', '2025-03-01T00:00:00.000Z'],
        ['2024-02-29', '2024-02-29T00:00:00.000Z'],
        ['  2025-03-01T09:00:00Z\n', '2025-03-01T09:00:00.000Z'],
        // The offset fixes the instant; the zone name is kept in the text only.
        ['2025-03-01T10:00:00+01:00[Europe/Berlin]', '2025-03-01T09:00:00.000Z'],
      ]
      for (const [text, expected] of cases) {
        assert.equal(iso(firstDue(parse('date', text), now)), expected, text)
      }
    })

    it('is due at its date even when that has passed, and only once', () => {
      const schedule = parse('date', '2020-01-01T00:00:00Z')
      assert.equal(firstDue(schedule, now), Date.UTC(2020, 0, 1))
      assert.equal(nextDue(schedule, Date.UTC(2020, 0, 1), 1), null)
      assert.equal(repetitionsLeft(schedule, 0), 1)
      assert.equal(repetitionsLeft(schedule, 1), 0)
    })

    it('refuses what is not a date-time, saying what was expected and what is wrong', () => {
      assert.equal(
        error('date', 'tomorrow'),
        "'tomorrow' is not an ISO 8601 date-time (like 2025-03-01T09:00:00Z, " +
          '2025-03-01T10:00:00+01:00 or 2025-03-01)',
      )
      const cases: [string, RegExp][] = [
        ['', /^'' is not an ISO 8601 date-time/],
        ['2025-02-29', /2025-02 has no day 29/],
        ['2025-04-31T00:00:00Z', /2025-04 has no day 31/],
        ['2025-13-01', /there is no month 13/],
        ['2025-03-01T24:00:00Z', /24:00:00 is not a time of day/],
        ['2025-03-01T09:60Z', /09:60 is not a time of day/],
        ['2025-03-01T09:00:00+19:00', /\+19:00 is not a UTC offset/],
        ['2025-03-01T09:00:00[Europe/Berlin]', /needs an offset before it/],
        ['2025-03-01 09:00:00Z', /is not an ISO 8601 date-time/],
        ['2025-3-1', /is not an ISO 8601 date-time/],
        ['PT10M', /is not an ISO 8601 date-time/],
      ]
      for (const [text, expected] of cases) assert.match(error('date', text), expected, text)
    })
  })

  describe('duration', () => {
    it('reads every designator, weeks and fractional seconds', () => {
      const cases: [string, number][] = [
        ['PT10M', 10 * minute],
        ['PT1H30M', 90 * minute],
        ['P1DT2H', day + 2 * hour],
        ['P2W', 14 * day],
        ['P1W2D', 9 * day],
        ['PT0.5S', 500],
        ['PT1,25S', 1250],
        ['PT0.0009S', 0],
        ['PT0S', 0],
        ['pt10m', 10 * minute],
        ['PT36H', 36 * hour],
        ['P1DT2H3M4.005S', day + 2 * hour + 3 * minute + 4 * second + 5],
      ]
      for (const [text, duration] of cases) {
        assert.equal(firstDue(parse('duration', text), now), now + duration, text)
      }
    })

    it('adds months and years by the calendar, clamping to the end of a shorter month', () => {
      const cases: [string, string, string][] = [
        ['P1M', '2025-01-31T10:15:30.250Z', '2025-02-28T10:15:30.250Z'],
        ['P1M', '2024-01-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
        ['P1M', '2025-03-31T23:59:59.999Z', '2025-04-30T23:59:59.999Z'],
        ['P1M', '2025-12-15T08:00:00.000Z', '2026-01-15T08:00:00.000Z'],
        ['P2M', '2024-12-31T00:00:00.000Z', '2025-02-28T00:00:00.000Z'],
        ['P13M', '2025-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
        ['P1Y', '2024-02-29T12:00:00.000Z', '2025-02-28T12:00:00.000Z'],
        ['P4Y', '2024-02-29T12:00:00.000Z', '2028-02-29T12:00:00.000Z'],
        ['P1Y1M', '2023-01-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
        // Months first, then days: Jan 31 + 1 month = Feb 28, + 1 day = Mar 1.
        ['P1M1D', '2025-01-31T00:00:00.000Z', '2025-03-01T00:00:00.000Z'],
        ['P1MT1H', '2025-01-31T23:30:00.000Z', '2025-03-01T00:30:00.000Z'],
      ]
      for (const [text, from, expected] of cases) {
        assert.equal(iso(firstDue(parse('duration', text), Date.parse(from))), expected, text)
      }
    })

    it('counts days as 24 hours in UTC, whatever daylight saving time does elsewhere', () => {
      // Europe moves its clocks on 2025-03-30 and 2025-10-26, the US on 2025-03-09.
      for (const from of [
        Date.UTC(2025, 2, 29, 12),
        Date.UTC(2025, 9, 25, 12),
        Date.UTC(2025, 2, 8),
      ]) {
        assert.equal(firstDue(parse('duration', 'P1D'), from), from + day)
        assert.equal(firstDue(parse('duration', 'PT24H'), from), from + day)
      }
    })

    it('is due once', () => {
      const schedule = parse('duration', 'PT10M')
      assert.equal(nextDue(schedule, now + 10 * minute, 1), null)
      assert.equal(repetitionsLeft(schedule, 1), 0)
    })

    it('refuses what is not a duration, saying what was expected', () => {
      assert.equal(
        error('duration', 'PT5X'),
        "'PT5X' is not an ISO 8601 duration (like PT10M or P1DT2H)",
      )
      for (const text of ['', 'P', 'PT', 'P1DT', '10M', 'PT1.5M', 'P1.5D', 'PT10M ago', 'P1H']) {
        assert.match(error('duration', text), /is not an ISO 8601 duration \(like PT10M/, text)
      }
      assert.match(error('duration', '-PT5M'), /'-PT5M' is negative/)
      assert.match(error('duration', 'P20000Y'), /'P20000Y' is too long: .* under 10000 years/)
      assert.match(error('duration', 'PT99999999999999999999S'), /too long/)
    })
  })

  describe('cycle: repeating interval', () => {
    it('fires n times, the first one interval after it opens', () => {
      const schedule = parse('cycle', 'R3/PT10S')
      assert.deepEqual(dueTimes(schedule, now), [
        '2025-01-31T09:00:09.500Z',
        '2025-01-31T09:00:19.500Z',
        '2025-01-31T09:00:29.500Z',
      ])
      assert.equal(repetitionsLeft(schedule, 0), 3)
      assert.equal(repetitionsLeft(schedule, 2), 1)
      assert.equal(repetitionsLeft(schedule, 3), 0)
    })

    it('repeats without end for R/', () => {
      const schedule = parse('cycle', 'R/P1D')
      assert.equal(dueTimes(schedule, now, 100).length, 100)
      assert.equal(nextDue(schedule, now, 1_000_000), now + day)
      assert.equal(repetitionsLeft(schedule, 1_000_000), Infinity)
    })

    it('fires first at its start date, then every interval', () => {
      const schedule = parse('cycle', 'R3/2025-03-01T09:00:00Z/PT1H')
      assert.deepEqual(dueTimes(schedule, now), [
        '2025-03-01T09:00:00.000Z',
        '2025-03-01T10:00:00.000Z',
        '2025-03-01T11:00:00.000Z',
      ])
      const berlin = parse('cycle', 'R2/2025-03-01T10:00:00+01:00[Europe/Berlin]/PT30M')
      assert.deepEqual(dueTimes(berlin, now), [
        '2025-03-01T09:00:00.000Z',
        '2025-03-01T09:30:00.000Z',
      ])
    })

    it('fires at once when its start has passed', () => {
      const schedule = parse('cycle', 'R/2020-01-01T00:00:00Z/P1D')
      assert.equal(firstDue(schedule, now), now)
    })

    it('steps months from the previous due time, as java.time does', () => {
      const schedule = parse('cycle', 'R4/2025-01-31T00:00:00Z/P1M')
      assert.deepEqual(dueTimes(schedule, Date.UTC(2025, 0, 1)), [
        '2025-01-31T00:00:00.000Z',
        '2025-02-28T00:00:00.000Z',
        '2025-03-28T00:00:00.000Z',
        '2025-04-28T00:00:00.000Z',
      ])
    })

    it('given now, moves a next time that has passed to one interval after now', () => {
      const schedule = parse('cycle', 'R/PT1H')
      const due = Date.UTC(2025, 0, 1, 0)
      assert.equal(nextDue(schedule, due, 1, due + 30 * minute), due + hour, 'on time')
      assert.equal(nextDue(schedule, due, 1, due + hour - 1), due + hour, 'just in time')
      assert.equal(nextDue(schedule, due, 1, due + hour), due + 2 * hour, 'missed by nothing')
      assert.equal(nextDue(schedule, due, 1, due + 5.5 * hour), due + 6.5 * hour, 'engine was down')
      assert.equal(nextDue(parse('cycle', 'R2/PT1H'), due, 2, due + 5 * hour), null)
    })

    it('refuses a malformed cycle, naming the part that is wrong', () => {
      const cases: [string, RegExp][] = [
        ['R5/PT5X', /'PT5X' is not an ISO 8601 duration \(like PT10M or P1DT2H\)/],
        ['R5', /the interval after the \/ is missing/],
        ['Rx/PT1S', /'Rx' is not a repetition count/],
        ['R-1/PT1S', /'R-1' is not a repetition count/],
        ['R0/PT1S', /R0 never fires/],
        ['R/PT0S', /must be longer than zero/],
        ['R/PT1H/2025-03-01T00:00:00Z', /with an end .* is not supported/],
        ['R3/2025-13-01T00:00:00Z/PT1H', /there is no month 13/],
        ['R3/tomorrow/PT1H', /'tomorrow' is not an ISO 8601 date-time/],
        ['R3//PT1H', /'' is not an ISO 8601 date-time/],
      ]
      for (const [text, expected] of cases) {
        const message = error('cycle', text)
        assert.match(message, expected, text)
        assert.ok(message.startsWith(`'${text}' is not a valid cycle (like R5/PT10S`), message)
      }
    })
  })

  describe('cycle: cron', () => {
    it('reads Spring-style 6 fields with seconds, and classic 5 fields', () => {
      const weekdaysAtNine = [
        '2025-01-31T09:00:00.000Z',
        '2025-02-03T09:00:00.000Z',
        '2025-02-04T09:00:00.000Z',
        '2025-02-05T09:00:00.000Z',
      ]
      assert.deepEqual(dueTimes(parse('cycle', '0 0 9 * * MON-FRI'), now, 4), weekdaysAtNine)
      assert.deepEqual(dueTimes(parse('cycle', '0 0 9 ? * mon-fri'), now, 4), weekdaysAtNine)
      assert.deepEqual(dueTimes(parse('cycle', '0 9 * * 1-5'), now, 4), weekdaysAtNine)
    })

    it('computes run sequences for steps, lists, last days, nth weekdays and macros', () => {
      const cases: [string, string[]][] = [
        ['*/20 * * * * *', ['09:00:00', '09:00:20', '09:00:40', '09:01:00']],
        ['0 0/15 * * * ?', ['09:00:00', '09:15:00', '09:30:00', '09:45:00']],
        ['30 5,35 * * * *', ['09:05:30', '09:35:30', '10:05:30', '10:35:30']],
      ]
      for (const [text, times] of cases) {
        assert.deepEqual(
          dueTimes(parse('cycle', text), now, 4),
          times.map((time) => `2025-01-31T${time}.000Z`),
          text,
        )
      }
      const dates: [string, string[]][] = [
        ['0 0 0 L * ?', ['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30']],
        ['0 0 0 ? * FRI#2', ['2025-02-14', '2025-03-14', '2025-04-11', '2025-05-09']],
        ['0 0 0 29 2 ?', ['2028-02-29', '2032-02-29', '2036-02-29', '2040-02-29']],
        ['@daily', ['2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04']],
        ['@monthly', ['2025-02-01', '2025-03-01', '2025-04-01', '2025-05-01']],
        ['0 0 0 * * SUN', ['2025-02-02', '2025-02-09', '2025-02-16', '2025-02-23']],
        ['0 0 0 * * 7', ['2025-02-02', '2025-02-09', '2025-02-16', '2025-02-23']],
      ]
      for (const [text, days] of dates) {
        const from = text.includes(' L ') ? Date.UTC(2025, 0, 30) : now
        assert.deepEqual(
          dueTimes(parse('cycle', text), from, 4),
          days.map((date) => `${date}T00:00:00.000Z`),
          text,
        )
      }
    })

    it('needs both day of month and day of week to match, as Spring and Camunda do', () => {
      assert.deepEqual(dueTimes(parse('cycle', '0 0 0 13 * FRI'), now, 3), [
        '2025-06-13T00:00:00.000Z',
        '2026-02-13T00:00:00.000Z',
        '2026-03-13T00:00:00.000Z',
      ])
    })

    it('fires strictly after now, and after the previous run', () => {
      const schedule = parse('cycle', '0 0 9 * * *')
      const nine = Date.UTC(2025, 0, 31, 9)
      assert.equal(firstDue(schedule, nine), nine + day)
      assert.equal(firstDue(schedule, nine - 1), nine)
      assert.equal(nextDue(schedule, nine, 1), nine + day)
      assert.equal(nextDue(schedule, nine, 1_000_000), nine + day)
      assert.equal(repetitionsLeft(schedule, 1_000_000), Infinity)
    })

    it('given now, skips the runs that were missed', () => {
      const schedule = parse('cycle', '0 0 * * * *')
      const due = Date.UTC(2025, 0, 1, 0)
      assert.equal(nextDue(schedule, due, 1, due + 10 * minute), due + hour)
      assert.equal(nextDue(schedule, due, 1, due + 5.5 * hour), due + 6 * hour)
    })

    it('refuses what is neither a repeating interval nor a cron expression', () => {
      assert.match(
        error('cycle', 'every day'),
        /^'every day' is neither an ISO 8601 repeating interval \(like R5\/PT10S, R\/P1D or R3\/2025-03-01T09:00:00Z\/PT1H\) nor a cron expression \(like 0 0 9 \* \* MON-FRI, seconds first, or 0 9 \* \* 1-5\): /,
      )
      const cases: [string, RegExp][] = [
        ['0 0 25 * * *', /nor a cron expression .*: Invalid value for hour: 25/],
        ['0 0 9 * * MONX', /nor a cron expression/],
        ['0 0 9 * * MON 2030', /requires exactly 5 or 6 parts/],
        ['* * * *', /nor a cron expression/],
        ['', /nor a cron expression/],
        ['PT10M', /nor a cron expression/],
        ['0 0 0 30 2 ?', /^'0 0 0 30 2 \?' is a cron expression that never fires/],
      ]
      for (const [text, expected] of cases) assert.match(error('cycle', text), expected, text)
    })
  })

  describe('schedules as data', () => {
    it('survive a JSON round trip and give the same due times', () => {
      const schedules: [TimerKind, string][] = [
        ['date', '2025-03-01T10:00:00+01:00'],
        ['duration', 'P1M2DT3.5S'],
        ['cycle', 'R3/2025-03-01T09:00:00Z/PT1H'],
        ['cycle', 'R/PT10S'],
        ['cycle', '0 0 9 * * MON-FRI'],
      ]
      for (const [kind, text] of schedules) {
        const schedule = parse(kind, text)
        const stored: JsonValue = schedule
        const restored = JSON.parse(JSON.stringify(stored)) as TimerSchedule
        assert.deepEqual(restored, schedule)
        assert.equal(restored.text, text)
        assert.equal(firstDue(restored, now), firstDue(schedule, now))
        const first = firstDue(schedule, now) ?? 0
        assert.equal(nextDue(restored, first, 1), nextDue(schedule, first, 1))
      }
    })

    it('describe a duration by its calendar parts', () => {
      assert.deepEqual(parse('duration', 'P1Y2M3W4DT5H6M7.8S'), {
        type: 'duration',
        text: 'P1Y2M3W4DT5H6M7.8S',
        duration: { months: 14, days: 25, milliseconds: ((5 * 60 + 6) * 60 + 7) * 1000 + 800 },
      })
    })
  })
})
