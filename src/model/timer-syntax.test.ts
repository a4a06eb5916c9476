import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkTimeCycle, checkTimeDate, checkTimeDuration } from './timer-syntax.ts'

void describe('model/timer-syntax', () => {
  void it('accepts ISO 8601 date-times with offset or zone, and dates', () => {
    for (const text of [
      '2025-03-01T09:00:00Z',
      '2025-03-01T09:00:00.250+01:00',
      '2025-03-01T09:00-0530',
      '2019-10-02T08:09:40+02:00[Europe/Berlin]',
      '2024-02-29',
    ]) {
      assert.equal(checkTimeDate(text), undefined, text)
    }
  })

  void it('rejects date-times without offset, impossible dates and junk', () => {
    assert.match(checkTimeDate('2016-06-01T14:37:44') ?? '', /no offset/)
    assert.match(checkTimeDate('2025-02-29') ?? '', /not a calendar date/)
    assert.match(checkTimeDate('2025-03-01T25:00:00Z') ?? '', /not a time of day/)
    assert.match(checkTimeDate('INVALID') ?? '', /ISO 8601/)
  })

  void it('accepts ISO 8601 durations and rejects malformed ones', () => {
    for (const text of ['PT15M', 'P1D', 'P1DT12H', 'PT0.5S', 'P2W', 'P1Y2M3DT4H5M6S']) {
      assert.equal(checkTimeDuration(text), undefined, text)
    }
    for (const text of ['P', 'PT', 'P1DT', '15M', 'PT-1S', 'P1H', '1 hour']) {
      assert.match(checkTimeDuration(text) ?? '', /ISO 8601 duration/, text)
    }
  })

  void it('accepts repeating intervals with and without start', () => {
    for (const text of ['R5/PT10M', 'R/P1D', 'R3/2025-03-01T09:00:00Z/PT1H']) {
      assert.equal(checkTimeCycle(text), undefined, text)
    }
    assert.match(checkTimeCycle('Rx/PT1M') ?? '', /repetition count/)
    assert.match(checkTimeCycle('R3/PT') ?? '', /interval 'PT'/)
    assert.match(checkTimeCycle('R3/2025-03-01/PT1H/x') ?? '', /R\[n\]\/\[start\/\]duration/)
  })

  void it('accepts Spring-style cron expressions of 5 or 6 fields', () => {
    for (const text of [
      '0 0 9 * * MON-FRI',
      '0 */15 * * * ?',
      '0 0 12 ? * SUN',
      '*/5 * * * *',
      '0 0 0 L * ?',
      '0 0 0 ? * 5#2',
      '0 0 8-18/2 1,15 JAN-JUN *',
      '@daily',
    ]) {
      assert.equal(checkTimeCycle(text), undefined, text)
    }
  })

  void it('says which cron field is wrong', () => {
    assert.match(checkTimeCycle('0 61 * * * *') ?? '', /minutes '61'.*outside 0-59/)
    assert.match(checkTimeCycle('0 0 ? * * *') ?? '', /hours '\?'/)
    assert.match(checkTimeCycle('0 0 9 * FOO *') ?? '', /month 'FOO'/)
    assert.match(checkTimeCycle('every day') ?? '', /2 fields/)
  })
})
