import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, engineWith, eventsOf, fixture, trail } from '../support/engine-harness.ts'

/** A fixture as a deployment resource. */
const resource = (name: string) => ({ name, xml: fixture(name) })

describe('engine/business-rule-task', () => {
  it('evaluates the called DMN decision in the engine and sets the result variable', async (t) => {
    // given a decision table and a process calling it
    const { engine } = await engineWith('risk-rules.dmn', 'assess-risk.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('assess-risk', {
      variables: { amount: 300 },
    })

    // then
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.equal(record.state.variables[instanceKey]?.riskLevel, 'medium')
    const events = await engine.history(instanceKey)
    assert.deepEqual(
      trail(events, ['ElementCompleted', 'DecisionEvaluated', 'VariableSet', 'JobCreated']),
      [
        'VariableSet amount=300',
        'ElementCompleted StartEvent_1',
        'DecisionEvaluated',
        'VariableSet riskLevel="medium"',
        'ElementCompleted Task_risk',
        'ElementCompleted EndEvent_1',
      ],
    )
  })

  it('records the evaluation in the audit trail with its inputs and matched rules', async (t) => {
    // given
    const { engine } = await engineWith('risk-rules.dmn', 'assess-risk.bpmn')
    t.after(() => engine.close())
    const [decision] = engine.decisionDefinitions()

    // when
    const { instanceKey } = await engine.createInstance('assess-risk', {
      variables: { amount: 5000 },
    })

    // then
    const [evaluated] = eventsOf(await engine.history(instanceKey), 'DecisionEvaluated')
    assert.ok(evaluated)
    assert.deepEqual(
      {
        elementId: evaluated.elementId,
        decisionId: evaluated.decisionId,
        decisionKey: evaluated.decisionKey,
        decisionVersion: evaluated.decisionVersion,
        inputs: evaluated.inputs,
        matchedRules: evaluated.matchedRules,
        outputs: evaluated.outputs,
        result: evaluated.result,
      },
      {
        elementId: 'Task_risk',
        decisionId: 'risk',
        decisionKey: decision?.key,
        decisionVersion: 1,
        inputs: { amount: 5000 },
        matchedRules: [{ decisionId: 'risk', ruleIndex: 3, ruleId: 'rule_high' }],
        outputs: { Risk: 'high' },
        result: 'high',
      },
    )
  })

  it('raises a CALLED_DECISION_ERROR incident for a missing decision and completes once it is deployed and the incident resolved', async (t) => {
    // given the process without its decision
    const { engine } = await engineWith('assess-risk.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('assess-risk', {
      variables: { amount: 50 },
    })
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)
    assert.equal(incident.errorType, 'CALLED_DECISION_ERROR')
    assert.equal(incident.elementId, 'Task_risk')
    assert.match(incident.errorMessage, /decision 'risk'.*not deployed/)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')

    // when the decision is deployed and the incident resolved
    await engine.deploy(resource('risk-rules.dmn'))
    await engine.resolveIncident(incident.key)

    // then the task evaluates it again and the instance completes
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.equal(record.state.variables[instanceKey]?.riskLevel, 'low')
    assert.equal(eventsOf(await engine.history(instanceKey), 'DecisionEvaluated').length, 1)
  })

  it('raises a DECISION_EVALUATION_ERROR incident naming the decision and the reason', async (t) => {
    // given a UNIQUE table where two rules match
    const { engine } = await engineWith('assess-risk.bpmn')
    t.after(() => engine.close())
    const overlapping = fixture('risk-rules.dmn')
      .replace('hitPolicy="FIRST"', 'hitPolicy="UNIQUE"')
      .replace('[100..1000]', '[100..2000]')
    await engine.deploy({ name: 'risk-rules.dmn', xml: overlapping })

    // when
    const { instanceKey } = await engine.createInstance('assess-risk', {
      variables: { amount: 1500 },
    })

    // then
    const [incident] = await engine.incidents({ instanceKey })
    assert.equal(incident?.errorType, 'DECISION_EVALUATION_ERROR')
    assert.match(incident.errorMessage, /decision 'risk'.*UNIQUE/)
    assert.equal(eventsOf(await engine.history(instanceKey), 'DecisionEvaluated').length, 0)
  })

  it('versions decisions: the same file is a no-op, changed content is v2 for new instances', async (t) => {
    // given
    const { engine } = await engineWith('risk-rules.dmn', 'assess-risk.bpmn')
    t.after(() => engine.close())

    // when the same file is deployed again
    const again = await engine.deployResources(resource('risk-rules.dmn'))

    // then nothing changes
    assert.deepEqual(
      again.decisions.map((d) => [d.decisionId, d.version, d.isNew]),
      [['risk', 1, false]],
    )
    assert.equal(engine.decisionDefinitions().length, 1)

    // when changed content is deployed
    const changed = await engine.deployResources(resource('risk-rules-v2.dmn'))

    // then it is version 2, and new instances use it
    assert.deepEqual(
      changed.decisions.map((d) => [d.decisionId, d.version, d.isNew]),
      [['risk', 2, true]],
    )
    assert.deepEqual(
      engine.decisionDefinitions().map((d) => [d.decisionId, d.version]),
      [
        ['risk', 1],
        ['risk', 2],
      ],
    )
    const { instanceKey } = await engine.createInstance('assess-risk', {
      variables: { amount: 700 },
    })
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.state.variables[instanceKey]?.riskLevel, 'high')
    const [evaluated] = eventsOf(await engine.history(instanceKey), 'DecisionEvaluated')
    assert.equal(evaluated?.decisionVersion, 2)
    assert.equal(
      (await engine.evaluateDecision('risk', { amount: 700 }, { version: 1 })).result,
      'medium',
    )
  })

  it('keeps deployed decisions across a restart of the engine', async (t) => {
    // given a file store with a decision
    const dir = mkdtempSync(join(tmpdir(), 'baton-decisions-'))
    const path = join(dir, 'baton.db')
    const first = await Engine.open({ path, durable: false })
    await first.deploy([resource('risk-rules.dmn'), resource('assess-risk.bpmn')])
    await first.close()

    // when
    const engine = await Engine.open({ path, durable: false })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const { instanceKey } = await engine.createInstance('assess-risk', {
      variables: { amount: 200 },
    })

    // then
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.state.variables[instanceKey]?.riskLevel, 'medium')
  })

  it('rejects an invalid DMN file with the BPMN files of the same deployment', async (t) => {
    // given
    const { engine } = await engineWith()
    t.after(() => engine.close())
    const broken = fixture('risk-rules.dmn').replace('hitPolicy="FIRST"', 'hitPolicy="MOST"')

    // when / then
    await assert.rejects(
      engine.deploy([
        { name: 'risk-rules.dmn', xml: broken },
        { name: 'assess-risk.bpmn', xml: fixture('assess-risk.bpmn') },
      ]),
      batonError('BATON_MODEL_INVALID', /risk-rules\.dmn.*\[dmn-/),
    )
    assert.deepEqual(engine.processDefinitions(), [])
    assert.deepEqual(engine.decisionDefinitions(), [])
  })

  it('evaluates a decision through the API, and names a missing one', async (t) => {
    // given
    const { engine } = await engineWith('risk-rules.dmn')
    t.after(() => engine.close())

    // when
    const evaluation = await engine.evaluateDecision('risk', { amount: 10 })

    // then
    assert.equal(evaluation.result, 'low')
    assert.equal(evaluation.decisionName, 'Risk')
    assert.deepEqual(evaluation.matchedRules, [
      { decisionId: 'risk', ruleIndex: 1, ruleId: 'rule_low' },
    ])
    await assert.rejects(
      engine.evaluateDecision('fee', {}),
      batonError('BATON_DECISION_NOT_FOUND', /no decision 'fee' is deployed/),
    )
  })

  it('lets a decision without input data nodes read any variable by name, as Camunda 8 does', async (t) => {
    // given a table whose input reads `customer.tier` and `amount`, with no input data in the model
    const dmn = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="tier_defs" name="Tier" namespace="http://baton.test/tier">
  <decision id="discount" name="Discount">
    <decisionTable id="discount_table" hitPolicy="FIRST">
      <input id="in_tier"><inputExpression id="in_tier_expr" typeRef="string"><text>customer.tier</text></inputExpression></input>
      <input id="in_amount"><inputExpression id="in_amount_expr" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="out" name="discount" typeRef="number" />
      <rule id="gold_big"><inputEntry id="r1a"><text>"gold"</text></inputEntry><inputEntry id="r1b"><text>&gt; 1000</text></inputEntry><outputEntry id="r1o"><text>0.1</text></outputEntry></rule>
      <rule id="other"><inputEntry id="r2a"><text>-</text></inputEntry><inputEntry id="r2b"><text>-</text></inputEntry><outputEntry id="r2o"><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`
    const { engine } = await engineWith()
    t.after(() => engine.close())
    await engine.deploy([{ name: 'tier.dmn', xml: dmn }])

    // when
    const gold = await engine.evaluateDecision('discount', {
      amount: 5000,
      customer: { tier: 'gold' },
    })
    const silver = await engine.evaluateDecision('discount', {
      amount: 5000,
      customer: { tier: 'silver' },
    })

    // then
    assert.equal(gold.result, 0.1)
    assert.deepEqual(gold.matchedRules, [
      { decisionId: 'discount', ruleIndex: 1, ruleId: 'gold_big' },
    ])
    assert.equal(silver.result, 0)
  })
})
