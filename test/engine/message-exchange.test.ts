import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, completedElements, FakeClock, trail } from '../support/engine-harness.ts'

// Plain BPMN: two processes of one file exchange a message, with no job worker and no key.
const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const definitions = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_exchange"><bpmn:message id="Msg_ready" name="ready" />${body}</bpmn:definitions>`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`
const gate = `<bpmn:userTask id="Gate"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>`

/** The sender waits at a user task, then sends with `sender`; the receiver waits with `receiver`. */
const exchange = (
  sender: string,
  receiver: string,
  receiverStart = '<bpmn:startEvent id="RStart" />',
): string =>
  definitions(`<bpmn:process id="sender" isExecutable="true">
    <bpmn:startEvent id="SStart" />${flow('s1', 'SStart', 'Gate')}${gate}${flow('s2', 'Gate', 'Send')}
    ${sender}${flow('s3', 'Send', 'SEnd')}<bpmn:endEvent id="SEnd" />
  </bpmn:process>
  <bpmn:process id="receiver" isExecutable="true">
    ${receiverStart}${flow('r1', 'RStart', 'Receive')}${receiver}${flow('r2', 'Receive', 'REnd')}<bpmn:endEvent id="REnd" />
  </bpmn:process>`)

const catchEvent =
  '<bpmn:intermediateCatchEvent id="Receive"><bpmn:messageEventDefinition messageRef="Msg_ready" /></bpmn:intermediateCatchEvent>'
const throwEvent =
  '<bpmn:intermediateThrowEvent id="Send"><bpmn:messageEventDefinition messageRef="Msg_ready" /></bpmn:intermediateThrowEvent>'

async function open(xml: string): Promise<Engine> {
  const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
  await engine.deploy({ name: 'exchange.bpmn', xml })
  return engine
}

async function passGate(engine: Engine, instanceKey: string): Promise<void> {
  const [task] = await engine.userTasks({ instanceKey, status: 'created' })
  assert.ok(task, 'the sender waits at its gate')
  await engine.completeUserTask(task.key, {})
}

describe('engine/message-exchange', () => {
  it('a message throw event with no job delivers to the waiting catch of the same file by name, across a restart', async (t) => {
    // given a receiver waiting for 'ready' and a sender before its throw, on a file store
    const dir = mkdtempSync(join(tmpdir(), 'baton-exchange-'))
    const path = join(dir, 'baton.db')
    let engine = await Engine.open({ path, clock: new FakeClock() })
    await engine.deploy({ name: 'exchange.bpmn', xml: exchange(throwEvent, catchEvent) })
    const receiver = await engine.createInstance('receiver')
    const sender = await engine.createInstance('sender')

    // when the engine restarts, then the sender throws
    await engine.close()
    engine = await Engine.open({ path, clock: new FakeClock() })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    await passGate(engine, sender.instanceKey)

    // then both complete: the throw passed on, the catch was triggered
    assert.equal((await engine.getInstance(sender.instanceKey))?.status, 'completed')
    assert.equal((await engine.getInstance(receiver.instanceKey))?.status, 'completed')
    const lines = trail(await engine.history(receiver.instanceKey), [
      'SubscriptionOpened',
      'SubscriptionTriggered',
      'ElementCompleted',
    ])
    assert.deepEqual(lines, [
      'ElementCompleted RStart',
      'SubscriptionOpened',
      'SubscriptionTriggered',
      'ElementCompleted Receive',
      'ElementCompleted REnd',
    ])
    assert.deepEqual(trail(await engine.history(sender.instanceKey), ['JobCreated']), [])
  })

  it('a send task with no job sends its message to a receive task, with its input mappings as payload', async (t) => {
    const send = `<bpmn:sendTask id="Send" messageRef="Msg_ready"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;A-7&quot;" target="ref" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:sendTask>`
    const receive = '<bpmn:receiveTask id="Receive" messageRef="Msg_ready" />'
    const engine = await open(exchange(send, receive))
    t.after(() => engine.close())
    const receiver = await engine.createInstance('receiver')
    const sender = await engine.createInstance('sender')
    await passGate(engine, sender.instanceKey)
    assert.equal((await engine.getInstance(receiver.instanceKey))?.status, 'completed')
    assert.ok(
      trail(await engine.history(receiver.instanceKey), ['VariableSet']).includes(
        'VariableSet ref="A-7"',
      ),
    )
  })

  it('a message end event starts the process whose message start event waits for it', async (t) => {
    const end = exchange(
      '<bpmn:endEvent id="Send"><bpmn:messageEventDefinition messageRef="Msg_ready" /></bpmn:endEvent>',
      '<bpmn:task id="Receive" />',
      '<bpmn:startEvent id="RStart"><bpmn:messageEventDefinition messageRef="Msg_ready" /></bpmn:startEvent>',
    ).replace(`${flow('s3', 'Send', 'SEnd')}<bpmn:endEvent id="SEnd" />`, '')
    const engine = await open(end)
    t.after(() => engine.close())
    const sender = await engine.createInstance('sender')
    assert.equal((await engine.instances({ bpmnProcessId: 'receiver' })).length, 0)
    await passGate(engine, sender.instanceKey)
    const [started] = await engine.instances({ bpmnProcessId: 'receiver' })
    assert.ok(started, 'the message started the receiver')
    assert.deepEqual(completedElements(await engine.history(started.key)), [
      'RStart',
      'Receive',
      'REnd',
    ])
  })

  it('an instantiating receive task starts its process when the message comes', async (t) => {
    const xml = definitions(`<bpmn:process id="sender" isExecutable="true">
      <bpmn:startEvent id="SStart" />${flow('s1', 'SStart', 'Send')}${throwEvent}${flow('s2', 'Send', 'SEnd')}<bpmn:endEvent id="SEnd" />
    </bpmn:process>
    <bpmn:process id="receiver" isExecutable="true">
      <bpmn:receiveTask id="Receive" messageRef="Msg_ready" instantiate="true" />${flow('r1', 'Receive', 'REnd')}<bpmn:endEvent id="REnd" />
    </bpmn:process>`)
    const engine = await open(xml)
    t.after(() => engine.close())
    await engine.createInstance('sender')
    const [started] = await engine.instances({ bpmnProcessId: 'receiver' })
    assert.ok(started, 'the message started the receiver')
    assert.deepEqual(completedElements(await engine.history(started.key)), ['Receive', 'REnd'])
    assert.equal(started.status, 'completed')
  })

  it('still needs a job type for a message no process of the file catches, and a key for one no process throws', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    const lonelyThrow = definitions(`<bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="S" />${flow('f1', 'S', 'Send')}${throwEvent}${flow('f2', 'Send', 'E')}<bpmn:endEvent id="E" />
    </bpmn:process>`)
    await assert.rejects(
      engine.deploy({ name: 'throw.bpmn', xml: lonelyThrow }),
      batonError('BATON_MODEL_INVALID', /task-definition-required|zeebe:taskDefinition/),
    )
    const lonelyCatch = definitions(`<bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="S" />${flow('f1', 'S', 'Receive')}${catchEvent}${flow('f2', 'Receive', 'E')}<bpmn:endEvent id="E" />
    </bpmn:process>`)
    await assert.rejects(
      engine.deploy({ name: 'catch.bpmn', xml: lonelyCatch }),
      batonError('BATON_MODEL_INVALID', /correlation key/),
    )
  })
})
