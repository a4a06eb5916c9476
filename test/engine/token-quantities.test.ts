import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { FakeClock, trail } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="https://baton.dev/test"`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`
const service = (id: string, attributes = ''): string =>
  `<bpmn:serviceTask id="${id}" ${attributes}><bpmn:extensionElements><zeebe:taskDefinition type="${id}" /></bpmn:extensionElements></bpmn:serviceTask>`

/** Pack sends two parcels (completionQuantity 2); Ship waits for both (startQuantity 2). */
const parcels = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_quantities">
  <bpmn:process id="parcels" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'pack')}
    ${service('pack', 'completionQuantity="2"')}${flow('f2', 'pack', 'label')}
    ${service('label')}${flow('f3', 'label', 'ship')}
    ${service('ship', 'startQuantity="2"')}${flow('f4', 'ship', 'End')}
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`

async function complete(engine: Engine, type: string): Promise<number> {
  const jobs = await engine.activateJobs({ type, worker: 'test', timeoutMs: 60_000, max: 10 })
  for (const job of jobs) await engine.completeJob(job.key)
  return jobs.length
}

describe('engine/token-quantities', () => {
  it('completionQuantity sends that many tokens; startQuantity waits for that many, across a restart', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-quantities-'))
    const path = join(dir, 'baton.db')
    let engine = await Engine.open({ path, clock: new FakeClock() })
    await engine.deploy({ name: 'parcels.bpmn', xml: parcels })
    const { instanceKey } = await engine.createInstance('parcels')

    // when pack completes, two labels run
    assert.equal(await complete(engine, 'pack'), 1)
    const labels = await engine.activateJobs({
      type: 'label',
      worker: 'test',
      timeoutMs: 60_000,
      max: 10,
    })
    assert.equal(labels.length, 2)

    // when the first label is done, ship waits for the second token, also after a restart
    await engine.completeJob(labels[0]!.key)
    await engine.close()
    engine = await Engine.open({ path, clock: new FakeClock() })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    assert.equal(await complete(engine, 'ship'), 0)
    await engine.completeJob(labels[1]!.key)

    // then ship starts once, with both tokens consumed
    assert.equal(await complete(engine, 'ship'), 1)
    const lines = trail(await engine.history(instanceKey), [
      'JoinTokenArrived',
      'JoinTokensConsumed',
      'JobCreated',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(lines, [
      'JobCreated pack',
      'JobCreated label',
      'JobCreated label',
      'JoinTokenArrived ship f3',
      'JoinTokenArrived ship f3',
      'JoinTokensConsumed ship',
      'JobCreated ship',
      'ProcessInstanceCompleted',
    ])
  })
})
