import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { engineWith, trail } from '../support/engine-harness.ts'

describe('engine/script-task', () => {
  it('evaluates the zeebe:script FEEL expression in the engine and sets the result variable', async (t) => {
    // given
    const { engine } = await engineWith('script-quote.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('script-quote', {
      variables: {
        customer: 'Ada',
        lines: [
          { price: 2.5, quantity: 4 },
          { price: 10, quantity: 1 },
        ],
      },
    })

    // then
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.equal(record.state.variables[instanceKey]?.total, 20)
    assert.equal(record.state.variables[instanceKey]?.label, 'Quote for Ada: 20')
    const events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['VariableSet', 'JobCreated']).slice(2), [
      'VariableSet total=20',
      'VariableSet label="Quote for Ada: 20"',
    ])
  })

  it('sets the result variable to null when the data does not fit the expression (Camunda semantics)', async (t) => {
    // given
    const { engine } = await engineWith('script-quote.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('script-quote', {
      variables: { customer: 'Ada', lines: 'none' },
    })

    // then
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.equal(record.state.variables[instanceKey]?.total, null)
    assert.equal(record.state.variables[instanceKey]?.label, null)
  })

  it('raises an EXPRESSION_EVALUATION_ERROR incident when the expression cannot be evaluated', async (t) => {
    // given a script calling a function that does not exist
    const { engine } = await engineWith('script-discount.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('script-discount', {
      variables: { customer: 'Ada', total: 20 },
    })

    // then
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)
    assert.equal(incident.errorType, 'EXPRESSION_EVALUATION_ERROR')
    assert.equal(incident.elementId, 'Task_discount')
    assert.match(incident.errorMessage, /discountFor/)
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'active')
    assert.equal(record.state.variables[instanceKey]?.discount, undefined)
  })
})
