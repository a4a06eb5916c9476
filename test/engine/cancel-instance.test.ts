import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { batonError, engineWith, trail } from '../support/engine-harness.ts'

describe('engine/cancel-instance', () => {
  it('terminates every element, cancels open jobs and user tasks, and ends the instance as terminated', async (t) => {
    // given an instance waiting at a job and a user task
    const { engine } = await engineWith('cancel-order.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('cancel-order')
    const [task] = await engine.userTasks({ instanceKey })
    const jobKey = (await engine.history(instanceKey)).find((e) => e.type === 'JobCreated')
    assert.ok(task && jobKey?.type === 'JobCreated')

    // when
    await engine.cancelInstance(instanceKey)

    // then
    const events = await engine.history(instanceKey)
    const ending = trail(events, [
      'JobCanceled',
      'UserTaskCanceled',
      'ElementTerminated',
      'ProcessInstanceTerminated',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual([...ending].sort(), [
      'ElementTerminated Task_confirm',
      'ElementTerminated Task_reserve',
      'JobCanceled',
      'ProcessInstanceTerminated',
      'UserTaskCanceled',
    ])
    assert.equal(ending.at(-1), 'ProcessInstanceTerminated')
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'terminated')
    assert.deepEqual(record.state.elements, {})
    assert.equal(await engine.getJob(jobKey.jobKey), undefined)
    assert.deepEqual(
      await engine.activateJobs({
        type: 'reserve-stock',
        worker: 'test',
        timeoutMs: 1000,
        max: 10,
      }),
      [],
    )
    assert.equal((await engine.getUserTask(task.key))?.status, 'canceled')
    assert.equal((await engine.userTasks({ candidateGroup: 'sales', status: 'created' })).length, 0)

    // and the cancelled work can no longer be completed
    await assert.rejects(
      engine.completeJob(jobKey.jobKey),
      batonError('BATON_JOB_NOT_FOUND', new RegExp(jobKey.jobKey)),
    )
    await assert.rejects(
      engine.completeUserTask(task.key),
      batonError('BATON_USER_TASK_NOT_ACTIVE', /canceled/),
    )
    await assert.rejects(
      engine.cancelInstance(instanceKey),
      batonError('BATON_INSTANCE_NOT_ACTIVE', /terminated/),
    )
  })

  it('cancels the job a worker holds: its late completion is refused', async (t) => {
    // given a worker holding the job
    const { engine } = await engineWith('cancel-order.bpmn')
    let release = (): void => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    t.after(async () => {
      release()
      await engine.close()
    })
    const errors: unknown[] = []
    let started = 0
    engine.worker(
      'reserve-stock',
      async () => {
        started++
        await held
        return { reserved: true }
      },
      { onError: (error) => errors.push(error) },
    )
    const { instanceKey } = await engine.createInstance('cancel-order')
    for (let turn = 0; turn < 100 && started === 0; turn++)
      await new Promise((resolve) => setImmediate(resolve))
    assert.equal(started, 1)

    // when the instance is cancelled and then the handler returns
    await engine.cancelInstance(instanceKey)
    release()
    for (let turn = 0; turn < 100 && errors.length === 0; turn++)
      await new Promise((resolve) => setImmediate(resolve))

    // then the completion was refused and nothing was added to the log
    assert.equal((errors[0] as { code?: string }).code, 'BATON_INSTANCE_NOT_ACTIVE')
    const events = await engine.history(instanceKey)
    assert.equal(events.at(-1)?.type, 'ProcessInstanceTerminated')
    assert.equal(
      events.some((e) => e.type === 'JobCompleted'),
      false,
    )
  })
})
