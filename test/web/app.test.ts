/**
 * The web app end to end, in headless Chromium against a real server: sign-in and roles; the
 * acceptance path (open a model in the modeler, deploy, start from its start form, claim and
 * complete its user task through its form, see the instance complete with its history); a
 * broken model's deploy marks the element; an incident retried from the instance page.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import type { WebHarness } from './harness.ts'
import { CHROMIUM, haveChromium, openWebHarness } from './harness.ts'
import { existsSync } from 'node:fs'

const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname

interface Search<T> {
  items: T[]
  page: { totalItems: number }
}

describe('web/app', { timeout: 300_000 }, () => {
  let harness: WebHarness | undefined
  before(async () => {
    if (existsSync(CHROMIUM)) harness = await openWebHarness()
  })
  after(async () => {
    await harness?.close()
  })
  const h = (): WebHarness => harness as WebHarness

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto('/')
    await page.getByLabel('API token').fill(token)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  it('signs in with a token and shows a task user the task list only', async (t) => {
    if (!haveChromium(t)) return
    const context = await h().newContext()
    const page = await context.newPage()
    await page.goto('/')
    await page.getByLabel('API token').waitFor()
    await h().screenshot(page, '01-login')

    await page.getByLabel('API token').fill('not-a-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor()

    await signIn(page, h().adminToken)
    await page.getByRole('link', { name: 'Dashboard' }).waitFor()
    assert.equal(await page.getByRole('link', { name: 'Modeler' }).count(), 1)
    assert.equal(await page.evaluate("localStorage.getItem('baton.token')"), h().adminToken)
    await page.reload()
    await page.getByRole('link', { name: 'Dashboard' }).waitFor()

    const clerk = await h().tokens.create('task-user', { user: 'ada', groups: ['approvers'] })
    const clerkPage = await h().signedInPage(clerk)
    await clerkPage.goto('/')
    await clerkPage.getByTestId('whoami').filter({ hasText: 'ada · task-user' }).waitFor()
    await clerkPage.getByText('A task-user token sees the task list only').waitFor()
    assert.equal(await clerkPage.getByRole('link', { name: 'Dashboard' }).count(), 0)
    assert.equal(await clerkPage.getByRole('link', { name: 'Modeler' }).count(), 0)
    await clerkPage.getByRole('link', { name: 'Tasks' }).first().click()
    await clerkPage.getByTestId('task-count').waitFor()
    await h().screenshot(clerkPage, '02-task-user')
  })

  it('serves the app for its own paths and keeps unknown API paths as problems', async (t) => {
    if (!haveChromium(t)) return
    const page = await fetch(`${h().baseUrl}/instances/123`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<div id="root">/)
    assert.equal((await fetch(`${h().baseUrl}/baton/nothing-here`)).status, 401)
    const api = await fetch(`${h().baseUrl}/baton/nothing-here`, {
      headers: { authorization: `Bearer ${h().adminToken}` },
    })
    assert.equal(api.status, 404)
    assert.equal(((await api.json()) as { code: string }).code, 'BATON_ROUTE_NOT_FOUND')
  })

  it('deploys a model from the modeler, starts it from its start form, and completes its task through its form', async (t) => {
    if (!haveChromium(t)) return
    const page = await h().signedInPage(h().adminToken)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto('/modeler')
    await page.locator('.djs-container').first().waitFor()
    await page.getByLabel('Open a BPMN file').setInputFiles(fixture('approval.bpmn'))
    await page.locator('[data-element-id="Approve"]').first().waitFor()
    assert.equal(await page.locator('.bjs-powered-by').count(), 1, 'the bpmn.io watermark shows')
    await h().screenshot(page, '03-modeler')

    await page.getByRole('button', { name: 'Deploy and run' }).click()
    await page.waitForURL(/\/start\/\d+$/)
    await page.getByLabel('Requester').waitFor()
    await h().screenshot(page, '04-start-form')
    // The start form validates: nothing starts while a required field is empty.
    await page.getByRole('button', { name: 'Start' }).click()
    await page.getByRole('alert').filter({ hasText: 'Fix the marked fields' }).waitFor()
    assert.match(page.url(), /\/start\//)
    await page.getByLabel('Requester').fill('Grace')
    await page.getByLabel('Amount').fill('120')
    await page.getByRole('button', { name: 'Start' }).click()

    await page.waitForURL(/\/instances\/\d+$/)
    const instanceKey = page.url().split('/').pop() as string
    await page.getByTestId('state').filter({ hasText: 'ACTIVE' }).waitFor()
    await page
      .locator('.djs-element.baton-active[data-element-id="Approve"]')
      .waitFor({ state: 'attached' })
    await page
      .locator('.djs-element.baton-taken[data-element-id="Flow_1"]')
      .waitFor({ state: 'attached' })
    await page.locator('[data-variable="requester"]').filter({ hasText: '"Grace"' }).waitFor()
    await h().screenshot(page, '05-instance-active')

    await page.goto('/tasks?filter=open')
    const row = page.locator('.task-row', { hasText: 'Approve expense' })
    await row.click()
    await page.getByRole('button', { name: 'Claim' }).click()
    await page.getByTestId('assignee').filter({ hasText: 'Assigned to demo' }).waitFor()
    await page.getByText('Approve 120 for Grace').waitFor()
    await page.getByRole('button', { name: 'Complete' }).click()
    await page.getByRole('alert').filter({ hasText: 'Fix the marked fields' }).waitFor()
    await h().screenshot(page, '06-task-form')
    await page.getByLabel('Approved').check()
    await page.getByLabel('Comment').fill('fine')
    await page.getByRole('button', { name: 'Complete' }).click()
    // The completed task leaves the list at once.
    await row.waitFor({ state: 'detached' })
    await h().screenshot(page, '07-task-done')

    await page.goto(`/instances/${instanceKey}`)
    await page.getByTestId('state').filter({ hasText: 'COMPLETED' }).waitFor()
    const history = await h().api<{ items: { type: string }[] }>(
      `/baton/process-instances/${instanceKey}/history`,
    )
    const types = history.items.map((event) => event.type)
    for (const type of ['UserTaskCreated', 'UserTaskCompleted', 'ProcessInstanceCompleted']) {
      assert.ok(types.includes(type), `${type} in ${types.join(', ')}`)
    }
    // Latest first: the list starts with the instance's completion.
    await page
      .locator('.history-row')
      .first()
      .filter({ hasText: 'ProcessInstanceCompleted' })
      .waitFor()
    await page.getByLabel('Search the history').fill('UserTaskCompleted')
    await page.locator('.history-row[data-type="UserTaskCompleted"]').waitFor()
    assert.equal(await page.locator('.history-row').count(), 1)
    await page.getByLabel('Search the history').fill('')
    await page.locator('[data-variable="comment"]').filter({ hasText: '"fine"' }).waitFor()
    await h().screenshot(page, '08-instance-completed')
    assert.deepEqual(errors, [])
  })

  it("marks the offending element with the engine's message when a deploy is rejected", async (t) => {
    if (!haveChromium(t)) return
    const page = await h().signedInPage(h().adminToken)
    await page.goto('/modeler')
    await page.locator('.djs-container').first().waitFor()
    await page.getByLabel('Open a BPMN file').setInputFiles(fixture('broken.bpmn'))
    await page.locator('[data-element-id="Charge"]').first().waitFor()
    await page.getByRole('button', { name: 'Deploy', exact: true }).click()
    await page.getByRole('alert').filter({ hasText: 'rejected the deployment' }).waitFor()
    await page
      .locator('.djs-element.baton-problem[data-element-id="Charge"]')
      .waitFor({ state: 'attached' })
    const note = page.locator('.baton-problem-note[data-element-id="Charge"]')
    assert.match(await note.innerText(), /has no zeebe:taskDefinition/)
    await h().screenshot(page, '09-deploy-rejected')
    const deployed = await h().api<{ items: { processDefinitionId: string }[] }>(
      '/baton/process-definitions',
    )
    assert.ok(!deployed.items.some((d) => d.processDefinitionId === 'broken'))
  })

  it('follows the event stream: tasks appear and leave, an instance page turns COMPLETED', async (t) => {
    if (!haveChromium(t)) return
    await h().engine.deploy({
      name: 'approval.bpmn',
      xml: readFileSync(fixture('approval.bpmn'), 'utf8'),
    })
    const tasks = await h().signedInPage(h().adminToken)
    await tasks.goto('/tasks?filter=open')
    await tasks.getByTestId('task-count').filter({ hasText: 'tasks' }).waitFor()
    const { instanceKey } = await h().engine.createInstance('approval', {
      variables: { amount: 9, requester: 'Live' },
    })
    const [task] = await h().engine.userTasks({ instanceKey, status: 'created' })
    assert.ok(task)
    const row = tasks.locator(`[data-task-key="${task.key}"]`)
    await row.waitFor()

    const instancePage = await h().signedInPage(h().adminToken)
    await instancePage.goto(`/instances/${instanceKey}`)
    await instancePage.getByTestId('state').filter({ hasText: 'ACTIVE' }).waitFor()
    await h().engine.completeUserTask(task.key, { approved: false, comment: 'elsewhere' })
    await instancePage.getByTestId('state').filter({ hasText: 'COMPLETED' }).waitFor()
    await row.waitFor({ state: 'detached' })
  })

  it('retries an incident from the instance page', async (t) => {
    if (!haveChromium(t)) return
    let calls = 0
    h().engine.worker('web-test-charge', async () => {
      calls++
      if (calls === 1) throw new Error('card declined')
      return { charged: true }
    })
    await h().engine.deploy({
      name: 'flaky.bpmn',
      xml: readFileSync(fixture('flaky.bpmn'), 'utf8'),
    })
    const { instanceKey } = await h().engine.createInstance('flaky')
    let incidents: Search<{ incidentKey: string }> = { items: [], page: { totalItems: 0 } }
    for (let i = 0; i < 200 && incidents.items.length === 0; i++) {
      await h().engine.idle()
      incidents = await h().api('/v2/incidents/search', {
        filter: { processInstanceKey: instanceKey, state: 'ACTIVE' },
      })
      if (incidents.items.length === 0) await new Promise((resolve) => setTimeout(resolve, 25))
    }
    assert.equal(incidents.items.length, 1)

    const page = await h().signedInPage(h().adminToken)
    await page.goto(`/instances/${instanceKey}`)
    const incident = page.getByTestId('incident')
    await incident.filter({ hasText: 'card declined' }).waitFor()
    await page
      .locator('.djs-element.baton-incident[data-element-id="Charge"]')
      .waitFor({ state: 'attached' })
    await h().screenshot(page, '10-incident')
    await incident.getByRole('button', { name: 'Retry' }).click()
    await page.getByTestId('state').filter({ hasText: 'COMPLETED' }).waitFor()
    await incident.waitFor({ state: 'detached' })
    assert.equal(calls, 2)
    await h().screenshot(page, '11-incident-retried')
  })

  it('embeds a form from the form editor on a user task and deploys the process with it', async (t) => {
    if (!haveChromium(t)) return
    const [deployed] = await h().engine.deploy({
      name: 'approval.bpmn',
      xml: readFileSync(fixture('approval.bpmn'), 'utf8'),
    })
    const page = await h().signedInPage(h().adminToken)
    await page.goto('/forms')
    await page.locator('.fjs-editor-container').waitFor()
    await page.getByLabel('Open a form file').setInputFiles(fixture('review.form'))
    await page.locator('.fjs-editor-container').getByText('Review note').first().waitFor()
    const latest = (
      await h().api<{
        items: {
          processDefinitionKey: string
          processDefinitionId: string
          processDefinitionVersion: number
        }[]
      }>('/baton/process-definitions')
    ).items
      .filter((d) => d.processDefinitionId === 'approval')
      .sort((a, b) => b.processDefinitionVersion - a.processDefinitionVersion)[0]
    assert.ok(deployed && latest)
    await page.getByLabel('Process').selectOption(latest.processDefinitionKey)
    await page.getByLabel('Element').selectOption('Approve')
    await h().screenshot(page, '12-form-editor')
    await page.getByRole('button', { name: 'Deploy with the process' }).click()
    await page
      .getByTestId('deploy-message')
      .filter({ hasText: 'with the form on Approve' })
      .waitFor()

    const { instanceKey } = await h().engine.createInstance('approval', {
      variables: { amount: 1 },
    })
    const [task] = await h().engine.userTasks({ instanceKey, status: 'created' })
    assert.ok(task)
    const form = await h().api<{ schema: { id: string } }>(`/baton/user-tasks/${task.key}/form`)
    assert.equal(form.schema.id, 'expense-review')
  })

  it('deploys a decision table from the decision editor and evaluates it', async (t) => {
    if (!haveChromium(t)) return
    const page = await h().signedInPage(h().adminToken)
    await page.goto('/decisions')
    await page.locator('.tjs-container').waitFor()
    await h().screenshot(page, '13-decision-editor')
    await page.getByRole('button', { name: 'Deploy' }).click()
    await page.getByTestId('deploy-message').filter({ hasText: 'Deployed discount' }).waitFor()
    await page.getByRole('button', { name: 'Evaluate' }).click()
    const result = page.getByTestId('evaluation')
    await result.filter({ hasText: 'Rule_gold' }).waitFor()
    assert.match(await result.innerText(), /Output 0\.1/)
  })

  it('shows counts and incident groups on the dashboard, badges, heatmap and URL filters on the process page, and cancels selected instances', async (t) => {
    if (!haveChromium(t)) return
    h().engine.worker('web-test-decline', async () => {
      throw new Error('gateway down')
    })
    const xml = readFileSync(fixture('flaky.bpmn'), 'utf8')
      .replaceAll('web-test-charge', 'web-test-decline')
      .replaceAll('"flaky"', '"declines"')
      .replace('Flaky charge', 'Declined charge')
    await h().engine.deploy({ name: 'declines.bpmn', xml })
    const small = await h().engine.createInstance('declines', {
      variables: { order: { total: 50 } },
    })
    const large = await h().engine.createInstance('declines', {
      variables: { order: { total: 500 } },
      businessKey: 'b-500',
    })
    for (let i = 0; i < 200; i++) {
      await h().engine.idle()
      const found = await h().api<Search<unknown>>('/v2/incidents/search', {
        filter: { processDefinitionId: 'declines', state: 'ACTIVE' },
      })
      if (found.items.length === 2) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }

    const page = await h().signedInPage(h().adminToken)
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto('/')
    const row = page.locator('tr[data-process="declines"]')
    await row.locator('td.hot', { hasText: '2' }).waitFor()
    await page.getByTestId('incident-groups').getByText('gateway down').waitFor()
    await h().screenshot(page, '14-dashboard')

    await row.getByRole('link', { name: 'Declined charge' }).click()
    await page.waitForFunction("location.pathname.startsWith('/processes/')")
    await page
      .locator('.baton-badges[data-element-id="Charge"] .baton-badge.incident', { hasText: '2' })
      .waitFor()
    await page.getByTestId('instance-total').filter({ hasText: /^2$/ }).waitFor()
    await h().screenshot(page, '15-definition')
    await page.getByLabel('p95 duration').check()
    await page.getByLabel('count').check()
    await page.locator('.djs-element.baton-heat-4').first().waitFor({ state: 'attached' })

    await page.getByLabel('Variable', { exact: true }).fill('order.total')
    await page.getByLabel('Operator').selectOption('gt')
    await page.getByLabel('Value', { exact: true }).fill('100')
    await page.getByRole('button', { name: 'Add filter' }).click()
    await page.waitForFunction(
      "decodeURIComponent(location.search).includes('v=order.total~gt~100')",
    )
    await page.getByTestId('instance-total').filter({ hasText: /^1$/ }).waitFor()
    await page.reload()
    await page.getByTestId('instance-total').filter({ hasText: /^1$/ }).waitFor()
    await page.locator(`[data-instance-key="${large.instanceKey}"]`).waitFor()
    assert.equal(await page.locator(`[data-instance-key="${small.instanceKey}"]`).count(), 0)
    await h().screenshot(page, '16-definition-filtered')

    await page.getByLabel(`Select ${large.instanceKey}`).check()
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
    await page.getByText('Cancelled 1 of 1').waitFor()
    const cancelled = await h().api<{ state: string }>(`/v2/process-instances/${large.instanceKey}`)
    assert.equal(cancelled.state, 'TERMINATED')
    const untouched = await h().api<{ state: string }>(`/v2/process-instances/${small.instanceKey}`)
    assert.equal(untouched.state, 'ACTIVE')
  })
})
