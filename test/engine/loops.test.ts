import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, completedElements, FakeClock } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const model = (process: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_loops">${process}</bpmn:definitions>`

const approvals = model(`<bpmn:process id="approvals" isExecutable="true">
  <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Approve" />
  <bpmn:serviceTask id="Approve">
    <bpmn:extensionElements>
      <zeebe:taskDefinition type="approve" />
      <zeebe:ioMapping><zeebe:input source="=approver" target="who" /></zeebe:ioMapping>
    </bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics isSequential="IS_SEQUENTIAL">
      <bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=approvers" inputElement="approver" outputCollection="votes" outputElement="=vote" />
      </bpmn:extensionElements>
      COMPLETION
    </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="Approve" targetRef="End" /><bpmn:endEvent id="End" />
</bpmn:process>`)

async function open(xml: string): Promise<Engine> {
  const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
  await engine.deploy({ name: 'loops.bpmn', xml })
  return engine
}

describe('engine/multi-instance', () => {
  it('runs one job per item in parallel and collects the outputs in input order', async (t) => {
    const engine = await open(approvals.replace('IS_SEQUENTIAL', 'false').replace('COMPLETION', ''))
    t.after(() => engine.close())
    const seen: unknown[] = []
    engine.worker('approve', (job) => {
      seen.push([job.variables['who'], job.variables['loopCounter']])
      return { vote: `${job.variables['who'] as string}:yes` }
    })
    const result = await engine.createInstance('approvals', {
      variables: { approvers: ['ada', 'bob', 'cy'] },
      awaitCompletion: true,
    })
    assert.deepEqual(result.variables?.['votes'], ['ada:yes', 'bob:yes', 'cy:yes'])
    assert.deepEqual(seen.sort(), [
      ['ada', 1],
      ['bob', 2],
      ['cy', 3],
    ])
    assert.equal(
      result.variables?.['approver'],
      undefined,
      'the input element stays local to each iteration',
    )
  })

  it('runs sequentially and stops early when the completion condition holds', async (t) => {
    const engine = await open(
      approvals
        .replace('IS_SEQUENTIAL', 'true')
        .replace(
          'COMPLETION',
          '<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=vote = "no"</bpmn:completionCondition>',
        ),
    )
    t.after(() => engine.close())
    const order: unknown[] = []
    engine.worker('approve', (job) => {
      order.push(job.variables['who'])
      return { vote: job.variables['who'] === 'bob' ? 'no' : 'yes' }
    })
    const result = await engine.createInstance('approvals', {
      variables: { approvers: ['ada', 'bob', 'cy'] },
      awaitCompletion: true,
    })
    assert.deepEqual(order, ['ada', 'bob'])
    assert.deepEqual(result.variables?.['votes'], ['yes', 'no', null])
    const completed = completedElements(await engine.history(result.instanceKey))
    assert.equal(
      completed.filter((id) => id === 'Approve').length,
      3,
      'two iterations and the body',
    )
  })

  it('completes at once over an empty collection, and raises an incident for a collection that is not a list', async (t) => {
    const engine = await open(approvals.replace('IS_SEQUENTIAL', 'false').replace('COMPLETION', ''))
    t.after(() => engine.close())
    const empty = await engine.createInstance('approvals', {
      variables: { approvers: [] },
      awaitCompletion: true,
    })
    assert.deepEqual(empty.variables?.['votes'], [])
    const { instanceKey } = await engine.createInstance('approvals', {
      variables: { approvers: 'ada' },
    })
    const [incident] = await engine.incidents({ instanceKey })
    assert.match(
      incident?.errorMessage ?? '',
      /input collection 'approvers' of 'Approve' must be a list/,
    )
  })
})

describe('engine/standard-loop', () => {
  it('repeats the task while the condition holds, up to the maximum', async (t) => {
    const engine = await open(
      model(`<bpmn:process id="retry" isExecutable="true">
        <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Try" />
        <bpmn:serviceTask id="Try">
          <bpmn:extensionElements><zeebe:taskDefinition type="try" /></bpmn:extensionElements>
          <bpmn:standardLoopCharacteristics testBefore="false" loopMaximum="5">
            <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">=attempts &lt; 3</bpmn:loopCondition>
          </bpmn:standardLoopCharacteristics>
        </bpmn:serviceTask>
        <bpmn:sequenceFlow id="f2" sourceRef="Try" targetRef="End" /><bpmn:endEvent id="End" />
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    engine.worker('try', (job) => ({ attempts: Number(job.variables['attempts'] ?? 0) + 1 }))
    const result = await engine.createInstance('retry', {
      variables: { attempts: 0 },
      awaitCompletion: true,
    })
    assert.equal(result.variables?.['attempts'], 3)
  })
})

describe('engine/multi-instance-validation', () => {
  it('rejects a multi-instance with neither input collection nor cardinality at deploy', async () => {
    const engine = await Engine.open({ path: ':memory:', durable: false })
    try {
      const broken = approvals
        .replace('IS_SEQUENTIAL', 'false')
        .replace('COMPLETION', '')
        .replace(
          /<bpmn:extensionElements>\s*<zeebe:loopCharacteristics[^>]*\/>\s*<\/bpmn:extensionElements>/,
          '',
        )
      await assert.rejects(
        engine.deploy({ name: 'broken.bpmn', xml: broken }),
        batonError('BATON_MODEL_INVALID', /multi-instance-input-required/),
      )
    } finally {
      await engine.close()
    }
  })
})
