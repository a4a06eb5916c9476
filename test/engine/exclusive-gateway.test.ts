import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { completedElements, engineWith, eventsOf, trail } from '../support/engine-harness.ts'

describe('engine/exclusive-gateway', () => {
  it('takes the flow of the first condition that is true, in document order', async (t) => {
    // given
    const { engine } = await engineWith('route-order.bpmn')
    t.after(() => engine.close())

    // when both conditions hold
    const { instanceKey } = await engine.createInstance('route-order', {
      variables: { amount: 5000, express: true },
    })

    // then only the first is taken
    const events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['SequenceFlowTaken']), [
      'SequenceFlowTaken Flow_start',
      'SequenceFlowTaken Flow_large',
    ])
    assert.deepEqual(completedElements(events), ['StartEvent_1', 'Gateway_route', 'EndEvent_large'])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('takes a later flow when only its condition is true', async (t) => {
    // given
    const { engine } = await engineWith('route-order.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('route-order', {
      variables: { amount: 10, express: true },
    })

    // then
    assert.deepEqual(completedElements(await engine.history(instanceKey)), [
      'StartEvent_1',
      'Gateway_route',
      'EndEvent_express',
    ])
  })

  it('takes the default flow when no condition is true', async (t) => {
    // given
    const { engine } = await engineWith('route-order.bpmn')
    t.after(() => engine.close())

    // when (express is not set at all: a missing variable is null, not an error)
    const { instanceKey } = await engine.createInstance('route-order', {
      variables: { amount: 10 },
    })

    // then
    const events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['SequenceFlowTaken']), [
      'SequenceFlowTaken Flow_start',
      'SequenceFlowTaken Flow_standard',
    ])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('raises an incident when no condition is true and there is no default flow', async (t) => {
    // given
    const { engine } = await engineWith('route-priority.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('route-priority', {
      variables: { priority: 'medium' },
    })

    // then the token stays at the gateway with an incident naming it
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)
    assert.equal(incident.errorType, 'CONDITION_ERROR')
    assert.equal(incident.elementId, 'Gateway_priority')
    assert.match(incident.errorMessage, /Gateway_priority/)
    assert.match(incident.errorMessage, /default flow/)
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'active')
    assert.equal(record.hasIncident, true)
    assert.deepEqual(
      Object.values(record.state.elements).map((e) => e.elementId),
      ['Gateway_priority'],
    )
    assert.equal(eventsOf(await engine.history(instanceKey), 'SequenceFlowTaken').length, 1)
  })

  it('goes on after a no-match incident is resolved with corrected variables', async (t) => {
    // given
    const { engine } = await engineWith('route-priority.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('route-priority', {
      variables: { priority: 'medium' },
    })
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)

    // when
    await engine.setVariables(instanceKey, { priority: 'low' })
    await engine.resolveIncident(incident.key)

    // then
    const events = await engine.history(instanceKey)
    assert.deepEqual(completedElements(events), [
      'StartEvent_1',
      'Gateway_priority',
      'EndEvent_low',
    ])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.equal((await engine.incidents({ instanceKey }))[0]?.status, 'resolved')
  })

  it('raises an incident when a condition is not a boolean, and takes the right flow once fixed', async (t) => {
    // given
    const { engine } = await engineWith('route-order.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('route-order', {
      variables: { amount: 10, express: 'yes' },
    })

    // then
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)
    assert.equal(incident.errorType, 'CONDITION_ERROR')
    assert.match(incident.errorMessage, /Flow_express/)
    assert.match(incident.errorMessage, /boolean/)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')

    // when
    await engine.setVariables(instanceKey, { express: true })
    await engine.resolveIncident(incident.key)

    // then
    assert.deepEqual(completedElements(await engine.history(instanceKey)), [
      'StartEvent_1',
      'Gateway_route',
      'EndEvent_express',
    ])
  })

  it('raises an incident when a condition fails to evaluate, instead of taking the default flow', async (t) => {
    // given a condition calling a function that does not exist
    const { engine } = await engineWith('risk-check.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('risk-check', { variables: { amount: 10 } })

    // then
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)
    assert.equal(incident.errorType, 'CONDITION_ERROR')
    assert.equal(incident.elementId, 'Gateway_risk')
    assert.match(incident.errorMessage, /Flow_risky/)
    assert.match(incident.errorMessage, /riskScore/)
    const events = await engine.history(instanceKey)
    assert.equal(completedElements(events).includes('EndEvent_ok'), false)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')
  })
})
