import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { feelEvaluate, feelUnaryTest } from './feel.ts'

function value(text: string, scope: Record<string, unknown> = {}): unknown {
  const outcome = feelEvaluate(text, scope)
  assert.equal(outcome.error, undefined, `${text}: ${outcome.error}`)
  return outcome.value
}

function text(expression: string, scope: Record<string, unknown> = {}): string {
  return String(value(expression, scope))
}

function fails(expression: string, scope: Record<string, unknown> = {}): string {
  const outcome = feelEvaluate(expression, scope)
  assert.equal(outcome.value, null, `${expression} should give null`)
  assert.ok(outcome.error !== undefined, `${expression} should report an error`)
  return outcome.error
}

describe('dmn/feel/arithmetic', () => {
  it('adds and divides numbers in decimal, not in binary floating point', () => {
    assert.equal(value('0.1 + 0.2'), 0.3)
    assert.equal(value('1.2345 + 2.234'), 3.4685)
    assert.equal(value('10 ** -5'), 0.00001)
    assert.equal(value('a - b', { a: 3.7, b: 2.3421 }), 1.3579)
  })

  it('keeps operator precedence and negation when it rewrites the expression', () => {
    assert.equal(value('-2 ** 2 + 3 * (4 - 1)'), 13)
    assert.equal(value('x.y * 2 - -1', { x: { y: 5 } }), 11)
    assert.equal(value('Monthly Salary * 12', { 'Monthly Salary': 1000 }), 12000)
    assert.deepEqual(value('[1, 2, 3][item > 1 + 0]'), [2, 3])
    assert.equal(value('[10, 20, 30][1 + 1]'), 20)
  })

  it('multiplies and divides both duration kinds by numbers', () => {
    assert.equal(text('duration("PT1H") * 26'), 'P1DT2H')
    assert.equal(text('1.5 * duration("P4DT1H")'), 'P6DT1H30M')
    assert.equal(text('duration("P1M") * 26'), 'P2Y2M')
    assert.equal(text('duration("P4Y4M") / 2'), 'P2Y2M')
    assert.equal(value('duration("P2Y") / duration("P1Y")'), 2)
    assert.equal(value('duration("P2D") / duration("P1D")'), 2)
  })

  it('adds durations to dates, times and date-times and subtracts them', () => {
    assert.equal(text('date("2021-01-01") + duration("P1DT1H")'), '2021-01-02')
    assert.equal(text('date("2021-01-31") + duration("P1M")'), '2021-02-28')
    assert.equal(text('time("23:00:00") + duration("PT2H")'), '01:00:00')
    assert.equal(
      text('date and time("2021-01-01T23:59:59") + duration("PT2S")'),
      '2021-01-02T00:00:01',
    )
    assert.equal(text('date("2021-01-03") - date("2021-01-01")'), 'P2D')
    assert.equal(text('-duration("P1Y")'), '-P1Y')
    assert.equal(text('time("10:00:00") - time("08:30:00")'), 'PT1H30M')
  })

  it('reports an error for operand types FEEL does not combine, and for null operands', () => {
    assert.match(fails('"a" * 2'), /cannot apply '\*' to string and number/)
    assert.match(fails('date("2021-01-01") + date("2021-01-02")'), /date and date/)
    assert.match(fails('time("10:00:00") + duration("P1Y")'), /years and months duration/)
    assert.match(fails('duration("P1Y") + duration("P1D")'), /cannot apply/)
    assert.match(fails('x + 1', { x: null }), /null and number/)
    assert.match(fails('1 / 0'), /division by zero/)
    assert.match(fails('-"a"'), /cannot negate string/)
  })

  it('evaluates arithmetic inside unary tests', () => {
    assert.equal(feelUnaryTest('< 10 + 2', 11, {}).value, true)
    assert.equal(feelUnaryTest('[1..a - 1]', 5, { a: 5 }).value, false)
  })
})
