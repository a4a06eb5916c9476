import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileExpression } from './compile.ts'
import type { EvaluateOptions } from './types.ts'

function run(
  source: string,
  variables: Record<string, unknown> = {},
  options: EvaluateOptions = {},
): unknown {
  const compiled = compileExpression(source)
  if (!compiled.ok) assert.fail(`expected ${source} to compile: ${compiled.error}`)
  const result = compiled.expression.evaluate(variables, options)
  if (!result.ok) assert.fail(`expected ${source} to evaluate: ${result.error}`)
  return result.value
}

// The built-ins Camunda 8 users rely on, each with what it must give. Those feelin lacks come
// from ./functions.ts; the rest are feelin's own.
const cases: ReadonlyArray<readonly [string, unknown, Record<string, unknown>?]> = [
  ['is defined(x)', true, { x: 1 }],
  ['is defined(x)', false, {}],
  ['is defined(x)', false, { x: null }],
  ['is defined(x.y)', false, { x: {} }],
  ['get or else(x, "default")', 'value', { x: 'value' }],
  ['get or else(x, "default")', 'default', {}],
  ['get or else(null, null)', null],
  ['string join(["a", "b", "c"], ", ")', 'a, b, c'],
  ['string join(["a", "b"])', 'ab'],
  ['string join(["a", null, "c"], "-")', 'a-c'],
  ['string join(["a", "b", "c"], ", ", "[", "]")', '[a, b, c]'],
  ['string join([], ", ", "[", "]")', '[]'],
  ['string join([1], ", ")', null],
  ['trim("  padded \\t")', 'padded'],
  ['trim(1)', null],
  ['upper case("abc")', 'ABC'],
  ['lower case("ABC")', 'abc'],
  ['contains("foobar", "ob")', true],
  ['starts with("foobar", "foo")', true],
  ['ends with("foobar", "bar")', true],
  ['substring("foobar", 3)', 'obar'],
  ['substring("foobar", -2, 1)', 'a'],
  ['split("a,b,c", ",")', ['a', 'b', 'c']],
  ['matches("foobar", "^fo*b")', true],
  ['replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', '[1=ab][2=]cd'],
  [
    'to json({a: 1, b: [true, null], d: date("2024-01-01")})',
    '{"a":1,"b":[true,null],"d":"2024-01-01"}',
  ],
  ['to json("x")', '"x"'],
  ['to json(null)', 'null'],
  ['from json("{\\"a\\": [1, 2]}")', { a: [1, 2] }],
  ['from json("not json")', null],
  ['from json(1)', null],
  ['sum([1, 2, 3])', 6],
  ['sum(1, 2, 3)', 6],
  ['count([1, 2, 3])', 3],
  ['min([3, 1, 2])', 1],
  ['max(3, 1, 2)', 3],
  ['append([1], 2, 3)', [1, 2, 3]],
  ['distinct values([1, 2, 1, 3, 2])', [1, 2, 3]],
  ['list contains([1, 2], 2)', true],
  ['list contains([1, 2], 5)', false],
  ['context put({a: 1}, "b", 2)', { a: 1, b: 2 }],
  ['context put({a: {b: 1}}, ["a", "c"], 2)', { a: { b: 1, c: 2 } }],
  ['get value({a: 1}, "a")', 1],
  ['get value({a: 1}, "z")', null],
  ['is empty([])', true],
  ['is empty([1])', false],
  ['is empty("x")', null],
  ['round up(5.5, 0)', 6],
  ['round up(-5.5, 0)', -6],
  ['round down(5.5, 0)', 5],
  ['round half up(5.45, 1)', 5.5],
  ['round half up(-5.5, 0)', -6],
  ['abs(-10)', 10],
  ['floor(1.5)', 1],
  ['floor(-1.5)', -2],
  ['ceiling(1.5)', 2],
  ['string(1.5)', '1.5'],
  ['string(date("2024-01-01"))', '2024-01-01'],
  ['number("1500.5")', 1500.5],
  ['number("1.500,5", ".", ",")', 1500.5],
  ['number("abc")', null],
  ['date("2024-01-01") + duration("P1D")', '2024-01-02'],
  ['date("2024-01-01") - duration("P1M")', '2023-12-01'],
  ['date("2024-01-01") < date("2024-01-02")', true],
  ['date("2024-03-01") - date("2024-02-01")', 'P29D'],
  ['date and time("2024-01-01T10:00:00Z")', '2024-01-01T10:00:00Z'],
  ['date and time("2024-01-01T10:00:00Z") + duration("PT1H")', '2024-01-01T11:00:00Z'],
  ['date and time("2024-01-01T10:00:00Z") > date and time("2024-01-01T09:00:00Z")', true],
  ['date and time(date("2024-01-01"), time("10:30:00"))', '2024-01-01T10:30:00'],
  ['date and time("nonsense")', null],
  ['duration("P2DT3H")', 'P2DT3H'],
  ['duration("PT1H") < duration("PT2H")', true],
  ['duration("P1D") + duration("PT12H")', 'P1DT12H'],
  ['years and months duration(date("2020-01-15"), date("2021-03-14"))', 'P1Y1M'],
  ['years and months duration(date("2021-03-14"), date("2020-01-15"))', '-P1Y1M'],
  ['years and months duration(date("2020-01-01"), date("2020-01-31"))', 'P0M'],
  ['years and months duration(date("2020-01-01"), date("2021-03-01")) = duration("P14M")', true],
  ['years and months duration("x", date("2020-01-01"))', null],
]

void describe('feel/functions', () => {
  for (const [source, expected, variables] of cases) {
    void it(`${source} gives ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(run(source, variables), expected)
    })
  }

  void it('uuid() gives a fresh random UUID each time', () => {
    const first = run('uuid()')
    assert.match(
      String(first),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    assert.notEqual(run('uuid()'), first)
  })

  void it('now() and today() follow the clock of the evaluation, in UTC', () => {
    const options = { now: () => new Date('2024-12-31T23:59:30.000Z') }
    assert.equal(run('now()', {}, options), '2024-12-31T23:59:30Z')
    assert.equal(run('now() + duration("PT1M")', {}, options), '2025-01-01T00:00:30Z')
    assert.equal(run('today()', {}, options), '2024-12-31')
    assert.equal(run('today() = date("2024-12-31")', {}, options), true)
  })

  void it('restores the system clock after an evaluation with a fake clock', () => {
    run('now()', {}, { now: () => new Date('2000-01-01T00:00:00Z') })
    assert.notEqual(String(run('today()')), '2000-01-01')
  })

  void it('lets a variable shadow a Camunda function, as variables shadow feelin built-ins', () => {
    assert.equal(run('trim', { trim: 'a variable' }), 'a variable')
    assert.equal(run('trim(" x ")'), 'x')
  })
})
