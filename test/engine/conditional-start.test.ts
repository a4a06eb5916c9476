import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, completedElements, FakeClock } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const condition = (id: string, expression: string): string =>
  `<bpmn:startEvent id="${id}"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${expression}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`

/** `cooling` starts at Hot (temperature > 40) or at Rising (trend = "up"); `alarm` at Loud. */
const cooling = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_cooling">
  <bpmn:process id="cooling" isExecutable="true">
    ${condition('Hot', '=temperature &gt; 40')}${flow('f1', 'Hot', 'Cool')}
    ${condition('Rising', '=trend = "up"')}${flow('f2', 'Rising', 'Cool')}
    <bpmn:exclusiveGateway id="Cool" />${flow('f3', 'Cool', 'Done')}
    <bpmn:endEvent id="Done" />
  </bpmn:process>
  <bpmn:process id="alarm" isExecutable="true">
    ${condition('Loud', '=decibels &gt;= 90')}${flow('g1', 'Loud', 'Wait')}
    <bpmn:userTask id="Wait"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>`

async function open(): Promise<Engine> {
  const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
  await engine.deploy([{ name: 'cooling.bpmn', xml: cooling }])
  return engine
}

describe('engine/conditional-start', () => {
  it('starts an instance at each root conditional start event whose condition holds', async (t) => {
    // given two processes with conditional start events
    const engine = await open()
    t.after(() => engine.close())

    // when the variables make both of cooling's conditions true and none of alarm's
    const { instances: started } = await engine.evaluateConditionals({
      temperature: 55,
      trend: 'up',
    })

    // then cooling starts twice, once at each start event, with the variables
    assert.deepEqual(started.map((s) => `${s.bpmnProcessId}@${s.startEventId}`).sort(), [
      'cooling@Hot',
      'cooling@Rising',
    ])
    for (const s of started) {
      const record = await engine.getInstance(s.instanceKey)
      assert.equal(record?.status, 'completed')
      assert.deepEqual(record.state.variables[s.instanceKey], { temperature: 55, trend: 'up' })
      const done = completedElements(await engine.history(s.instanceKey))
      assert.deepEqual(done, [s.startEventId, 'Cool', 'Done'])
    }
  })

  it('starts nothing when no condition holds, and counts a condition that is not true as false', async (t) => {
    const engine = await open()
    t.after(() => engine.close())

    // `temperature > 40` and `decibels >= 90` without those variables are null, not true
    const { instances: started } = await engine.evaluateConditionals({ trend: 'flat' })

    assert.deepEqual(started, [])
    assert.equal((await engine.instances()).length, 0)
  })

  it('evaluates only the definition given by key, and names an unknown key', async (t) => {
    const engine = await open()
    t.after(() => engine.close())
    const alarm = engine.processDefinitions().find((d) => d.bpmnProcessId === 'alarm')
    assert.ok(alarm)

    // when every condition holds but only alarm is asked
    const { instances: started } = await engine.evaluateConditionals(
      { temperature: 90, trend: 'up', decibels: 95 },
      { processDefinitionKey: alarm.key },
    )

    // then only alarm starts, and waits at its user task
    assert.deepEqual(
      started.map((s) => s.bpmnProcessId),
      ['alarm'],
    )
    assert.equal((await engine.getInstance(started[0]!.instanceKey))?.status, 'active')
    await assert.rejects(
      engine.evaluateConditionals({}, { processDefinitionKey: '999999' }),
      batonError('BATON_PROCESS_NOT_FOUND', /999999/),
    )
  })
})
