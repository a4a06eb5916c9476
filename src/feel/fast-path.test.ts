import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluate, parseExpression } from 'feelin'
import { compileExpression } from './compile.ts'
import { BAIL, compileFastPath } from './fast-path.ts'
import { camundaFunctions } from './functions.ts'
import type { FeelResult } from './types.ts'
import { toJsonValue } from './values.ts'

const inSubset = [
  'amount > 1000 and customer.tier = "gold"',
  'a > b',
  'a >= b',
  'a < b',
  'a <= b',
  'a = b',
  'a != b',
  'a = null',
  'null != b',
  'a = true',
  '(a > 1) or (b < 2)',
  'a and b',
  'a or b',
  'a and b or a',
  'customer.address.city = "Berlin"',
  'customer.tier',
  'a',
  '"gold" = customer.tier',
  '-1.5 < a',
  'a > 1 // a comment',
  'a /* inline */ <= "b"',
  '"a\\"b" = a',
]

const outsideSubset = [
  'a + 1 > b',
  'a in [1..3]',
  'a between 1 and 3',
  'not(a)',
  'order total > 1',
  'items[1].sku = "x"',
  'if a then b else 1',
  'customer.tier in ("gold", "silver")',
]

const values: readonly unknown[] = [
  1,
  -1.5,
  2000,
  Number.NaN,
  '',
  'a',
  'b',
  true,
  false,
  null,
  undefined,
  [1],
  { x: 1 },
]

const customers: readonly unknown[] = [
  { tier: 'gold', address: { city: 'Berlin' } },
  { tier: 'silver' },
  { tier: null },
  {},
  [{ tier: 'gold' }],
  'gold',
  null,
  undefined,
]

function bindings(): Record<string, unknown>[] {
  const result: Record<string, unknown>[] = []
  for (const a of values) {
    for (const b of values) {
      const amount = typeof a === 'number' ? a * 1000 : a
      const customer = customers[result.length % customers.length]
      const variables: Record<string, unknown> = {}
      // an undefined value stands for an absent variable
      if (a !== undefined) variables['a'] = a
      if (b !== undefined) variables['b'] = b
      if (amount !== undefined) variables['amount'] = amount
      if (customer !== undefined) variables['customer'] = customer
      result.push(variables)
    }
  }
  return result
}

/** feelin's own answer, shaped like Baton's result (a throw is an evaluation error). */
function feelinAnswer(source: string, variables: Record<string, unknown>): unknown {
  try {
    const result = evaluate(source, { ...camundaFunctions, ...variables })
    return {
      value: toJsonValue(result.value),
      warnings: result.warnings.map((w) => [w.type, w.position.from, w.position.to]),
    }
  } catch {
    return 'error'
  }
}

void describe('feel/fast-path', () => {
  void it('gives feelin’s value, or gives up, for every expression of the subset and every input', () => {
    for (const source of inSubset) {
      const fast = compileFastPath(parseExpression(source, camundaFunctions, undefined), source)
      assert.ok(fast !== undefined, `${source} should be in the fast subset`)
      const compiled = compileExpression(source)
      if (!compiled.ok) assert.fail(compiled.error)
      let answered = 0
      for (const variables of bindings()) {
        const where = `${source} with ${JSON.stringify(variables)}`
        const expected = feelinAnswer(source, variables)
        // whichever path answers, the compiled expression gives feelin's value and warnings
        assert.deepEqual(shaped(compiled.expression.evaluate(variables)), expected, where)
        const value: unknown = fast(variables)
        if (value === BAIL) continue
        answered++
        // the fast path answers only where feelin gives a value without any warning
        assert.deepEqual({ value: toJsonValue(value), warnings: [] }, expected, where)
      }
      assert.ok(answered > 0, `the fast path never answered ${source}`)
    }
  })

  void it('leaves everything outside the subset to feelin', () => {
    for (const source of outsideSubset) {
      const fast = compileFastPath(parseExpression(source, camundaFunctions, undefined), source)
      assert.equal(fast, undefined, source)
    }
  })
})

function shaped(result: FeelResult): unknown {
  if (!result.ok) return 'error'
  return {
    value: result.value,
    warnings: (result.warnings ?? []).map((w) => [w.type, w.position.from, w.position.to]),
  }
}
