/**
 * Robustness over models nobody on this project wrote (../shared/corpora, see its README):
 * compileBpmn must never throw, and every rejection must say what is wrong.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { skipUnlessRequired } from '../../test/support/skip-unless-required.ts'
import { translateBetsyModel } from '../conformance/betsy-conditions.ts'
import { compileBpmn } from './index.ts'

const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
const corpora = join(projectRoot, '../shared/corpora')
const absent = `corpora not found at ${corpora} (expected ../shared/corpora next to the project root); the robustness run over third-party models did NOT happen`

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => entry.isFile() && /\.(bpmn2?|xml|dmn|png|txt)$/i.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

void describe('model/corpora', () => {
  for (const folder of ['bpmn-parse-edge', 'real-models']) {
    void it(`never throws and explains every rejection in ${folder}`, async (t) => {
      const root = join(corpora, folder)
      if (!existsSync(root)) {
        skipUnlessRequired(t, absent)
        return
      }
      const files = await filesUnder(root)
      assert.ok(files.length > 20, `expected many files under ${root}`)
      let rejected = 0
      for (const file of files) {
        const name = relative(corpora, file)
        const result = await compileBpmn(await readFile(file, 'utf8'))
        if (result.ok) {
          assert.ok(result.processes.length > 0, `${name}: ok without processes`)
          continue
        }
        rejected++
        assert.ok(result.problems.length > 0, `${name}: rejected without problems`)
        for (const problem of result.problems) {
          assert.match(problem.rule, /^[a-z]+(-[a-z]+)*$/, `${name}: rule id '${problem.rule}'`)
          assert.notEqual(problem.rule, 'internal-error', `${name}: ${problem.message}`)
          assert.ok(problem.message.length > 20, `${name}: message '${problem.message}'`)
        }
      }
      t.diagnostic(`${folder}: ${files.length} files, ${rejected} rejected with problems`)
    })
  }

  void it('rejects the betsy constraint models', async (t) => {
    const betsy = join(corpora, 'bpmn-exec/betsy')
    if (!existsSync(join(betsy, 'constraints.json'))) {
      skipUnlessRequired(t, absent)
      return
    }
    const constraints = JSON.parse(await readFile(join(betsy, 'constraints.json'), 'utf8')) as {
      model: string
      constraint: string
    }[]
    const accepted = async (options?: { allowUnsupported: boolean }): Promise<string[]> => {
      const missed: string[] = []
      for (const { model, constraint } of constraints) {
        const result = await compileBpmn(await readFile(join(betsy, model), 'utf8'), options)
        if (result.ok) missed.push(`${constraint} (${model.split('/').pop()})`)
      }
      return missed
    }
    const missed = await accepted()
    t.diagnostic(
      `betsy: ${constraints.length - missed.length} of ${constraints.length} constraint models rejected`,
    )
    t.diagnostic(`accepted: ${missed.join(', ')}`)
    // With every construct compiled, only the model's own rules reject it. A floor, so a
    // regression in validation shows; raise it as rules are added.
    const missedByRules = await accepted({ allowUnsupported: true })
    t.diagnostic(
      `betsy with allowUnsupported: ${constraints.length - missedByRules.length} of ${constraints.length} rejected; accepted: ${missedByRules.join(', ')}`,
    )
    assert.ok(
      constraints.length - missedByRules.length >= 206,
      `only ${constraints.length - missedByRules.length} rejected with allowUnsupported`,
    )
    // Without it, constructs the engine does not run yet reject more models; fewer as
    // engineSupport grows, but never fewer than the rules alone.
    assert.ok(
      missed.every((model) => missedByRules.includes(model)),
      `accepted only without allowUnsupported: ${missed.filter((model) => !missedByRules.includes(model)).join(', ')}`,
    )
  })

  void it('compiles the betsy and token-simulation execution models it can', async (t) => {
    const exec = join(corpora, 'bpmn-exec')
    if (!existsSync(join(exec, 'betsy/tests.json'))) {
      skipUnlessRequired(t, absent)
      return
    }
    const tests = JSON.parse(await readFile(join(exec, 'betsy/tests.json'), 'utf8')) as {
      model: string
    }[]
    const scenarios = JSON.parse(
      await readFile(join(exec, 'token-simulation/scenarios.json'), 'utf8'),
    ) as { model: string }[]
    const models = new Set([
      ...tests.map((test) => join(exec, 'betsy', test.model)),
      ...scenarios.map((scenario) => join(exec, 'token-simulation/models', scenario.model)),
    ])
    const rejected: string[] = []
    for (const file of models) {
      // betsy's models as its harness deploys them (placeholder scripts get a scriptFormat).
      const text = await readFile(file, 'utf8')
      const xml = file.includes('/betsy/') ? translateBetsyModel(text).xml : text
      const result = await compileBpmn(xml, { allowUnsupported: true })
      if (result.ok) continue
      for (const problem of result.problems) {
        assert.notEqual(problem.rule, 'internal-error', `${file}: ${problem.message}`)
      }
      rejected.push(
        `${relative(exec, file)} (${[...new Set(result.problems.map((p) => p.rule))].join(', ')})`,
      )
    }
    t.diagnostic(`execution models: ${models.size - rejected.length} of ${models.size} compile`)
    t.diagnostic(`rejected: ${rejected.join('; ')}`)
    // Most rejections are real: simulation models without message/signal names or timer values,
    // messages without correlation key, gateways without conditions (see the diagnostic).
    assert.ok(models.size - rejected.length >= 111, `only ${models.size - rejected.length} compile`)
  })
})
