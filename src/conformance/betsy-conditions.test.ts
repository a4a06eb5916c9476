import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { translateBetsyCondition, translateBetsyModel } from './betsy-conditions.ts'

void describe('conformance/betsy-conditions', () => {
  it('translates every condition form betsy models use', () => {
    const cases: [string, string][] = [
      ['test.contains("a")', '=contains(test, "a")'],
      ['!test.contains("a")', '=not(contains(test, "a"))'],
      ['integerVariable<3', '=integerVariable < 3'],
      ['true', '=true'],
      ['a == 1 && !(b != "x") || c >= 2', '=a = 1 and not((b != "x")) or c >= 2'],
      ["test.contains('b')", '=contains(test, "b")'],
    ]
    for (const [betsy, feel] of cases) {
      assert.deepEqual(translateBetsyCondition(betsy), { ok: true, feel }, betsy)
    }
  })

  it('keeps FEEL as it is and refuses what it cannot translate', () => {
    assert.deepEqual(translateBetsyCondition(' =x > 1 '), { ok: true, feel: '=x > 1' })
    assert.equal(translateBetsyCondition('test.contains("a")>').ok, false)
    assert.equal(translateBetsyCondition('test.startsWith("a")').ok, false)
    assert.equal(translateBetsyCondition('').ok, false)
  })

  it('rewrites condition bodies in the XML, entities and CDATA included', () => {
    const xml = [
      '<bpmn2:conditionExpression xsi:type="bpmn2:tFormalExpression">integerVariable&lt;2</bpmn2:conditionExpression>',
      '<conditionExpression><![CDATA[test.contains("a")]]></conditionExpression>',
      '<bpmn2:condition>A non-formal condition</bpmn2:condition>',
      '<completionCondition></completionCondition>',
    ].join('\n')
    const result = translateBetsyModel(xml)
    assert.equal(
      result.xml,
      [
        '<bpmn2:conditionExpression xsi:type="bpmn2:tFormalExpression">=integerVariable &lt; 2</bpmn2:conditionExpression>',
        '<conditionExpression>=contains(test, "a")</conditionExpression>',
        '<bpmn2:condition>A non-formal condition</bpmn2:condition>',
        '<completionCondition></completionCondition>',
      ].join('\n'),
    )
    assert.deepEqual(
      result.untranslated.map((u) => u.body),
      ['A non-formal condition'],
    )
  })
})
