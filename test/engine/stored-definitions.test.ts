import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts'
import { batonError, FakeClock } from '../support/engine-harness.ts'

/** Plain BPMN (no engine dialect) whose subprocess has no end event: deploys refuse it now. */
const plain = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_plain" targetNamespace="https://baton.dev/test">
  <process id="legacy" isExecutable="true">
    <startEvent id="Start" />
    <sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <subProcess id="Sub">
      <startEvent id="SubStart" />
      <sequenceFlow id="s1" sourceRef="SubStart" targetRef="Work" />
      <task id="Work" />
    </subProcess>
    <sequenceFlow id="f2" sourceRef="Sub" targetRef="End" />
    <endEvent id="End" />
  </process>
</definitions>`

describe('engine/stored-definitions', () => {
  it('keeps running a definition stored before a specification rule that a deploy now applies', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-stored-'))
    const path = join(dir, 'baton.db')

    // given a deploy of the model is refused today, naming the rule
    const fresh = await Engine.open({ path, durable: false, clock: new FakeClock() })
    await assert.rejects(
      fresh.deploy({ name: 'legacy.bpmn', xml: plain }),
      batonError('BATON_MODEL_INVALID', /end-event-required/),
    )
    await fresh.close()

    // and a store holding it as an older version of Baton deployed it
    const store = await openSqliteStore({ path, durable: false })
    await store.saveProcessDefinitions([
      {
        key: '2251799813685000',
        bpmnProcessId: 'legacy',
        version: 1,
        name: null,
        resourceName: 'legacy.bpmn',
        xml: plain,
        contentHash: createHash('sha256').update(plain).digest('hex'),
        deployedAt: 0,
      },
    ])
    await store.close()

    // when the engine opens on that store
    const engine = await Engine.open({ path, durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))

    // then the definition is there and runs
    assert.deepEqual(
      engine.processDefinitions().map((d) => [d.bpmnProcessId, d.version]),
      [['legacy', 1]],
    )
    const { instanceKey } = await engine.createInstance('legacy')
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })
})
