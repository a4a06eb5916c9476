import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createClient } from '../../src/client/client.ts'
import type { BatonClient } from '../../src/client/client.ts'
import type {
  IncidentWire,
  ProcessInstanceWire,
  UserTaskWire,
} from '../../src/client/wire-types.ts'
import type { RunningServer } from './cli-process.ts'
import { baton, freePort, startBaton } from './cli-process.ts'

const fixtures = join(import.meta.dirname, 'fixtures')
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-remote-'))
let server: RunningServer
let token: string
let client: BatonClient

before(async () => {
  server = await startBaton([
    '--port',
    '0',
    '--db',
    join(dir, 'baton.db'),
    '--data-dir',
    dir,
    '--no-examples',
  ])
  assert.ok(server.token, `an admin token is printed on the first start:\n${server.output()}`)
  token = server.token
  client = createClient({ baseUrl: server.address, token })
})

after(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** `baton ARGS... --url ADDRESS --token TOKEN` */
function remote(...args: string[]): ReturnType<typeof baton> {
  return baton([...args, '--url', server.address, '--token', token])
}

/** A warning line up to its rule (the message after it is the compiler's to word). */
function summary(line: string): string {
  return line.replace(/(\]) .*$/, '$1')
}

function parsed<Item>(stdout: string): { items: Item[]; totalItems: number } {
  return JSON.parse(stdout) as { items: Item[]; totalItems: number }
}

describe('cli/deploy', () => {
  it('deploys every model under a folder, and reports them unchanged the second time', async () => {
    const first = await remote('deploy', join(fixtures, 'models'))
    assert.equal(first.status, 0, first.stderr)
    assert.match(first.stdout, /^approval\.bpmn: deployed approval v1$/m)
    assert.match(first.stdout, /^nested\/flaky\.bpmn: deployed flaky v1$/m)
    assert.doesNotMatch(first.stdout, /notes\.txt/)
    assert.match(first.stdout, /2 files: 2 deployed, 0 unchanged, 0 rejected/)
    // Not a terminal: no progress bar drawn.
    assert.doesNotMatch(first.stdout, /\r|deploying \[/)

    const second = await remote('deploy', join(fixtures, 'models'), '--json')
    assert.equal(second.status, 0, second.stderr)
    const report = JSON.parse(second.stdout) as {
      files: { file: string; status: string; resources: { id: string; version: number }[] }[]
      deployed: number
      unchanged: number
    }
    assert.deepEqual(
      report.files.map((f) => [f.file, f.status, f.resources.map((r) => `${r.id} v${r.version}`)]),
      [
        ['approval.bpmn', 'unchanged', ['approval v1']],
        ['nested/flaky.bpmn', 'unchanged', ['flaky v1']],
      ],
    )
    assert.equal(report.deployed, 0)
    assert.equal(report.unchanged, 2)
  })

  it('exits 1 and prints each problem of a rejected file, still deploying the others', async () => {
    const result = await remote(
      'deploy',
      join(fixtures, 'broken', 'broken.bpmn'),
      join(fixtures, 'models'),
    )
    assert.equal(result.status, 1, result.stderr)
    assert.match(result.stdout, /^broken\.bpmn: rejected$/m)
    assert.match(
      result.stdout,
      /^ {2}broken\.bpmn \(line \d+, element 'f'\): \[flow-target-missing\]/m,
    )
    assert.match(result.stdout, /\[start-event-required\]/)
    assert.match(result.stdout, /3 files: 0 deployed, 2 unchanged, 1 rejected/)
  })

  it('prints the warnings of a descriptive diagram to stderr, and still exits 0', async () => {
    // when a diagram without executable process is deployed
    const result = await remote('deploy', join(fixtures, 'descriptive'))

    // then it deploys, and each warning names the file, line, element and rule, as validate does
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /^sketch\.bpmn: deployed sketch v1$/m)
    assert.match(result.stdout, /1 file: 1 deployed, 0 unchanged, 0 rejected/)
    assert.deepEqual(
      result.stderr
        .split('\n')
        .filter((line) => line.startsWith('warning: '))
        .map(summary),
      [
        "warning: sketch.bpmn (line 5, element 'sketch'): [process-not-executable]",
        "warning: sketch.bpmn (line 13, element 'Notes'): [flow-node-unreachable]",
      ],
    )
    assert.doesNotMatch(result.stdout, /warning/)

    // and with --json they are in the report, not on stderr
    const json = await remote('deploy', join(fixtures, 'descriptive'), '--json')
    assert.equal(json.status, 0, json.stderr)
    const report = JSON.parse(json.stdout) as { files: { status: string; warnings: string[] }[] }
    assert.deepEqual(
      report.files.map((f) => [f.status, f.warnings.map(summary)]),
      [
        [
          'unchanged',
          [
            "sketch.bpmn (line 5, element 'sketch'): [process-not-executable]",
            "sketch.bpmn (line 13, element 'Notes'): [flow-node-unreachable]",
          ],
        ],
      ],
    )
    assert.doesNotMatch(json.stderr, /warning/)
  })

  it('names a path that does not exist, before contacting any server', async () => {
    const result = await remote('deploy', join(fixtures, 'missing'))
    assert.equal(result.status, 1)
    assert.match(result.stderr, /no such file or folder: .*missing/)
  })
})

