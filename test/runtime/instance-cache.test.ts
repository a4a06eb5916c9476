import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { completedElements } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="https://baton.dev/test"`
const review = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_review"><bpmn:process id="review" isExecutable="true">
  <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
  <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End" /><bpmn:endEvent id="End" />
</bpmn:process></bpmn:definitions>`
const reference = readFileSync(new URL('../../examples/reference.bpmn', import.meta.url), 'utf8')

describe('runtime/instance-cache', () => {
  it('keeps at most maxCachedInstances waiting instances in memory and reads the others back from the store', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, maxCachedInstances: 2 })
    t.after(() => engine.close())
    await engine.deploy({ name: 'review.bpmn', xml: review })

    const keys: string[] = []
    for (let i = 0; i < 10; i++) {
      keys.push((await engine.createInstance('review', { variables: { i } })).instanceKey)
    }
    assert.ok(engine.stats().cachedInstances <= 2, `${engine.stats().cachedInstances} cached`)

    for (const task of await engine.userTasks({ status: 'created' })) {
      await engine.completeUserTask(task.key, { done: true })
    }
    for (const [i, key] of keys.entries()) {
      const instance = await engine.getInstance(key)
      assert.equal(instance?.status, 'completed')
      assert.deepEqual(instance.state.variables[key], { i, done: true })
      assert.deepEqual(completedElements(await engine.history(key)), ['Start', 'Review', 'End'])
    }
    assert.equal(engine.stats().cachedInstances, 0)
  })

  it('runs instances with in-process workers to their end when nothing may stay cached', async (t) => {
    const engine = await Engine.open({ path: ':memory:', durable: false, maxCachedInstances: 0 })
    t.after(() => engine.close())
    await engine.deploy({ name: 'reference.bpmn', xml: reference })
    engine.worker('validate', () => ({ valid: true }))
    engine.worker('charge', () => ({ charged: true }))
    engine.worker('reserve', () => ({ reserved: true }))

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        engine.createInstance('reference', { variables: { amount: i }, awaitCompletion: true }),
      ),
    )
    assert.deepEqual(
      results.map((r) => r.status),
      Array.from({ length: 20 }, () => 'completed'),
    )
    assert.deepEqual(
      results.map((r) => r.variables?.['charged'] === true && r.variables['reserved'] === true),
      Array.from({ length: 20 }, () => true),
    )
  })
})
