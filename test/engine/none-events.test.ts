import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { engineWith, trail } from '../support/engine-harness.ts'

describe('engine/none-events', () => {
  it('runs from the none start event to the none end event and completes the instance', async (t) => {
    // given
    const { engine } = await engineWith('none-start-end.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('none-start-end', {
      variables: { orderId: 7 },
    })

    // then
    const events = await engine.history(instanceKey)
    assert.deepEqual(
      trail(events, [
        'ProcessInstanceCreated',
        'ElementActivated',
        'ElementCompleted',
        'SequenceFlowTaken',
        'ProcessInstanceCompleted',
      ]),
      [
        'ProcessInstanceCreated',
        'ElementActivated StartEvent_1',
        'ElementCompleted StartEvent_1',
        'SequenceFlowTaken Flow_1',
        'ElementActivated EndEvent_1',
        'ElementCompleted EndEvent_1',
        'ProcessInstanceCompleted',
      ],
    )
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.deepEqual(record.state.variables[instanceKey], { orderId: 7 })
    assert.deepEqual(record.state.elements, {})
  })
})

describe('engine/pass-through-elements', () => {
  it('passes a token through a manual task, an undefined task and a none intermediate throw event', async (t) => {
    // given
    const { engine } = await engineWith('pass-through.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('pass-through')

    // then
    const events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['ElementCompleted', 'ProcessInstanceCompleted']), [
      'ElementCompleted StartEvent_1',
      'ElementCompleted Task_manual',
      'ElementCompleted Task_undefined',
      'ElementCompleted Event_milestone',
      'ElementCompleted EndEvent_1',
      'ProcessInstanceCompleted',
    ])
    assert.equal(
      events.filter((e) => e.type === 'JobCreated' || e.type === 'UserTaskCreated').length,
      0,
    )
  })
})
