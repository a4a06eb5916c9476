import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { TestServer } from './test-support.ts'
import { deploy, openTestServer } from './test-support.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const overheat = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_overheat">
  <bpmn:process id="overheat" isExecutable="true">
    <bpmn:startEvent id="Hot"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">=temperature &gt; 40</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Hot" targetRef="Done" />
    <bpmn:endEvent id="Done" />
  </bpmn:process>
</bpmn:definitions>`

describe('server/conditionals', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
  })
  afterEach(async () => server.close())

  const evaluate = (payload: object) =>
    server.app.inject({ method: 'POST', url: '/v2/conditionals/evaluation', payload })

  it('starts an instance at a conditional start event whose condition holds', async () => {
    const deployed = await deploy(server.app, [{ name: 'overheat.bpmn', content: overheat }])
    const definitionKey = deployed.deployments[0]?.processDefinition.processDefinitionKey

    const cold = await evaluate({ variables: { temperature: 20 } })
    const hot = await evaluate({ variables: { temperature: 55 } })

    assert.equal(cold.statusCode, 200)
    assert.deepEqual(cold.json<{ processInstances: unknown[] }>().processInstances, [])
    assert.equal(hot.statusCode, 200)
    const body = hot.json<{
      conditionalEvaluationKey: string
      tenantId: string
      processInstances: { processDefinitionKey: string; processInstanceKey: string }[]
    }>()
    assert.match(body.conditionalEvaluationKey, /^[0-9]+$/)
    assert.equal(body.processInstances.length, 1)
    assert.equal(body.processInstances[0]?.processDefinitionKey, definitionKey)
    const instance = await server.app.inject({
      method: 'GET',
      url: `/v2/process-instances/${body.processInstances[0]?.processInstanceKey}`,
    })
    assert.equal(instance.json<{ state: string }>().state, 'COMPLETED')
  })

  it('answers an unknown definition with 404 and missing variables with 400', async () => {
    const unknown = await evaluate({ variables: {}, processDefinitionKey: '12345' })
    const missing = await evaluate({})

    assert.equal(unknown.statusCode, 404)
    assert.equal(unknown.json<{ code: string }>().code, 'BATON_PROCESS_NOT_FOUND')
    assert.equal(missing.statusCode, 400)
    assert.equal(missing.json<{ code: string }>().code, 'BATON_REQUEST_INVALID')
  })
})
