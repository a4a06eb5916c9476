import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { feelEvaluate } from './feel.ts'

function value(text: string, scope: Record<string, unknown> = {}): unknown {
  const outcome = feelEvaluate(text, scope)
  assert.equal(outcome.error, undefined, `${text}: ${outcome.error}`)
  return outcome.value
}

function fails(text: string, pattern: RegExp): void {
  const outcome = feelEvaluate(text, {})
  assert.equal(outcome.value, null, `${text} should give null`)
  assert.match(outcome.error ?? '(no error)', pattern, text)
}

describe('dmn/feel/builtins', () => {
  it('rounds and computes numeric functions in decimal', () => {
    assert.equal(value('decimal(1/3, 2)'), 0.33)
    assert.equal(value('decimal(2.5, 0)'), 2)
    assert.equal(value('round half up(-2.5, 0)'), -3)
    assert.equal(value('round half down(2.5, 0)'), 2)
    assert.equal(value('round up(1.121, 2)'), 1.13)
    assert.equal(value('ceiling(-1.56, 1)'), -1.5)
    assert.equal(value('floor(1.5)'), 1)
    assert.equal(value('modulo(-10.1, 4.5)'), 3.4)
    assert.equal(value('log(4)'), 1.3862943611198906)
    assert.equal(value('stddev(2, 4, 7, 5)'), 2.0816659994661326)
    assert.equal(value('product(list: [2.5, 1, 2.5, 3])'), 18.75)
    assert.deepEqual(value('mode([3, 6, 1, 9, 6, 1, 3])'), [1, 3, 6])
    assert.equal(value('median([6, 1, 2, 3])'), 2.5)
    assert.equal(value('odd(number: -1)'), true)
    assert.equal(String(value('abs(duration("-P1Y"))')), 'P1Y')
  })

  it('reports calls outside the parameter types as errors, naming the function', () => {
    fails('sqrt(-1)', /sqrt: -1 is negative/)
    fails('log(0)', /log: 0 is not positive/)
    fails('modulo(10, 0)', /modulo: division by zero/)
    fails('round up(5.5, 1.1)', /'scale' must be a whole number/)
    fails('round up(1234.12)', /'scale' must be a number, got nothing/)
    fails('odd("4")', /odd: 'number' must be a number, got the string "4"/)
    fails('product([])', /product: the list is empty/)
    fails('stddev([47])', /at least two/)
    fails('get value("foo", "foo")', /get value: 'm' cannot be "foo"/)
    fails('day of year("foo")', /day of year: 'date' cannot be "foo"/)
    fails('all([true, 123])', /all: expects booleans, got number/)
    fails('number("1,000.01", " ", ".")', /number: cannot convert/)
    fails('duration("P1X")', /duration: cannot convert/)
    fails('contains(null, "a")', /contains: 'string' cannot be null/)
  })

  it('hands well-typed calls to the rest of the library', () => {
    assert.deepEqual(value('context put({a: 1}, "b", 2)'), { a: 1, b: 2 })
    assert.deepEqual(value('context put({x: {a: 0}}, ["x", "a"], 2)'), { x: { a: 2 } })
    assert.equal(value('string join(["a", null, "c"], "-")'), 'a-c')
    assert.equal(value('all([true, null])'), null)
    assert.equal(value('any(false, true)'), true)
    assert.equal(String(value('duration("P1DT2H")')), 'P1DT2H')
    assert.equal(
      String(value('years and months duration(date("2011-12-22"), date("2013-08-24"))')),
      'P1Y8M',
    )
  })
})
