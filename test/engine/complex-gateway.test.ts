import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, FakeClock, trail } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const definitions = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_complex">${body}</bpmn:definitions>`
const flow = (id: string, from: string, to: string, condition?: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}">${condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>` : ''}</bpmn:sequenceFlow>`
const service = (id: string): string =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${id}" /></bpmn:extensionElements></bpmn:serviceTask>`

/** Three quotes in parallel; the join goes on once two are in (2-out-of-3 discriminator). */
const quotes = (activation: string): string =>
  definitions(`<bpmn:process id="quotes" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f0', 'Start', 'Fork')}
    <bpmn:parallelGateway id="Fork" />
    ${flow('fa', 'Fork', 'a')}${flow('fb', 'Fork', 'b')}${flow('fc', 'Fork', 'c')}
    ${service('a')}${service('b')}${service('c')}
    ${flow('ja', 'a', 'Join')}${flow('jb', 'b', 'Join')}${flow('jc', 'c', 'Join')}
    <bpmn:complexGateway id="Join">${activation}</bpmn:complexGateway>
    ${flow('fn', 'Join', 'next')}${service('next')}${flow('fe', 'next', 'End')}
    <bpmn:endEvent id="End" />
  </bpmn:process>`)
const twoOfThree = quotes(
  '<bpmn:activationCondition xsi:type="bpmn:tFormalExpression">=activationCount &gt;= 2</bpmn:activationCondition>',
)

async function complete(engine: Engine, type: string): Promise<void> {
  const [job] = await engine.activateJobs({ type, worker: 'test', timeoutMs: 60_000, max: 1 })
  assert.ok(job, `a ${type} job is open`)
  await engine.completeJob(job.key)
}

const gatewayLines = [
  'JoinTokenArrived',
  'JoinTokensConsumed',
  'ComplexGatewayFired',
  'ComplexGatewayReset',
  'ProcessInstanceCompleted',
] as const

describe('engine/complex-gateway', () => {
  it('fires once when its activation condition holds, consumes the late token and resets, across a restart', async (t) => {
    // given three quotes running, on a file store
    const dir = mkdtempSync(join(tmpdir(), 'baton-complex-'))
    const path = join(dir, 'baton.db')
    const clock = new FakeClock()
    let engine = await Engine.open({ path, clock })
    await engine.deploy({ name: 'quotes.bpmn', xml: twoOfThree })
    const { instanceKey } = await engine.createInstance('quotes')

    // when the first quote arrives, the gateway waits
    await complete(engine, 'a')
    let lines = trail(await engine.history(instanceKey), [...gatewayLines, 'JobCreated'])
    assert.ok(!lines.includes('ComplexGatewayFired'))

    // when the second arrives, it fires and the next step starts
    await complete(engine, 'b')
    lines = trail(await engine.history(instanceKey), [...gatewayLines, 'JobCreated'])
    assert.deepEqual(lines.slice(lines.indexOf('JoinTokenArrived Join ja')), [
      'JoinTokenArrived Join ja',
      'JoinTokenArrived Join jb',
      'ComplexGatewayFired',
      'JoinTokensConsumed Join',
      'JobCreated next',
    ])

    // when the engine restarts while the third quote is still out
    await engine.close()
    engine = await Engine.open({ path, clock })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))

    // then the late token is consumed without firing again, and the gateway resets
    await complete(engine, 'c')
    await complete(engine, 'next')
    lines = trail(await engine.history(instanceKey), [...gatewayLines, 'ElementActivating'])
    assert.deepEqual(lines.slice(lines.indexOf('JoinTokenArrived Join jc')), [
      'JoinTokenArrived Join jc',
      'JoinTokensConsumed Join',
      'ComplexGatewayReset',
      'ElementActivating End',
      'ProcessInstanceCompleted',
    ])
    assert.equal(lines.filter((line) => line === 'ElementActivating Join').length, 1)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('without an activation condition waits, like an inclusive join, for every token that can come', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await engine.deploy({ name: 'quotes.bpmn', xml: quotes('') })
    const { instanceKey } = await engine.createInstance('quotes')
    await complete(engine, 'a')
    await complete(engine, 'b')
    assert.ok(!trail(await engine.history(instanceKey)).includes('ElementActivating Join'))
    await complete(engine, 'c')
    const lines = trail(await engine.history(instanceKey), ['JoinTokensConsumed', 'JobCreated'])
    assert.deepEqual(lines.slice(-2), ['JoinTokensConsumed Join', 'JobCreated next'])
  })

  it('splits like an inclusive gateway: every true condition, else the default flow', async (t) => {
    const split = definitions(`<bpmn:process id="split" isExecutable="true">
      <bpmn:startEvent id="Start" />${flow('f0', 'Start', 'Split')}
      <bpmn:complexGateway id="Split" default="fc" />
      ${flow('fa', 'Split', 'a', '=contains(test, "a")')}${flow('fb', 'Split', 'b', '=contains(test, "b")')}${flow('fc', 'Split', 'c')}
      ${service('a')}${service('b')}${service('c')}
    </bpmn:process>`)
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await engine.deploy({ name: 'split.bpmn', xml: split })
    const jobsFor = async (test: string): Promise<string[]> => {
      const { instanceKey } = await engine.createInstance('split', { variables: { test } })
      return trail(await engine.history(instanceKey), ['JobCreated'])
    }
    assert.deepEqual(await jobsFor('ab'), ['JobCreated a', 'JobCreated b'])
    assert.deepEqual(await jobsFor('bc'), ['JobCreated b'])
    assert.deepEqual(await jobsFor('x'), ['JobCreated c'])
  })

  it('rejects at deploy an activation condition that is not a condition or not a formal expression', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await assert.rejects(
      engine.deploy({
        name: 'literal.bpmn',
        xml: quotes(
          '<bpmn:activationCondition xsi:type="bpmn:tFormalExpression">2</bpmn:activationCondition>',
        ),
      }),
      batonError('BATON_MODEL_INVALID', /condition-not-boolean|never true or false/),
    )
    await assert.rejects(
      engine.deploy({
        name: 'plain.bpmn',
        xml: quotes('<bpmn:activationCondition>activationCount &gt;= 2</bpmn:activationCondition>'),
      }),
      batonError('BATON_MODEL_INVALID', /tFormalExpression/),
    )
  })
})
