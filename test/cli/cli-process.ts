/** Runs the `baton` command and `baton start` as child processes, for the CLI tests. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const mainScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** The environment without BATON_* settings, so a developer's shell cannot change a test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('BATON_')) env[name] = value
  }
  return { ...env, ...extra }
}

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `baton ARGS...` to its end (killed after 60 s). */
export async function baton(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const [code] = (await once(child, 'close')) as [number | null]
  clearTimeout(timer)
  return { status: code, stdout, stderr }
}

/** A port nothing listens on now: the system hands one out, and it is given back at once. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

export interface RunningServer {
  readonly child: ChildProcessWithoutNullStreams
  /** `http://127.0.0.1:PORT` */
  readonly address: string
  /** The admin token printed on the first start (undefined on later starts). */
  readonly token: string | undefined
  /** Everything printed so far. */
  output(): string
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>
}

/** Starts `baton start ARGS...` and resolves once it listens. */
export async function startBaton(args: readonly string[]): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, 'start', ...args], {
    cwd: repoRoot,
    env: cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`baton start did not listen within 30 s:\n${output}`))
    }, 30_000)
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      const match = /Baton listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`baton start exited (${code}):\n${output}`))
    })
  })
  return {
    child,
    address,
    token: /^\s+(baton_\S+)$/m.exec(output)?.[1],
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    },
  }
}
