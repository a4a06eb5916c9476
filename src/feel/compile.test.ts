import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluate } from 'feelin'
import { compileExpression } from './compile.ts'
import type { CompiledExpression, FeelResult } from './types.ts'
import { toJsonValue } from './values.ts'

function compile(source: string): CompiledExpression {
  const result = compileExpression(source)
  if (!result.ok) assert.fail(`expected ${source} to compile: ${result.error}`)
  return result.expression
}

function valueOf(result: FeelResult): unknown {
  if (!result.ok) assert.fail(`expected a value, got the error: ${result.error}`)
  return result.value
}

const variables = {
  amount: 2000,
  small: 5,
  price: 7,
  name: 'Ada Lovelace',
  flag: true,
  nothing: null,
  tags: ['a', 'b', 'c'],
  numbers: [3, 1, 4, 1, 5, 9, 2, 6],
  customer: { tier: 'gold', address: { city: 'Berlin' }, orders: 3 },
  items: [
    { sku: 'x', price: 10, qty: 2 },
    { sku: 'y', price: 25, qty: 1 },
    { sku: 'z', price: 3, qty: 10 },
  ],
  'order total': 120,
  count: 42,
  start: '2024-01-01',
  nested: { list: [{ v: 1 }, { v: 2 }] },
}

// Each of these goes through the compiled fast path and through feelin's evaluate(): the values
// and the warnings must be the same.
const parityCases = [
  'amount > 1000 and customer.tier = "gold"',
  'amount > 1000 or missing',
  'missing and false',
  'not(flag)',
  'amount',
  'missing',
  'missing.deep.path',
  'customer.address.city',
  'customer.unknown',
  'customer.address.city = "Berlin"',
  'nothing = null',
  'nothing != null',
  'amount = "2000"',
  'amount < "2000"',
  '1 + 2 * 3 - 4 / 2',
  '2 ** 10',
  '-amount',
  '"a" + "b"',
  '"a" + 1',
  '1 / 0',
  'amount + missing',
  'name + " (" + customer.tier + ")"',
  'if amount > 100 then "big" else "small"',
  'if missing then 1 else 2',
  '[1, 2, 3]',
  '[1, amount, name]',
  'tags[1]',
  'tags[-1]',
  'tags[10]',
  'items[price > 5]',
  'items[price > 5].sku',
  'items[item.qty > 1].sku',
  'items.price',
  'numbers[item > 3]',
  'items[1].sku',
  'nested.list.v',
  '{a: 1, b: a + 1}',
  '{a: amount, "b c": 2}.a',
  '{total: sum(items.price)}',
  'for x in numbers return x * 2',
  'for i in 1..3 return i * i',
  'for x in [1, 2], y in [10, 20] return x + y',
  'for x in missing return x',
  'some x in numbers satisfies x > 8',
  'every x in numbers satisfies x > 0',
  'every x in [] satisfies x > 0',
  'amount in [1000..3000]',
  'amount in (1, 2, 2000)',
  'amount in >= 100',
  '"b" in tags',
  'amount between 1000 and 3000',
  'amount between missing and 3000',
  'small instance of number',
  'name instance of string',
  'count',
  'count(tags)',
  'count(numbers) + count',
  'order total > 100',
  'order total * 2',
  'sum(numbers)',
  'min(numbers)',
  'max(1, 2, 3)',
  'mean(numbers)',
  'sort(numbers, function(a, b) a < b)',
  'upper case(name)',
  'lower case(name)',
  'substring(name, 1, 3)',
  'string length(name)',
  'contains(name, "Love")',
  'starts with(name, "Ada")',
  'ends with(name, "lace")',
  'split(name, " ")',
  'replace(name, "a", "A")',
  'matches(name, "^A.*e$")',
  'string join(tags, "-")',
  'list contains(tags, "b")',
  'append(tags, "d")',
  'distinct values(numbers)',
  'reverse(tags)',
  'index of(numbers, 1)',
  'flatten([[1, 2], [3]])',
  'context put(customer, "tier", "silver")',
  'get value(customer, "tier")',
  'get entries({a: 1})',
  'round up(5.5, 0)',
  'round down(-5.5, 0)',
  'round half up(5.55, 1)',
  'abs(-3)',
  'floor(1.7)',
  'ceiling(1.2)',
  'decimal(1/3, 2)',
  'modulo(10, 3)',
  'string(amount)',
  'number("12.5")',
  'number(amount)',
  'date(start)',
  'date(start) + duration("P1D")',
  'date(start) - date("2023-12-25")',
  'date(start) < date("2024-02-01")',
  'date("2024-01-31") + duration("P1M")',
  'date and time("2024-01-01T10:00:00Z") + duration("PT90M")',
  'date and time("2024-01-01T10:00:00@Europe/Berlin")',
  'date and time(date("2024-01-01"), time("10:00:00"))',
  'time("10:00:00") + duration("PT1H")',
  'duration("P1DT2H") + duration("PT30M")',
  'duration("P1Y") + duration("P1D")',
  'years and months duration(date("2020-01-01"), date("2021-03-01"))',
  'date(start).year',
  'date("garbage")',
  '@"2024-01-01" = date(start)',
  '[1..10]',
  'function(x) x + 1',
  '(function(x) x + 1)(amount)',
  '{f: function(x) x * 2}.f(small)',
  'sublist(numbers, 2, 3)',
  'concatenate(tags, [1])',
  'product(2, 3, 4)',
  'median(numbers)',
  'all([true, flag])',
  'any([false, flag])',
  'even(amount)',
  'sqrt(16)',
  'is(1, 1)',
  'before(1, 10)',
  'day of week(date(start))',
  'month of year(date(start))',
  'amount > 1000 // a comment',
  'amount /* inline */ > 1000',
]

