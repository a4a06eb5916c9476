import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, FakeClock, trail } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`
const job = (type: string): string =>
  `<bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements>`

/** Three sequential reviews; each one done (None) or the first done (One) signals 'reviewed'. */
const reviews = (behavior: 'None' | 'One', ref = 'Def_reviewed'): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_behavior">
  <bpmn:signal id="Sig_reviewed" name="reviewed" />
  <bpmn:signalEventDefinition id="Def_reviewed" signalRef="Sig_reviewed" />
  <bpmn:timerEventDefinition id="Def_timer"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
  <bpmn:process id="reviews" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Review')}
    <bpmn:serviceTask id="Review">${job('review')}
      <bpmn:multiInstanceLoopCharacteristics isSequential="true" behavior="${behavior}" ${behavior === 'None' ? 'noneBehaviorEventRef' : 'oneBehaviorEventRef'}="${ref}">
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="Reviewed" attachedToRef="Review"><bpmn:signalEventDefinition signalRef="Sig_reviewed" /></bpmn:boundaryEvent>
    ${flow('f2', 'Reviewed', 'Notify')}<bpmn:serviceTask id="Notify">${job('notify')}</bpmn:serviceTask>
    ${flow('f3', 'Notify', 'Notified')}<bpmn:endEvent id="Notified" />
    ${flow('f4', 'Review', 'Publish')}<bpmn:serviceTask id="Publish">${job('publish')}</bpmn:serviceTask>
    ${flow('f5', 'Publish', 'End')}<bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`

async function completeAll(engine: Engine, type: string): Promise<number> {
  const jobs = await engine.activateJobs({ type, worker: 'test', timeoutMs: 60_000, max: 10 })
  for (const job of jobs) await engine.completeJob(job.key)
  return jobs.length
}

describe('engine/multi-instance-behavior', () => {
  it('behavior None throws its event after each instance, caught by the boundary without interrupting, across a restart', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-mi-behavior-'))
    const path = join(dir, 'baton.db')
    let engine = await Engine.open({ path, clock: new FakeClock() })
    // Closed before its files are removed (the hooks run in the order they were added).
    t.after(async () => {
      await engine.close()
      rmSync(dir, { recursive: true, force: true })
    })
    await engine.deploy({ name: 'reviews.bpmn', xml: reviews('None') })
    const { instanceKey } = await engine.createInstance('reviews')

    assert.equal(await completeAll(engine, 'review'), 1)
    await engine.close()
    engine = await Engine.open({ path, clock: new FakeClock() })
    assert.equal(await completeAll(engine, 'review'), 1)
    assert.equal(await completeAll(engine, 'review'), 1)
    assert.equal(await completeAll(engine, 'notify'), 3)
    assert.equal(await completeAll(engine, 'publish'), 1)

    const lines = trail(await engine.history(instanceKey), ['JobCreated', 'ElementTerminated'])
    // Each completion starts the next review and the notification side by side (the boundary's
    // path is queued behind the loop's own step); no review is terminated.
    assert.deepEqual(lines, [
      'JobCreated review',
      'JobCreated review',
      'JobCreated notify',
      'JobCreated review',
      'JobCreated notify',
      'JobCreated publish',
      'JobCreated notify',
    ])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('behavior One throws its event once, after the first instance', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await engine.deploy({ name: 'reviews.bpmn', xml: reviews('One') })
    const { instanceKey } = await engine.createInstance('reviews')
    for (let i = 0; i < 3; i++) await completeAll(engine, 'review')
    const lines = trail(await engine.history(instanceKey), ['JobCreated'])
    assert.deepEqual(lines, [
      'JobCreated review',
      'JobCreated review',
      'JobCreated notify',
      'JobCreated review',
      'JobCreated publish',
    ])
  })

  it('rejects at deploy a behavior event that is not a signal, message or escalation', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await assert.rejects(
      engine.deploy({ name: 'timer.bpmn', xml: reviews('None', 'Def_timer') }),
      batonError('BATON_MODEL_INVALID', /noneBehaviorEventRef/),
    )
  })
})
