/**
 * What the first page load pulls in: the entry chunk and its static imports must not hold the
 * modeler, the editors, the diagram viewer or form-js; those load with their routes.
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ensureBuilt } from './harness.ts'

interface ManifestChunk {
  readonly file: string
  readonly src?: string
  readonly isEntry?: boolean
  readonly imports?: readonly string[]
  readonly dynamicImports?: readonly string[]
}

describe('web/bundle', () => {
  it('keeps the modeler, editors, viewer and forms out of the initial bundle', () => {
    ensureBuilt()
    const dist = new URL('../../dist/web/', import.meta.url).pathname
    const manifest = JSON.parse(
      readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, ManifestChunk>
    const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry)
    assert.ok(entry, 'the manifest has an entry')
    const initial = new Set<string>()
    const visit = (id: string): void => {
      if (initial.has(id)) return
      initial.add(id)
      for (const next of manifest[id]?.imports ?? []) visit(next)
    }
    visit(entry[0])
    const lazy = entry[1].dynamicImports ?? []
    for (const page of [
      'src/pages/modeler.tsx',
      'src/pages/form-editor.tsx',
      'src/pages/decision-editor.tsx',
    ]) {
      assert.ok(lazy.includes(page), `${page} loads lazily`)
      assert.ok(!initial.has(page), `${page} is not in the initial bundle`)
    }
    for (const id of initial) {
      assert.doesNotMatch(id, /bpmn-js|dmn-js|form-js|diagram\.tsx|form-view/, id)
    }
    const bytes = [...initial].reduce((sum, id) => {
      const file = manifest[id]?.file
      return file === undefined ? sum : sum + statSync(join(dist, file)).size
    }, 0)
    // The app shell and React; the modeler chunk alone is over a megabyte.
    assert.ok(bytes < 400_000, `initial JavaScript is ${bytes} bytes`)
  })
})
