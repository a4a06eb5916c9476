import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { engineWith, trail } from '../support/engine-harness.ts'

describe('engine/terminate-end-event', () => {
  it('at process level, terminates every other token and completes the instance', async (t) => {
    // given one branch waits at a user task, the other at a job
    const { engine } = await engineWith('terminate-process.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('terminate-process')
    const [task] = await engine.userTasks({ instanceKey })
    const [job] = await engine.activateJobs({
      type: 'check-stock',
      worker: 'test',
      timeoutMs: 60_000,
      max: 1,
    })
    assert.ok(task && job)

    // when the job's branch reaches the terminate end event
    await engine.completeJob(job.key, { inStock: false })

    // then the waiting user task is terminated and the instance completes (it is not cancelled)
    const events = await engine.history(instanceKey)
    const tail = trail(events, [
      'ElementTerminated',
      'UserTaskCanceled',
      'ElementCompleted',
      'ProcessInstanceCompleted',
      'ProcessInstanceTerminated',
    ])
    assert.deepEqual(tail.slice(tail.indexOf('ElementCompleted Task_check')), [
      'ElementCompleted Task_check',
      'UserTaskCanceled',
      'ElementTerminated Task_wait',
      'ElementCompleted EndEvent_abort',
      'ProcessInstanceCompleted',
    ])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.equal((await engine.getUserTask(task.key))?.status, 'canceled')
    assert.equal(trail(events).includes('ElementActivating EndEvent_approved'), false)
  })

  it('inside a subprocess, ends only the subprocess; the process goes on after it', async (t) => {
    // given
    const { engine } = await engineWith('terminate-subprocess.bpmn')
    t.after(() => engine.close())

    // when the subprocess forks into a user task and a terminate end event
    const { instanceKey } = await engine.createInstance('terminate-subprocess')

    // then the inner task is terminated, the subprocess completes and the next task waits
    const events = await engine.history(instanceKey)
    assert.deepEqual(
      trail(events, [
        'ElementTerminated',
        'ElementCompleted',
        'UserTaskCreated',
        'UserTaskCanceled',
        'ProcessInstanceCompleted',
      ]),
      [
        'ElementCompleted StartEvent_1',
        'ElementCompleted StartEvent_inner',
        'ElementCompleted Gateway_innerFork',
        'UserTaskCreated',
        'UserTaskCanceled',
        'ElementTerminated Task_inner',
        'ElementCompleted EndEvent_innerTerminate',
        'ElementCompleted SubProcess_attempt',
        'UserTaskCreated',
      ],
    )
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'active')
    assert.deepEqual(
      Object.values(record.state.elements).map((e) => e.elementId),
      ['Task_after'],
    )
    const open = await engine.userTasks({ instanceKey, status: 'created' })
    assert.deepEqual(
      open.map((task) => task.elementId),
      ['Task_after'],
    )

    // when the task after the subprocess completes
    await engine.completeUserTask(open[0]?.key ?? '')

    // then the process completes normally
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })
})
