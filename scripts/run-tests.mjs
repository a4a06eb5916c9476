// Runs every *.test.ts under src/ and test/ with node:test (Node 20 does not expand globs itself).
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import process from 'node:process'

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

const filter = process.argv.slice(2)
const files = ['src', 'test']
  .flatMap((dir) => collect(dir, []))
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort()
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  {
    stdio: 'inherit',
  },
)
process.exit(result.status ?? 1)
