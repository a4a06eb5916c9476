/**
 * The web app's end-to-end harness: a real server (temp SQLite file, tokens) on a loopback port,
 * the built app (rebuilt when web/ is newer than dist/web), and headless Debian Chromium driven
 * by playwright-core. Screenshots go to test-artifacts/web/.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { Engine } from '../../src/runtime/engine.ts'
import { createServer } from '../../src/server/create-server.ts'
import type { TokenStore } from '../../src/server/tokens.ts'
import { openFileTokenStore } from '../../src/server/tokens.ts'
import { skipUnlessRequired } from '../support/skip-unless-required.ts'

export const CHROMIUM = '/usr/bin/chromium'
const root = new URL('../../', import.meta.url).pathname
export const artifacts = join(root, 'test-artifacts', 'web')

function newestMtime(dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stat = statSync(path)
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs)
  }
  return newest
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Builds the app when dist/web is missing or older than its sources. Test files run in
 * parallel: one builds (holding a lock directory), the others wait for it.
 */
export function ensureBuilt(): void {
  const index = join(root, 'dist', 'web', 'index.html')
  const fresh = (): boolean =>
    existsSync(index) &&
    statSync(index).mtimeMs >=
      Math.max(newestMtime(join(root, 'web')), statSync(join(root, 'package.json')).mtimeMs)
  if (fresh()) return
  const lock = join(root, 'dist', '.web-build-lock')
  mkdirSync(join(root, 'dist'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // Another test file is building; a lock older than 5 minutes is left over from a crash.
      const held = statSync(lock, { throwIfNoEntry: false })
      if (held && Date.now() - held.mtimeMs > 300_000) {
        rmSync(lock, { recursive: true, force: true })
      }
      sleep(500)
      if (fresh()) return
    }
  }
  try {
    if (!fresh()) build()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

function build(): void {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: 'inherit' },
  )
}

/** Whether the browser exists; skips the test loudly (fails under BATON_REQUIRE_SERVICES=1) if not. */
export function haveChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true
  skipUnlessRequired(t, `${CHROMIUM} is missing (apt-get install -y chromium)`)
  return false
}

export interface WebHarness {
  readonly engine: Engine
  readonly baseUrl: string
  readonly tokens: TokenStore
  readonly adminToken: string
  readonly browser: Browser
  /** A page signed in with the token (stored as the app stores it). */
  signedInPage(token: string): Promise<Page>
  newContext(): Promise<BrowserContext>
  screenshot(page: Page, name: string): Promise<void>
  /** Calls the REST API as admin. */
  api<T>(path: string, body?: unknown): Promise<T>
  close(): Promise<void>
}

export async function openWebHarness(): Promise<WebHarness> {
  ensureBuilt()
  mkdirSync(artifacts, { recursive: true })
  const dir = mkdtempSync(join(tmpdir(), 'baton-web-'))
  const engine = await Engine.open({ path: join(dir, 'baton.db') })
  const tokens = await openFileTokenStore(join(dir, 'tokens.json'))
  const adminToken = await tokens.create('admin', { label: 'web test' })
  const server = await createServer({ engine, auth: { mode: 'tokens', tokens } })
  const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  const contexts: BrowserContext[] = []
  const newContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({
      baseURL: baseUrl,
      viewport: { width: 1400, height: 900 },
    })
    contexts.push(context)
    return context
  }
  return {
    engine,
    baseUrl,
    tokens,
    adminToken,
    browser,
    newContext,
    async signedInPage(token) {
      const context = await newContext()
      await context.addInitScript({
        content: `localStorage.setItem('baton.token', ${JSON.stringify(token)})`,
      })
      return context.newPage()
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })
    },
    async api<T>(path: string, body?: unknown): Promise<T> {
      const response = await fetch(baseUrl + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
      return response.status === 204 ? (undefined as T) : ((await response.json()) as T)
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined)
      await browser.close()
      const force = setTimeout(() => server.server.closeAllConnections(), 1000)
      await server.close()
      clearTimeout(force)
      await engine.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
