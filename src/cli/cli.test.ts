import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('./main.ts', import.meta.url))
const examples = fileURLToPath(new URL('../../examples/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function baton(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('cli/validate', () => {
  it('exits 0 and names the processes when every file is valid', () => {
    const { status, stdout } = baton(
      'validate',
      join(examples, 'order-to-cash.bpmn'),
      join(examples, 'reference.bpmn'),
    )
    assert.equal(status, 0)
    assert.match(stdout, /order-to-cash\.bpmn: valid \(2 processes: order-to-cash, invoice\)/)
    assert.match(stdout, /2 valid, 0 invalid/)
  })

  it('exits 1 and prints file, element and rule for each problem, without crashing on junk', () => {
    const broken = join(dir, 'broken.bpmn')
    writeFileSync(
      broken,
      `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:task id="a"/>
    <bpmn:sequenceFlow id="f" sourceRef="a" targetRef="nowhere"/>
  </bpmn:process>
</bpmn:definitions>`,
    )
    const junk = join(dir, 'junk.bpmn')
    writeFileSync(junk, Buffer.from([0, 159, 146, 150, 60, 61]))
    const { status, stdout, stderr } = baton('validate', broken, junk, join(dir, 'missing.bpmn'))
    assert.equal(status, 1, stderr)
    assert.match(stdout, /broken\.bpmn \(line \d+, element 'p'\): \[start-event-required\]/)
    assert.match(stdout, /broken\.bpmn .*element 'f'.*\[flow-target-missing\]/)
    assert.match(stdout, /junk\.bpmn.*\[xml-malformed\]/)
    assert.match(stdout, /missing\.bpmn: \[file-unreadable\] no such file/)
    assert.match(stdout, /0 valid, 3 invalid/)
  })
})

describe('cli/demo', () => {
  it('runs the example processes end to end on a SQLite file and prints what happened', () => {
    const db = join(dir, 'demo', 'baton.db')
    const first = baton('demo', '--db', db)
    assert.equal(first.status, 0, first.stderr)
    assert.match(first.stdout, /deployed order-to-cash v1 from order-to-cash\.bpmn/)
    assert.equal((first.stdout.match(/: completed$/gm) ?? []).length, 3)
    assert.match(first.stdout, /called process 'invoice'/)
    assert.match(first.stdout, /"invoiceNumber":"INV-1001"/)
    const second = baton('demo', '--db', db)
    assert.equal(second.status, 0, second.stderr)
    assert.match(second.stdout, /deployed order-to-cash v1 from order-to-cash\.bpmn \(unchanged\)/)
  })
})

describe('cli/start', () => {
  it('serves the API with the examples deployed, and prints an admin token on the first start', async (t) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'start',
        '--db',
        join(dir, 'server', 'baton.db'),
        '--port',
        '0',
        '--data-dir',
        join(dir, 'server'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    t.after(() => child.kill('SIGKILL'))
    let output = ''
    child.stdout.setEncoding('utf8')
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk
        const match = /Baton listening on (http:\/\/[^\s]+)/.exec(output)
        if (match?.[1]) resolve(match[1])
      })
      child.once('exit', (code) => reject(new Error(`baton start exited (${code}): ${output}`)))
    })
    const address = await listening
    const token = /^\s+(baton_\S+)$/m.exec(output)?.[1]
    assert.ok(token, `an admin token is printed on the first start:\n${output}`)
    assert.match(output, /deployed the examples: .*order-to-cash/)

    assert.equal((await fetch(`${address}/health`)).status, 200)
    const anonymous = await fetch(`${address}/v2/topology`)
    assert.equal(anonymous.status, 401)
    assert.match(anonymous.headers.get('content-type') ?? '', /application\/problem\+json/)
    const topology = await fetch(`${address}/v2/topology`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(topology.status, 200)

    const started = await fetch(`${address}/v2/process-instances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        processDefinitionId: 'reference',
        variables: {},
        awaitCompletion: true,
      }),
    })
    assert.equal(started.status, 200, await started.clone().text())

    child.kill('SIGTERM')
    await once(child, 'exit')
  })
})
