import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { baton, freePort, startBaton } from './cli-process.ts'

describe('cli/start settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-start-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('starts with the settings of a config file, a flag overriding one of them', async () => {
    const port = await freePort()
    const config = join(dir, 'baton.json')
    writeFileSync(
      config,
      JSON.stringify({
        port: 1,
        db: join(dir, 'from-file.db'),
        dataDir: dir,
        examples: false,
        auth: false,
      }),
    )
    const server = await startBaton(['--config', config, '--port', String(port)])
    try {
      assert.equal(server.address, `http://127.0.0.1:${port}`)
      const definitions = await fetch(`${server.address}/baton/process-definitions`)
      assert.equal(definitions.status, 200, 'auth is off, as the file says')
      assert.deepEqual(
        ((await definitions.json()) as { items: unknown[] }).items,
        [],
        'no examples',
      )
    } finally {
      await server.stop()
    }
  })

  it('refuses to start on a bad setting, naming where it came from', async () => {
    const config = join(dir, 'bad.json')
    writeFileSync(config, JSON.stringify({ port: 'eighty' }))
    const result = await baton(['start', '--config', config])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /'port' in the config file .*bad\.json must be a port/)
    const fromEnv = await baton(['start'], { BATON_PORT: '-1' })
    assert.equal(fromEnv.status, 1)
    assert.match(fromEnv.stderr, /environment variable BATON_PORT must be a port/)
  })
})
