import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { DeploymentResponse, EvaluateDecisionResponse } from '../client/wire-types.ts'
import type { TestServer } from './test-support.ts'
import { multipart, openTestServer } from './test-support.ts'
import { createMemoryTokenStore } from './tokens.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

interface Answer {
  statusCode: number
  json<T = unknown>(): T
}

function assertProblem(response: Answer, status: number, code: string): string {
  assert.equal(response.statusCode, status)
  const problem = response.json<{ code: string; detail: string }>()
  assert.equal(problem.code, code)
  return problem.detail
}

describe('server/decisions', () => {
  let server: TestServer
  let deployment: DeploymentResponse
  const evaluate = (payload: object, headers: Record<string, string> = {}): Promise<Answer> =>
    server.app.inject({
      method: 'POST',
      url: '/v2/decision-definitions/evaluation',
      payload,
      headers,
    })

  beforeEach(async () => {
    server = await openTestServer()
    // Named .xml on purpose: the DMN namespace of the root element tells it apart.
    const body = multipart([
      { name: 'risk-rules.xml', content: fixture('risk-rules.dmn') },
      { name: 'assess-risk.bpmn', content: fixture('assess-risk.bpmn') },
    ])
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    assert.equal(response.statusCode, 200, response.body)
    deployment = response.json<DeploymentResponse>()
  })
  afterEach(async () => server.close())

  it('deploys DMN files next to BPMN files and answers their decision definitions', () => {
    assert.deepEqual(
      deployment.deployments.map((d) =>
        d.processDefinition
          ? ['process', d.processDefinition.processDefinitionId]
          : ['decision', d.decisionDefinition?.decisionDefinitionId, d.decisionDefinition?.version],
      ),
      [
        ['process', 'assess-risk'],
        ['decision', 'risk', 1],
      ],
    )
    assert.equal(
      deployment.deployments[1]?.decisionDefinition?.decisionRequirementsId,
      'risk-rules',
    )
  })

  it('evaluates the latest version of a decision by id, with its matched rules and inputs', async () => {
    const response = await evaluate({ decisionDefinitionId: 'risk', variables: { amount: 250 } })

    assert.equal(response.statusCode, 200)
    const answer = response.json<EvaluateDecisionResponse>()
    assert.equal(answer.output, '"medium"')
    assert.equal(answer.decisionDefinitionVersion, 1)
    assert.equal(
      answer.decisionDefinitionKey,
      deployment.deployments[1]?.decisionDefinition?.decisionDefinitionKey,
    )
    assert.deepEqual(answer.evaluatedDecisions, [
      {
        decisionDefinitionId: 'risk',
        decisionDefinitionKey: answer.decisionDefinitionKey,
        decisionDefinitionName: 'Risk',
        decisionDefinitionVersion: 1,
        output: '"medium"',
        matchedRules: [{ ruleId: 'rule_medium', ruleIndex: 2 }],
        evaluatedInputs: [{ inputId: 'amount', inputName: 'amount', inputValue: '250' }],
        tenantId: '<default>',
      },
    ])
  })

  it('evaluates one version by key, and the process calls the same decision', async () => {
    const key = deployment.deployments[1]?.decisionDefinition?.decisionDefinitionKey
    const byKey = await evaluate({ decisionDefinitionKey: key, variables: { amount: 5 } })
    assert.equal(byKey.json<EvaluateDecisionResponse>().output, '"low"')

    const created = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: {
        processDefinitionId: 'assess-risk',
        variables: { amount: 5000 },
        awaitCompletion: true,
      },
    })
    assert.equal(created.statusCode, 200, created.body)
    assert.deepEqual(created.json<{ variables: object }>().variables, {
      amount: 5000,
      riskLevel: 'high',
    })
  })

  it('answers 404 for a decision that is not deployed and 400 for an ambiguous request', async () => {
    assert.match(
      assertProblem(
        await evaluate({ decisionDefinitionId: 'fee' }),
        404,
        'BATON_DECISION_NOT_FOUND',
      ),
      /no decision 'fee' is deployed/,
    )
    assertProblem(
      await evaluate({ decisionDefinitionKey: '12345' }),
      404,
      'BATON_DECISION_NOT_FOUND',
    )
    assertProblem(
      await evaluate({ decisionDefinitionId: 'risk', decisionDefinitionKey: '12345' }),
      400,
      'BATON_REQUEST_INVALID',
    )
    assertProblem(await evaluate({}), 400, 'BATON_REQUEST_INVALID')
  })

  it('rejects a deployment whose DMN file is invalid, with the problems of the file', async () => {
    const body = multipart([
      { name: 'broken.dmn', content: fixture('risk-rules.dmn').replace('FIRST', 'MOST') },
    ])
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    assert.match(assertProblem(response, 400, 'BATON_MODEL_INVALID'), /broken\.dmn/)
  })

  it('lets operators evaluate decisions and refuses workers', async () => {
    await server.close()
    const tokens = createMemoryTokenStore()
    server = await openTestServer({ auth: { mode: 'tokens', tokens } })
    const operator = { authorization: `Bearer ${await tokens.create('operator')}` }
    const worker = { authorization: `Bearer ${await tokens.create('worker')}` }

    assertProblem(
      await evaluate({ decisionDefinitionId: 'risk' }, worker),
      403,
      'BATON_AUTH_FORBIDDEN',
    )
    assertProblem(
      await evaluate({ decisionDefinitionId: 'risk' }, operator),
      404,
      'BATON_DECISION_NOT_FOUND',
    )
  })
})
