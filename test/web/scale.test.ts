/**
 * The web app with 10,000 instances and 10,000 open tasks: lists render only the rows in view
 * (virtualized) and the instance table pages on the server as it scrolls. Timing lives in no
 * assertion here: what is checked is how much the page holds and fetches.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { WebHarness } from './harness.ts'
import { CHROMIUM, haveChromium, openWebHarness } from './harness.ts'

const INSTANCES = 10_000

describe('web/scale', { timeout: 300_000 }, () => {
  let harness: WebHarness | undefined
  let definitionKey = ''
  before(async () => {
    if (!existsSync(CHROMIUM)) return
    harness = await openWebHarness()
    const engine = harness.engine
    const xml = readFileSync(new URL('./fixtures/approval.bpmn', import.meta.url), 'utf8')
    const [deployed] = await engine.deploy({ name: 'approval.bpmn', xml })
    definitionKey = String(deployed?.key)
    for (let batch = 0; batch < INSTANCES / 1000; batch++) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          engine.createInstance('approval', {
            variables: { amount: batch * 1000 + i, requester: `r${i % 7}` },
          }),
        ),
      )
    }
  })
  after(async () => {
    await harness?.close()
  })
  const h = (): WebHarness => harness as WebHarness

  it('lists 10,000 open tasks with only the rows in view in the page', async (t) => {
    if (!haveChromium(t)) return
    const page = await h().signedInPage(h().adminToken)
    await page.goto('/tasks?filter=open&sort=priority')
    await page
      .getByTestId('task-count')
      .filter({ hasText: `${INSTANCES} tasks` })
      .waitFor()
    const rendered = await page.locator('.task-row').count()
    assert.ok(rendered > 0 && rendered < 80, `${rendered} rows in the DOM`)
    await page.getByTestId('task-rows').evaluate((list) => {
      list.scrollTop = list.scrollHeight
    })
    await page.locator('.task-row').last().waitFor()
    assert.ok((await page.locator('.task-row').count()) < 80)
    await h().screenshot(page, '20-tasks-10k')
  })

  it('pages 10,000 instances on the server as the table scrolls', async (t) => {
    if (!haveChromium(t)) return
    const page = await h().signedInPage(h().adminToken)
    const searches: string[] = []
    page.on('request', (request) => {
      if (request.url().endsWith('/v2/process-instances/search')) {
        searches.push(request.postData() ?? '')
      }
    })
    await page.goto(`/processes/${definitionKey}?state=ACTIVE`)
    await page
      .getByTestId('instance-total')
      .filter({ hasText: String(INSTANCES) })
      .waitFor()
    assert.equal(searches.length, 1)
    assert.equal((JSON.parse(searches[0] ?? '{}') as { page: { limit: number } }).page.limit, 100)
    const rows = page.locator('[data-testid="instance-rows"] .instance-row')
    assert.ok((await rows.count()) < 60)
    // Listening before the scroll: the next page's answer can come back before the rows render.
    const nextPage = page.waitForResponse(
      (response) =>
        response.url().endsWith('/v2/process-instances/search') &&
        (response.request().postData() ?? '').includes('"after"'),
    )
    await page.getByTestId('instance-rows').evaluate((list) => {
      list.scrollTop = list.scrollHeight
    })
    await page.locator('[data-instance-key]').first().waitFor()
    await nextPage
    assert.ok(searches.length >= 2, `${searches.length} searches`)
    assert.ok(JSON.parse(searches[1] ?? '{}').page.after, 'the next page asks after a cursor')
    assert.ok((await rows.count()) < 60)
    await h().screenshot(page, '21-instances-10k')
  })
})
