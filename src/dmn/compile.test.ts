import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileDmn } from './compile.ts'
import { dmnDocument, tableDocument } from './dmn-fixture.ts'

describe('dmn/compile', () => {
  it('rejects text that is not XML, without throwing', async () => {
    const result = await compileDmn('<definitions')
    assert.equal(result.ok, false)
    assert.ok(!result.ok && result.problems[0]?.rule === 'xml')
  })

  it('names the decision, rule and column of a rule with too few entries', async () => {
    const xml = tableDocument({
      inputs: ['a', 'b'],
      outputs: [{ name: 'o' }],
      rules: [['1', '2', '"x"'], ['1']],
    })
    const result = await compileDmn(xml)
    assert.ok(!result.ok)
    assert.deepEqual(
      result.problems.map((p) => p.elementId),
      ['r2', 'r2'],
    )
    assert.match(
      result.problems[0]?.message ?? '',
      /decision 'd', rule 2: 1 input entries for 2 input columns/,
    )
  })

  it('rejects an unknown hit policy and an aggregation without COLLECT', async () => {
    const bad = await compileDmn(
      tableDocument({ hitPolicy: 'SOMETIMES', inputs: ['a'], outputs: [{ name: 'o' }], rules: [] }),
    )
    assert.ok(!bad.ok)
    assert.equal(bad.problems[0]?.rule, 'hit-policy')
    assert.match(bad.problems[0]?.message ?? '', /unknown hit policy 'SOMETIMES'/)
    const aggregation = await compileDmn(
      tableDocument({
        hitPolicy: 'FIRST',
        aggregation: 'SUM',
        inputs: ['a'],
        outputs: [{ name: 'o' }],
        rules: [],
      }),
    )
    assert.ok(!aggregation.ok)
    assert.equal(aggregation.problems[0]?.rule, 'hit-policy')
  })

  it('reports a requirement on an element no model defines', async () => {
    const result = await compileDmn(
      dmnDocument(`<decision id="d" name="d"><informationRequirement><requiredDecision href="#nope"/></informationRequirement>
        <literalExpression><text>1</text></literalExpression></decision>`),
    )
    assert.ok(!result.ok)
    assert.deepEqual(result.problems[0], {
      rule: 'reference',
      elementId: 'd',
      message: "decision 'd' requires decision '#nope', which no loaded model defines",
    })
  })

  it('reports decisions that require each other', async () => {
    const result = await compileDmn(
      dmnDocument(`<decision id="a" name="a"><informationRequirement><requiredDecision href="#b"/></informationRequirement></decision>
        <decision id="b" name="b"><informationRequirement><requiredDecision href="#a"/></informationRequirement></decision>`),
    )
    assert.ok(!result.ok)
    assert.deepEqual(
      result.problems.map((p) => p.rule),
      ['requirement-cycle', 'requirement-cycle'],
    )
  })

  it('checks the FEEL of every rule at deploy, naming decision, rule and column', async () => {
    const result = await compileDmn(
      tableDocument({
        inputs: ['Applicant age', 'score'],
        outputs: [{ name: 'o' }],
        rules: [
          ['< 18', '>= 700', '"young"'],
          ['[18..65', '-', '"adult"'],
          ['> 65', '-', 'if score > 1 then "x"'],
        ],
      }),
    )
    assert.ok(!result.ok)
    assert.deepEqual(
      result.problems.map((p) => [p.rule, p.elementId]),
      [
        ['feel-syntax', 'r2'],
        ['feel-syntax', 'r3'],
      ],
    )
    assert.equal(
      result.problems[0]?.message,
      `decision 'd', rule 2, input column 1: FEEL syntax error at character 8: "[18..65" ends early`,
    )
    assert.match(result.problems[1]?.message ?? '', /^decision 'd', rule 3, output column 1: FEEL/)
  })

  it('accepts FEEL names with spaces and punctuation that the model declares', async () => {
    const result = await compileDmn(
      dmnDocument(`<inputData id="i" name="Student's name"><variable name="Student's name"/></inputData>
        <decision id="d" name="d"><informationRequirement><requiredInput href="#i"/></informationRequirement>
        <literalExpression><text>Student's name + " passed"</text></literalExpression></decision>`),
    )
    assert.ok(result.ok, JSON.stringify(result))
  })

  it('rejects a literal expression that does not parse, naming its decision', async () => {
    const result = await compileDmn(
      dmnDocument(
        `<decision id="d" name="d"><literalExpression id="e"><text>1 +</text></literalExpression></decision>`,
      ),
    )
    assert.ok(!result.ok)
    assert.equal(
      result.problems[0]?.message,
      `'d', expression 'e': FEEL syntax error at character 4: "1 +" ends early`,
    )
  })
})
