/** Helpers for the server tests: an in-memory engine behind a server, and multipart bodies. */
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { DeploymentWarningWire } from '../client/wire-types.ts'
import { Engine } from '../runtime/engine.ts'
import type { EngineOptions } from '../runtime/engine.ts'
import type { AuthOptions } from './auth.ts'
import type { ServerOptions } from './create-server.ts'
import { createServer } from './create-server.ts'

export const referenceBpmn = readFileSync(
  new URL('../../examples/reference.bpmn', import.meta.url),
  'utf8',
)
export const reviewAndPayBpmn = readFileSync(
  new URL('./fixtures/review-and-pay.bpmn', import.meta.url),
  'utf8',
)
/** A descriptive diagram (no executable process): it deploys with warnings. */
export const sketchBpmn = readFileSync(new URL('./fixtures/sketch.bpmn', import.meta.url), 'utf8')

export interface TestServer {
  readonly engine: Engine
  readonly app: FastifyInstance
  close(): Promise<void>
}

export async function openTestServer(
  options: {
    auth?: AuthOptions
    engine?: EngineOptions
    server?: Partial<Omit<ServerOptions, 'engine' | 'auth'>>
  } = {},
): Promise<TestServer> {
  const engine = await Engine.open({ path: ':memory:', durable: false, ...options.engine })
  const app = await createServer({
    engine,
    auth: options.auth ?? { mode: 'none' },
    ...options.server,
  })
  return {
    engine,
    app,
    close: async () => {
      await app.close()
      await engine.close()
    },
  }
}

/** A multipart/form-data body with one `resources` part per file. */
export function multipart(
  files: readonly { name: string; content: string | Buffer }[],
  fields: Readonly<Record<string, string>> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----baton-test-boundary'
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    )
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="resources"; filename="${file.name}"\r\nContent-Type: application/xml\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    )
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

/** Deploys files through the API and returns the parsed response. */
export async function deploy(
  app: FastifyInstance,
  files: readonly { name: string; content: string }[],
  headers: Record<string, string> = {},
): Promise<{
  deployments: {
    processDefinition: { processDefinitionKey: string; processDefinitionId: string }
  }[]
  warnings: readonly DeploymentWarningWire[]
}> {
  const body = multipart(files)
  const response = await app.inject({
    method: 'POST',
    url: '/v2/deployments',
    headers: { ...body.headers, ...headers },
    payload: body.payload,
  })
  if (response.statusCode !== 200) throw new Error(`deploy failed: ${response.body}`)
  return response.json()
}
