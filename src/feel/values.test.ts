import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluate } from 'feelin'
import { toJsonValue } from './values.ts'

const feel = (source: string): unknown => evaluate(source).value

void describe('feel/values', () => {
  void it('keeps JSON values as they are', () => {
    const value = { a: 1, b: 'x', c: [true, null, { d: 2.5 }] }
    assert.deepEqual(toJsonValue(value), value)
  })

  void it('turns temporal values into their ISO-8601 text', () => {
    assert.equal(toJsonValue(feel('date("2024-01-01")')), '2024-01-01')
    assert.equal(toJsonValue(feel('time("10:30:00")')), '10:30:00')
    assert.equal(toJsonValue(feel('date and time("2024-01-01T10:30:00Z")')), '2024-01-01T10:30:00Z')
    assert.equal(
      toJsonValue(feel('date and time("2024-01-01T10:30:00@Europe/Berlin")')),
      '2024-01-01T10:30:00@Europe/Berlin',
    )
    assert.equal(toJsonValue(feel('duration("P1DT2H")')), 'P1DT2H')
    assert.equal(toJsonValue(feel('duration("P1Y2M")')), 'P1Y2M')
  })

  void it('converts lists and contexts deeply', () => {
    assert.deepEqual(toJsonValue(feel('{when: [date("2024-01-01")], ok: true}')), {
      when: ['2024-01-01'],
      ok: true,
    })
  })

  void it('turns what JSON cannot hold into null', () => {
    assert.equal(toJsonValue(feel('function(x) x')), null)
    assert.equal(toJsonValue(feel('[1..3]')), null)
    assert.equal(toJsonValue(undefined), null)
    assert.equal(toJsonValue(Number.NaN), null)
    assert.equal(toJsonValue(Number.POSITIVE_INFINITY), null)
    assert.equal(
      toJsonValue(() => 1),
      null,
    )
    assert.equal(toJsonValue(new Map()), null)
  })
})