describe('cli/instances, tasks and incidents', () => {
  let done: string
  let waiting: string
  let failing: string

  before(async () => {
    // Given: one approval instance completed, one waiting for its task, one flaky with an incident.
    await client.deploy([
      { name: 'approval.bpmn', content: await readFixture('models/approval.bpmn') },
      { name: 'flaky.bpmn', content: await readFixture('models/nested/flaky.bpmn') },
    ])
    done = (await client.createProcessInstance({ processDefinitionId: 'approval' }))
      .processInstanceKey
    waiting = (await client.createProcessInstance({ processDefinitionId: 'approval' }))
      .processInstanceKey
    failing = (await client.createProcessInstance({ processDefinitionId: 'flaky' }))
      .processInstanceKey
    const tasks = await client.searchUserTasks({ filter: { processInstanceKey: done } })
    await client.completeUserTask(tasks.items[0]?.userTaskKey ?? 'none')
    const open = await client.searchUserTasks({ filter: { processInstanceKey: waiting } })
    await client.assignUserTask(open.items[0]?.userTaskKey ?? 'none', { assignee: 'ada' })
    const { jobs } = await client.activateJobs({
      type: 'flaky',
      timeout: 60_000,
      maxJobsToActivate: 1,
      requestTimeout: 5_000,
    })
    await client.failJob(jobs[0]?.jobKey ?? 'none', { retries: 0, errorMessage: 'service down' })
  })

  it('lists instances as JSON, filtered by state and process', async () => {
    const all = await remote('instances', '--json')
    assert.equal(all.status, 0, all.stderr)
    const states = Object.fromEntries(
      parsed<ProcessInstanceWire>(all.stdout).items.map((i) => [i.processInstanceKey, i.state]),
    )
    assert.deepEqual(states, { [done]: 'COMPLETED', [waiting]: 'ACTIVE', [failing]: 'ACTIVE' })

    const active = await remote('instances', '--json', '--state', 'active', '--process', 'approval')
    assert.deepEqual(
      parsed<ProcessInstanceWire>(active.stdout).items.map((i) => i.processInstanceKey),
      [waiting],
    )
    const flaky = parsed<ProcessInstanceWire>(
      (await remote('instances', '--json', '--process', 'flaky')).stdout,
    )
    assert.equal(flaky.items[0]?.hasIncident, true)
  })

  it('prints instances as a table', async () => {
    const table = await remote('instances', '--state', 'completed')
    assert.equal(table.status, 0, table.stderr)
    const lines = table.stdout.trimEnd().split('\n')
    assert.match(lines[0] ?? '', /^KEY\s+PROCESS\s+VERSION\s+STATE\s+STARTED\s+ENDED/)
    assert.equal(lines.length, 2)
    assert.match(lines[1] ?? '', new RegExp(`^${done}\\s+approval\\s+1\\s+COMPLETED\\s`))
  })

  it('lists user tasks by group, assignee and state', async () => {
    const byGroup = parsed<UserTaskWire>(
      (await remote('tasks', '--json', '--group', 'clerks')).stdout,
    )
    assert.equal(byGroup.items.length, 2)
    const open = parsed<UserTaskWire>(
      (await remote('tasks', '--json', '--state', 'created', '--assignee', 'ada')).stdout,
    )
    assert.deepEqual(
      open.items.map((t) => [t.processInstanceKey, t.state, t.assignee]),
      [[waiting, 'CREATED', 'ada']],
    )
    const completed = parsed<UserTaskWire>(
      (await remote('tasks', '--json', '--state', 'completed')).stdout,
    )
    assert.deepEqual(
      completed.items.map((t) => t.processInstanceKey),
      [done],
    )
    const nobody = await remote('tasks', '--group', 'nobody')
    assert.equal(nobody.stdout.trim(), 'no user tasks')
  })

  it('lists open incidents', async () => {
    const result = await remote('incidents', '--json')
    assert.equal(result.status, 0, result.stderr)
    const incidents = parsed<IncidentWire>(result.stdout)
    assert.deepEqual(
      incidents.items.map((i) => [i.processInstanceKey, i.elementId, i.errorType, i.errorMessage]),
      [[failing, 'CallService', 'JOB_NO_RETRIES', 'service down']],
    )
    const table = await remote('incidents')
    assert.match(table.stdout, /CallService\s+JOB_NO_RETRIES\s+ACTIVE\s+.*service down/)
  })
})

describe('cli/remote errors', () => {
  it('says a token is needed when the server answers 401', async () => {
    const result = await baton(['instances', '--url', server.address])
    assert.equal(result.status, 1)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /needs an API token: pass --token or set BATON_TOKEN/)
    assert.match(result.stderr, /baton token create/)
    assert.equal(result.stderr.trim().split('\n').length, 1)
  })

  it('takes the URL and the token from BATON_URL and BATON_TOKEN', async () => {
    const result = await baton(['incidents', '--json'], {
      BATON_URL: server.address,
      BATON_TOKEN: token,
    })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(parsed<IncidentWire>(result.stdout).items.length, 1)
  })

  it('says in one line that the server is not reachable, and how to start one', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    for (const command of ['deploy', 'instances', 'tasks', 'incidents']) {
      const args = command === 'deploy' ? [command, join(fixtures, 'models')] : [command]
      const result = await baton([...args, '--url', url])
      assert.equal(result.status, 1, command)
      assert.equal(
        result.stderr,
        `the Baton server isn't reachable at ${url} (connection refused); start one with 'baton start', or point --url (or BATON_URL) at a running server\n`,
        command,
      )
    }
  })
})

async function readFixture(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises')
  return readFile(join(fixtures, path), 'utf8')
}
