import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, engineWith, FakeClock, trail } from '../support/engine-harness.ts'

/** Two ways into one process: a none start for the shop and one for the phone line. */
const twoWaysIn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_two_starts" targetNamespace="https://baton.dev/test">
  <bpmn:process id="two-starts" isExecutable="true">
    <bpmn:startEvent id="FromShop" /><bpmn:sequenceFlow id="f1" sourceRef="FromShop" targetRef="Done" />
    <bpmn:startEvent id="FromPhone" /><bpmn:sequenceFlow id="f2" sourceRef="FromPhone" targetRef="Done" />
    <bpmn:endEvent id="Done" />
  </bpmn:process>
</bpmn:definitions>`

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

  it('starts a process with several none start events at the one the caller names, and only there', async (t) => {
    // given
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await engine.deploy({ name: 'two-starts.bpmn', xml: twoWaysIn })

    // when
    const { instanceKey } = await engine.createInstance('two-starts', { startEventId: 'FromPhone' })

    // then
    assert.deepEqual(trail(await engine.history(instanceKey), ['ElementCompleted']), [
      'ElementCompleted FromPhone',
      'ElementCompleted Done',
    ])

    // and without a name there is no telling which one to take
    await assert.rejects(
      engine.createInstance('two-starts'),
      batonError('BATON_PROCESS_NO_NONE_START', /2 none start events \(FromShop, FromPhone\)/),
    )
  })
})