void describe('feel/compile', () => {
  void it('gives the same values and warnings as feelin across a broad set of expressions', () => {
    for (const source of parityCases) {
      const expected = evaluate(source, variables)
      const actual = compile(source).evaluate(variables)
      const where = `for ${source}`
      if (expected.warnings.some((w) => w.type === 'NO_FUNCTION_FOUND')) {
        assert.equal(actual.ok, false, where)
        continue
      }
      if (!actual.ok) assert.fail(`${where}: ${actual.error}`)
      assert.deepEqual(actual.value, toJsonValue(expected.value), where)
      assert.deepEqual(
        (actual.warnings ?? []).map((w) => [w.type, w.message, w.position.from, w.position.to]),
        expected.warnings.map((w) => [w.type, w.message, w.position.from, w.position.to]),
        where,
      )
    }
  })

  void it('evaluates the same compiled expression many times against different variables', () => {
    const expression = compile('amount > 1000 and customer.tier = "gold"')
    assert.deepEqual(expression.evaluate({ amount: 2000, customer: { tier: 'gold' } }), {
      ok: true,
      value: true,
    })
    assert.deepEqual(expression.evaluate({ amount: 10, customer: { tier: 'gold' } }), {
      ok: true,
      value: false,
    })
    const missing = expression.evaluate({})
    assert.equal(valueOf(missing), false)
    assert.deepEqual(missing.ok ? missing.warnings?.map((w) => w.type) : [], [
      'NO_VARIABLE_FOUND',
      'NO_VARIABLE_FOUND',
      'NO_PROPERTY_FOUND',
    ])
    // warnings of one evaluation do not leak into the next
    assert.deepEqual(expression.evaluate({ amount: 1, customer: { tier: 'x' } }), {
      ok: true,
      value: false,
    })
  })

  void it('treats a missing variable as null and reports where it was used', () => {
    const result = compile('x + 1').evaluate({})
    assert.equal(valueOf(result), null)
    assert.ok(result.ok)
    assert.deepEqual(result.warnings?.[0], {
      type: 'NO_VARIABLE_FOUND',
      message: "Variable 'x' not found",
      position: { from: 0, to: 1 },
    })
  })

  void it('lets a variable shadow a built-in of the same name, as feelin does', () => {
    assert.equal(valueOf(compile('count').evaluate({ count: 3 })), 3)
    assert.equal(valueOf(compile('count([1, 2])').evaluate({})), 2)
  })

  void it('ignores inherited properties of the variables object', () => {
    const result = compile('constructor').evaluate({})
    assert.equal(valueOf(result), null)
  })

  void it('returns JSON values: temporal values as ISO text, functions and ranges as null', () => {
    assert.equal(
      valueOf(compile('date("2024-01-01") + duration("P1D")').evaluate({})),
      '2024-01-02',
    )
    assert.equal(valueOf(compile('duration("PT36H")').evaluate({})), 'P1DT12H')
    assert.equal(valueOf(compile('[1..3]').evaluate({})), null)
    assert.deepEqual(valueOf(compile('{f: function(x) x, d: @"2024-01-01"}').evaluate({})), {
      f: null,
      d: '2024-01-01',
    })
  })

  void it('rejects a syntax error at compile, naming the text at fault', () => {
    const result = compileExpression('1 +* 2')
    assert.deepEqual(result, {
      ok: false,
      error: 'Invalid FEEL expression "1 +* 2": unexpected "*" at offset 3',
    })
    assert.equal(compileExpression('if small > 100 then "big"').ok, false)
    const incomplete = compileExpression('amount +')
    assert.match(incomplete.ok ? '' : incomplete.error, /ends too early/)
  })

  void it('rejects text that only parses inside the wrapper it is compiled into', () => {
    assert.equal(compileExpression('1) + (2').ok, false)
    assert.equal(compileExpression('x //').ok, true)
  })

  void it('rejects an empty expression', () => {
    assert.deepEqual(compileExpression('  '), { ok: false, error: 'The FEEL expression is empty' })
  })

  void it('fails the evaluation when the expression calls something that is not a function', () => {
    const result = compile('foo(1)').evaluate({})
    assert.equal(result.ok, false)
    assert.match(
      result.ok ? '' : result.error,
      /Cannot evaluate FEEL expression "foo\(1\)": Variable 'foo' not found; Cannot invoke/,
    )
  })

  void it('fails the evaluation when a function is called with parameters it does not take', () => {
    const result = compile('upper case("a", "b")').evaluate({})
    assert.equal(result.ok, false)
    assert.match(result.ok ? '' : result.error, /Cannot invoke/)
  })

  void it('keeps null with a warning when a function rejects its arguments', () => {
    const result = compile('date("garbage")').evaluate({})
    assert.ok(result.ok)
    assert.equal(result.value, null)
    assert.equal(result.warnings?.[0]?.type, 'INVALID_ARGUMENTS')
  })

  void it('never throws, even when a variable is a getter that throws', () => {
    const variables = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get(): never {
        throw new Error('kaboom')
      },
    })
    const result = compile('boom + 1').evaluate(variables)
    assert.deepEqual(result, {
      ok: false,
      error: 'Cannot evaluate FEEL expression "boom + 1": kaboom',
    })
    // the expression still works afterwards
    assert.equal(valueOf(compile('boom + 1').evaluate({ boom: 1 })), 2)
  })

  void it('reads now() and today() from the clock passed to evaluate', () => {
    const clock = (): Date => new Date('2024-03-10T23:30:00Z')
    assert.equal(valueOf(compile('now()').evaluate({}, { now: clock })), '2024-03-10T23:30:00Z')
    assert.equal(valueOf(compile('today()').evaluate({}, { now: clock })), '2024-03-10')
    assert.equal(
      valueOf(compile('now() + duration("PT1H")').evaluate({}, { now: clock })),
      '2024-03-11T00:30:00Z',
    )
    assert.equal(
      valueOf(compile('today() + duration("P1D")').evaluate({}, { now: clock })),
      '2024-03-11',
    )
    assert.equal(
      valueOf(
        compile('now() > date and time(due)').evaluate(
          { due: '2024-03-01T00:00:00Z' },
          { now: clock },
        ),
      ),
      true,
    )
  })

  void it('uses the system clock when no clock is passed', () => {
    const before = Date.now()
    const value = valueOf(compile('now()').evaluate({}))
    assert.equal(typeof value, 'string')
    assert.ok(Date.parse(value as string) >= before - 1000)
  })
})
