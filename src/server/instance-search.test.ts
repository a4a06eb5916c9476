import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { TestServer } from './test-support.ts'
import { openTestServer, reviewAndPayBpmn } from './test-support.ts'

describe('server/process instance search by variables, dates and business key', () => {
  let server: TestServer
  let time = Date.UTC(2030, 0, 1)
  const keys: string[] = []

  before(async () => {
    server = await openTestServer({ engine: { clock: { now: () => time } } })
    await server.engine.deploy({ name: 'review-and-pay.bpmn', xml: reviewAndPayBpmn })
    const starts = [
      { amount: 500, customer: { tier: 'gold' } },
      { amount: 1500, customer: { tier: 'silver' } },
      { amount: 2500, customer: { tier: 'gold' }, rush: true },
    ]
    for (const [index, variables] of starts.entries()) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances',
        payload: {
          processDefinitionId: 'review-and-pay',
          variables,
          businessKey: `order-${index}`,
        },
      })
      assert.equal(response.statusCode, 200, response.body)
      keys.push(response.json<{ processInstanceKey: string }>().processInstanceKey)
      time += 60_000
    }
  })
  after(async () => server.close())

  async function search(filter: Record<string, unknown>): Promise<string[]> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances/search',
      payload: { filter },
    })
    assert.equal(response.statusCode, 200, response.body)
    const body = response.json<{
      items: { processInstanceKey: string }[]
      page: { totalItems: number }
    }>()
    assert.equal(body.page.totalItems, body.items.length)
    return body.items.map((item) => item.processInstanceKey)
  }

  it('matches Camunda-style equality on JSON text, and Baton operators and paths', async () => {
    assert.deepEqual(await search({ variables: [{ name: 'amount', value: '1500' }] }), [keys[1]])
    assert.deepEqual(
      await search({ variables: [{ name: 'amount', operator: 'gt', value: '1000' }] }),
      [keys[1], keys[2]],
    )
    assert.deepEqual(
      await search({
        variables: [
          { name: 'customer', path: ['tier'], value: 'gold' },
          { name: 'amount', operator: 'gte', value: '1000' },
        ],
      }),
      [keys[2]],
    )
    assert.deepEqual(await search({ variables: [{ name: 'rush', operator: 'exists' }] }), [keys[2]])
    assert.deepEqual(
      await search({
        variables: [
          { name: 'customer', path: ['tier'], operator: 'in', values: ['"silver"', 'bronze'] },
        ],
      }),
      [keys[1]],
    )
  })

  it('filters by start time, business key and a key together with variables', async () => {
    const start = Date.UTC(2030, 0, 1)
    assert.deepEqual(await search({ startedAfter: new Date(start + 60_000).toISOString() }), [
      keys[1],
      keys[2],
    ])
    assert.deepEqual(await search({ startedBefore: new Date(start + 60_000).toISOString() }), [
      keys[0],
    ])
    assert.deepEqual(await search({ businessKey: 'order-2' }), [keys[2]])
    assert.deepEqual(
      await search({
        processInstanceKey: keys[2],
        variables: [{ name: 'rush', operator: 'exists' }],
      }),
      [keys[2]],
    )
    assert.deepEqual(
      await search({
        processInstanceKey: keys[1],
        variables: [{ name: 'rush', operator: 'exists' }],
      }),
      [],
    )
  })

  it('names the field of a condition it cannot use', async () => {
    for (const [variables, pattern] of [
      [[{ name: 'amount', operator: 'gt' }], /variables\[0\].*needs a value/],
      [[{ name: 'amount', operator: 'lt', value: 'true' }], /compares numbers or strings/],
      [[{ name: 'a"b', operator: 'exists' }], /quotes/],
      [[{ name: 'amount', operator: 'in' }], /needs values/],
      [[{ name: 'amount', operator: 'like', value: '1' }], /operator/],
    ] as const) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances/search',
        payload: { filter: { variables } },
      })
      assert.equal(response.statusCode, 400, response.body)
      assert.match(response.body, pattern)
    }
    const badDate = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances/search',
      payload: { filter: { startedAfter: 'yesterday' } },
    })
    assert.equal(badDate.statusCode, 400)
  })
})
