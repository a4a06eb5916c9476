import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { TestServer } from './test-support.ts'
import { multipart, openTestServer } from './test-support.ts'
import type { TokenStore } from './tokens.ts'
import { createMemoryTokenStore } from './tokens.ts'

const straightThrough = (id: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`

interface Message {
  readonly event: string
  readonly data: unknown
}

/** An open event stream: the messages received so far, and a way to wait for one. */
class StreamReader {
  readonly messages: Message[] = []
  private buffer = ''
  private waiters: (() => void)[] = []

  constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8')
    response.on('data', (chunk: string) => {
      this.buffer += chunk
      let end
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + 2)
        let event = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7)
          else if (line.startsWith('data: ')) data.push(line.slice(6))
        }
        if (data.length > 0) this.messages.push({ event, data: JSON.parse(data.join('\n')) })
      }
      for (const wake of this.waiters.splice(0)) wake()
    })
  }

  /** Resolves once some message satisfies `test` (fails the test after 5 s). */
  async until(test: (messages: readonly Message[]) => boolean): Promise<void> {
    const deadline = Date.now() + 5000
    while (!test(this.messages)) {
      if (Date.now() > deadline) {
        assert.fail(`stream did not deliver; got ${JSON.stringify(this.messages)}`)
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
  }

  close(): void {
    this.response.destroy()
  }
}

function eventTypes(messages: readonly Message[], instanceKey?: string): string[] {
  return messages
    .filter((m) => m.event === 'events')
    .flatMap((m) => (m.data as { events: { type: string; processInstanceKey: string }[] }).events)
    .filter((e) => instanceKey === undefined || e.processInstanceKey === instanceKey)
    .map((e) => e.type)
}

describe('server/stream', () => {
  let server: TestServer
  let tokens: TokenStore
  let base: string
  let token: string

  before(async () => {
    tokens = createMemoryTokenStore()
    server = await openTestServer({ auth: { mode: 'tokens', tokens } })
    await server.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`
    token = await tokens.create('operator')
  })
  after(async () => server.close())

  const open = (query: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) =>
      get(`${base}/baton/stream${query}`, resolve).on('error', reject),
    )

  async function deployAndStart(id: string): Promise<string> {
    const { payload, headers } = multipart([{ name: `${id}.bpmn`, content: straightThrough(id) }])
    const auth = { authorization: `Bearer ${token}` }
    const deployed = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      payload,
      headers: { ...headers, ...auth },
    })
    assert.equal(deployed.statusCode, 200, deployed.body)
    const started = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: id },
      headers: auth,
    })
    assert.equal(started.statusCode, 200, started.body)
    return started.json<{ processInstanceKey: string }>().processInstanceKey
  }

  it('refuses a client without a token', async () => {
    const response = await open('')
    assert.equal(response.statusCode, 401)
    assert.match(String(response.headers['content-type']), /problem\+json/)
    response.resume()
  })

  it('streams deployments and every committed event, with the token in the query', async () => {
    const response = await open(`?access_token=${token}`)
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^text\/event-stream/)
    const stream = new StreamReader(response)
    try {
      const key = await deployAndStart('streamed')
      await stream.until((m) => eventTypes(m, key).includes('ProcessInstanceCompleted'))
      const deployment = stream.messages.find((m) => m.event === 'deployment')
      assert.equal(
        (deployment?.data as { processDefinitionId: string }).processDefinitionId,
        'streamed',
      )
      const types = eventTypes(stream.messages, key)
      assert.equal(types[0], 'ProcessInstanceCreated')
      assert.ok(types.includes('ElementActivated'))
      const events = stream.messages
        .filter((m) => m.event === 'events')
        .flatMap(
          (m) =>
            (
              m.data as {
                events: { processInstanceKey: string; position: number; bpmnProcessId: string }[]
              }
            ).events,
        )
        .filter((e) => e.processInstanceKey === key)
      assert.deepEqual(
        events.map((e) => e.position),
        events.map((_, i) => i),
        'every event once, in order',
      )
      assert.ok(events.every((e) => e.bpmnProcessId === 'streamed'))
    } finally {
      stream.close()
    }
  })

  it('narrows the stream to one instance', async () => {
    const xml = straightThrough('narrowed')
      .replace('xmlns:bpmn=', 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:bpmn=')
      .replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />',
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />' +
          '<bpmn:userTask id="task"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>' +
          '<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />',
      )
    await server.engine.deploy({ name: 'narrowed.bpmn', xml })
    const first = await server.engine.createInstance('narrowed')
    const second = await server.engine.createInstance('narrowed')
    await server.engine.idle()
    const stream = new StreamReader(
      await open(`?access_token=${token}&processInstanceKey=${first.instanceKey}`),
    )
    try {
      for (const created of [second, first]) {
        const [task] = await server.engine.userTasks({ instanceKey: created.instanceKey })
        assert.ok(task)
        await server.engine.completeUserTask(task.key)
      }
      await stream.until((m) => eventTypes(m).includes('ProcessInstanceCompleted'))
      const keys = stream.messages
        .filter((m) => m.event === 'events')
        .flatMap((m) => (m.data as { events: { processInstanceKey: string }[] }).events)
        .map((e) => e.processInstanceKey)
      assert.deepEqual([...new Set(keys)], [String(first.instanceKey)])
      assert.equal(stream.messages.filter((m) => m.event === 'deployment').length, 0)
    } finally {
      stream.close()
    }
  })
})
