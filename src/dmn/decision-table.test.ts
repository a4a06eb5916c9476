import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileDmn } from './compile.ts'
import { tableDocument, type TableFixture } from './dmn-fixture.ts'
import { evaluateDecision, type EvaluateDecisionResult } from './evaluate.ts'

async function decide(
  table: TableFixture,
  variables: Record<string, unknown>,
): Promise<EvaluateDecisionResult> {
  const compiled = await compileDmn(tableDocument(table))
  assert.ok(compiled.ok, JSON.stringify(compiled))
  return evaluateDecision(compiled.compiled, 'd', variables)
}

const overlapping = (hitPolicy: string, aggregation?: string): TableFixture => ({
  hitPolicy,
  ...(aggregation === undefined ? {} : { aggregation }),
  inputs: ['age'],
  outputs: [{ name: 'score', values: '10, 20, 30' }],
  rules: [
    ['>= 18', '20'],
    ['>= 65', '30'],
    ['-', '10'],
  ],
})

describe('dmn/decision-table', () => {
  it('UNIQUE: gives the one matching rule and reports it', async () => {
    const result = await decide(overlapping('UNIQUE'), { age: 10 })
    assert.ok(result.ok)
    assert.equal(result.value, 10)
    assert.deepEqual(result.matchedRules, [{ decisionId: 'd', ruleIndex: 3, ruleId: 'r3' }])
  })

  it('UNIQUE: several matches are an error and null', async () => {
    const result = await decide(overlapping('UNIQUE'), { age: 70 })
    assert.ok(result.ok)
    assert.equal(result.value, null)
    assert.match(result.errors[0] ?? '', /UNIQUE: rules 1, 2, 3 all match/)
  })

  it('FIRST: the first matching rule in rule order wins', async () => {
    const result = await decide(overlapping('FIRST'), { age: 70 })
    assert.ok(result.ok)
    assert.equal(result.value, 20)
    assert.deepEqual(
      result.matchedRules.map((r) => r.ruleIndex),
      [1],
    )
  })

  it('PRIORITY: the output listed first in the output values wins', async () => {
    const result = await decide(overlapping('PRIORITY'), { age: 70 })
    assert.ok(result.ok)
    assert.equal(result.value, 10)
  })

  it('ANY: matches with equal outputs are fine, different ones an error', async () => {
    const same = await decide(
      {
        hitPolicy: 'ANY',
        inputs: ['x'],
        outputs: [{ name: 'o' }],
        rules: [
          ['> 1', '"a"'],
          ['> 2', '"a"'],
        ],
      },
      { x: 5 },
    )
    assert.ok(same.ok)
    assert.equal(same.value, 'a')
    const different = await decide(overlapping('ANY'), { age: 70 })
    assert.ok(different.ok)
    assert.equal(different.value, null)
    assert.match(different.errors[0] ?? '', /ANY/)
  })

  it('RULE ORDER and OUTPUT ORDER list every match', async () => {
    const ruleOrder = await decide(overlapping('RULE ORDER'), { age: 70 })
    assert.ok(ruleOrder.ok)
    assert.deepEqual(ruleOrder.value, [20, 30, 10])
    const outputOrder = await decide(overlapping('OUTPUT ORDER'), { age: 70 })
    assert.ok(outputOrder.ok)
    assert.deepEqual(outputOrder.value, [10, 20, 30])
  })

  it('COLLECT lists matches and aggregates with SUM, MIN, MAX, COUNT', async () => {
    const expected: Record<string, unknown> = {
      '': [20, 30, 10],
      SUM: 60,
      MIN: 10,
      MAX: 30,
      COUNT: 3,
    }
    for (const [aggregation, value] of Object.entries(expected)) {
      const result = await decide(
        overlapping('COLLECT', aggregation === '' ? undefined : aggregation),
        { age: 70 },
      )
      assert.ok(result.ok)
      assert.deepEqual(result.value, value, aggregation)
    }
  })

  it('gives a context when the table has several outputs', async () => {
    const result = await decide(
      {
        inputs: ['x'],
        outputs: [{ name: 'a' }, { name: 'b' }],
        rules: [
          ['< 0', '"neg"', '-1'],
          ['>= 0', '"pos"', '1'],
        ],
      },
      { x: 3 },
    )
    assert.ok(result.ok)
    assert.deepEqual(result.value, { a: 'pos', b: 1 })
  })

  it('gives null when no rule matches and there is no default', async () => {
    const result = await decide(
      { inputs: ['x'], outputs: [{ name: 'o' }], rules: [['< 0', '1']] },
      { x: 3 },
    )
    assert.ok(result.ok)
    assert.equal(result.value, null)
    assert.deepEqual(result.matchedRules, [])
  })
})
