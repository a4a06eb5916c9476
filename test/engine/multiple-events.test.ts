import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { completedElements, FakeClock, trail } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const definitions = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_multiple">
  <bpmn:signal id="Sig_a" name="a" /><bpmn:signal id="Sig_b" name="b" />
  <bpmn:message id="Msg_paid" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  ${body}
</bpmn:definitions>`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`

/** One catch event with a signal 'b' and a message 'paid'; parallel or not. */
const waiting = (parallel: boolean): string =>
  definitions(`<bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Wait')}
    <bpmn:intermediateCatchEvent id="Wait" parallelMultiple="${parallel}">
      <bpmn:signalEventDefinition signalRef="Sig_b" /><bpmn:messageEventDefinition messageRef="Msg_paid" />
    </bpmn:intermediateCatchEvent>
    ${flow('f2', 'Wait', 'End')}<bpmn:endEvent id="End" />
  </bpmn:process>`)

async function open(xml: string): Promise<Engine> {
  const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
  await engine.deploy({ name: 'multiple.bpmn', xml })
  return engine
}

describe('engine/multiple-events', () => {
  it('a multiple catch event goes on with the first of its triggers and closes the others', async (t) => {
    const engine = await open(waiting(false))
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('waiting', { variables: { orderId: '7' } })
    const lines = trail(await engine.history(instanceKey), ['SubscriptionOpened'])
    assert.equal(lines.length, 2, 'one subscription per trigger')

    await engine.broadcastSignal('b')
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    const result = await engine.publishMessage({ name: 'paid', correlationKey: '7' })
    assert.equal(result.correlatedInstances, 0, 'the message subscription was closed')
  })

  it('a parallel multiple catch event waits for every trigger, across a restart', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-multiple-'))
    const path = join(dir, 'baton.db')
    let engine = await Engine.open({ path, clock: new FakeClock() })
    await engine.deploy({ name: 'multiple.bpmn', xml: waiting(true) })
    const { instanceKey } = await engine.createInstance('waiting', { variables: { orderId: '7' } })

    await engine.broadcastSignal('b')
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')
    await engine.close()
    engine = await Engine.open({ path, clock: new FakeClock() })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))

    const result = await engine.publishMessage({ name: 'paid', correlationKey: '7' })
    assert.equal(result.correlatedInstances, 1)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.deepEqual(completedElements(await engine.history(instanceKey)), ['Start', 'Wait', 'End'])
  })

  it('a multiple throw event throws each signal, and catches on branches forked with it receive them', async (t) => {
    // The fork lists the throw first: the catches behind it move at the same instant.
    const xml = definitions(`<bpmn:process id="fanout" isExecutable="true">
      <bpmn:startEvent id="Start" />${flow('f0', 'Start', 'Fork')}
      <bpmn:parallelGateway id="Fork"><bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
      ${flow('f1', 'Fork', 'Throw')}${flow('f2', 'Fork', 'CatchA')}${flow('f3', 'Fork', 'CatchB')}
      <bpmn:intermediateThrowEvent id="Throw"><bpmn:signalEventDefinition signalRef="Sig_a" /><bpmn:signalEventDefinition signalRef="Sig_b" /></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="CatchA"><bpmn:signalEventDefinition signalRef="Sig_a" /></bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="CatchB"><bpmn:signalEventDefinition signalRef="Sig_b" /></bpmn:intermediateCatchEvent>
      ${flow('e1', 'Throw', 'End1')}${flow('e2', 'CatchA', 'End2')}${flow('e3', 'CatchB', 'End3')}
      <bpmn:endEvent id="End1" /><bpmn:endEvent id="End2" /><bpmn:endEvent id="End3" />
    </bpmn:process>`)
    const engine = await open(xml)
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('fanout')
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    const completed = completedElements(await engine.history(instanceKey))
    assert.ok(completed.includes('CatchA') && completed.includes('CatchB'), completed.join(' '))
  })
})
