import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { startServer } from '../../src/cli/server-command.ts'
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

/** One service task: an instance waits there for its job. */
const waiting = (taskDefinition: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Defs_waiting" targetNamespace="https://baton.dev/test">
  <process id="waiting" isExecutable="true">
    <startEvent id="Start" />
    <sequenceFlow id="f1" sourceRef="Start" targetRef="Work" />
    <serviceTask id="Work">
      <extensionElements>${taskDefinition}</extensionElements>
    </serviceTask>
    <sequenceFlow id="f2" sourceRef="Work" targetRef="End" />
    <endEvent id="End" />
  </process>
</definitions>`

describe('engine/stored-definitions', () => {
  it('names a stored definition it cannot compile, and refuses its instances with the reason', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-stored-'))
    const path = join(dir, 'baton.db')

    // given an instance waiting at a service task, and another process deployed beside it
    const first = await Engine.open({ path, durable: false, clock: new FakeClock() })
    await first.deploy({
      name: 'waiting.bpmn',
      xml: waiting('<zeebe:taskDefinition type="work" />'),
    })
    await first.deploy({
      name: 'legacy.bpmn',
      xml: plain.replace(
        '<task id="Work" />',
        '<task id="Work" /><endEvent id="SubEnd" /><sequenceFlow id="s2" sourceRef="Work" targetRef="SubEnd" />',
      ),
    })
    const { instanceKey } = await first.createInstance('waiting')
    await first.close()

    // and its stored model is one this version cannot compile (a service task without a job type)
    const db = new Database(path)
    db.prepare('UPDATE process_definitions SET xml = ? WHERE bpmn_process_id = ?').run(
      waiting(''),
      'waiting',
    )
    db.close()

    // when the engine opens on that store
    const engine = await Engine.open({ path, durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    t.after(() => rmSync(dir, { recursive: true, force: true }))

    // then it says which definition did not load and why, and runs the other one
    const [failed, ...more] = engine.definitionsNotLoaded()
    assert.equal(more.length, 0)
    assert.equal(failed?.bpmnProcessId, 'waiting')
    assert.equal(failed?.version, 1)
    assert.match(failed?.reason ?? '', /^waiting\.bpmn \(.*element 'Work'\): \[[a-z-]+\] /)
    assert.deepEqual(
      engine.processDefinitions().map((d) => d.bpmnProcessId),
      ['legacy'],
    )
    const other = await engine.createInstance('legacy')
    assert.equal((await engine.getInstance(other.instanceKey))?.status, 'completed')

    // and a command on the waiting instance is refused with that reason, the instance untouched
    await assert.rejects(
      engine.cancelInstance(instanceKey),
      batonError(
        'BATON_PROCESS_NOT_FOUND',
        /cannot compile it[^]*waiting\.bpmn \(.*element 'Work'\)/,
      ),
    )
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')
    await engine.close()

    // and `baton start` on that store says so when it starts
    const lines: string[] = []
    const stop = await startServer(
      { db: path, port: 0, host: '127.0.0.1', auth: false, examples: false, dataDir: dir },
      (line) => lines.push(line),
    )
    try {
      // and its metrics count it, for an alert
      const address = /listening on (http:\S+)/.exec(lines.join('\n'))?.[1]
      const metrics = await (await fetch(`${address}/metrics`)).text()
      assert.match(metrics, /^baton_process_definitions_not_loaded 1$/m)
    } finally {
      await stop()
    }
    const warning = lines.find((line) => line.startsWith('warning:'))
    assert.match(
      warning ?? lines.join('\n'),
      /^warning: process definition \d+ \(waiting version 1\) is stored but this Baton cannot compile it; its instances wait:\nwaiting\.bpmn/,
    )
  })

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
