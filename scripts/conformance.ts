/**
 * Conformance scores against suites nobody on this project wrote (../shared/corpora).
 *
 *   npm run conformance -- betsy [DIR] [--constraints | --tests] [--strict-order] [--filter TEXT]
 *
 *   npm run conformance -- token-simulation [DIR] [--filter TEXT]
 *
 * betsy: traces compare as multisets, as betsy's own generated tests do (they sort both); with
 * --strict-order, in order unless the model may run branches concurrently.
 *
 * The first argument picks the suite. A score is not a gate: the exit code is 0 whatever the
 * score, 1 when the harness itself fails (crash, missing or malformed folder), 2 on bad usage.
 */
import { dirname, join, resolve } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { BetsySuiteError } from '../src/conformance/betsy-suite.ts'
import { main as dmnTckMain } from '../src/conformance/dmn-tck.ts'
import { formatCase, formatConstraint, formatSummary, runBetsy } from '../src/conformance/betsy.ts'
import { TokenSimulationSuiteError } from '../src/conformance/token-simulation-suite.ts'
import {
  formatScenario,
  formatSummary as formatTokenSimulationSummary,
  runTokenSimulation,
} from '../src/conformance/token-simulation.ts'

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Suite {
  readonly usage: string
  run(args: readonly string[]): Promise<void>
}

class UsageError extends Error {}

const suites: Record<string, Suite> = {
  'dmn-tck': {
    usage:
      'dmn-tck [DIR] [--csv FILE] [--filter TEXT]   (DIR defaults to ../shared/corpora/dmn-tck/TestCases)',
    async run(args) {
      const code = await dmnTckMain(args)
      if (code !== 0) process.exitCode = code
    },
  },
  betsy: {
    usage:
      'betsy [DIR] [--constraints | --tests] [--strict-order] [--filter TEXT]   (DIR defaults to ../shared/corpora/bpmn-exec/betsy)',
    async run(args) {
      let dir: string | undefined
      let sections: 'all' | 'tests' | 'constraints' = 'all'
      let filter: string | undefined
      let order: 'betsy' | 'strict' = 'betsy'
      for (let i = 0; i < args.length; i++) {
        const arg = args[i] ?? ''
        if (arg === '--constraints') sections = 'constraints'
        else if (arg === '--tests') sections = 'tests'
        else if (arg === '--strict-order') order = 'strict'
        else if (arg === '--filter') {
          filter = args[++i]
          if (filter === undefined) throw new UsageError('--filter needs a value')
        } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`)
        else if (dir === undefined) dir = arg
        else throw new UsageError(`unexpected argument ${arg}`)
      }
      const folder =
        dir === undefined ? join(projectRoot, '../shared/corpora/bpmn-exec/betsy') : resolve(dir)
      const started = performance.now()
      let headerDone = false
      const report = await runBetsy(folder, {
        sections,
        order,
        ...(filter === undefined ? {} : { filter }),
        onCase: (result) => {
          if (!headerDone) console.log(`# betsy tests (${folder})`)
          headerDone = true
          console.log(formatCase(result))
        },
        onConstraint: (() => {
          let first = true
          return (result) => {
            if (first) console.log(`\n# betsy constraints: every model must be rejected at deploy`)
            first = false
            console.log(formatConstraint(result))
          }
        })(),
      })
      const lines = formatSummary(report)
      const last = lines.pop()
      for (const line of lines) console.log(line)
      console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`)
      console.log(last)
    },
  },
  'token-simulation': {
    usage:
      'token-simulation [DIR] [--filter TEXT]   (DIR defaults to ../shared/corpora/bpmn-exec/token-simulation)',
    async run(args) {
      let dir: string | undefined
      let filter: string | undefined
      for (let i = 0; i < args.length; i++) {
        const arg = args[i] ?? ''
        if (arg === '--filter') {
          filter = args[++i]
          if (filter === undefined) throw new UsageError('--filter needs a value')
        } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`)
        else if (dir === undefined) dir = arg
        else throw new UsageError(`unexpected argument ${arg}`)
      }
      const folder =
        dir === undefined
          ? join(projectRoot, '../shared/corpora/bpmn-exec/token-simulation')
          : resolve(dir)
      const started = performance.now()
      console.log(`# token simulation scenarios (${folder})`)
      const report = await runTokenSimulation(folder, {
        ...(filter === undefined ? {} : { filter }),
        onScenario: (result) => console.log(formatScenario(result)),
      })
      const lines = formatTokenSimulationSummary(report)
      const last = lines.pop()
      for (const line of lines) console.log(line)
      console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`)
      console.log(last)
    },
  },
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv
  const suite = name === undefined ? undefined : suites[name]
  if (!suite) {
    console.error(
      `${name === undefined ? 'no suite given' : `unknown suite '${name}'`}. Usage: npm run conformance -- <suite> ...\n` +
        Object.values(suites)
          .map((s) => `  ${s.usage}`)
          .join('\n'),
    )
    return 2
  }
  try {
    await suite.run(args)
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}. Usage: npm run conformance -- ${suite.usage}`)
      return 2
    }
    if (error instanceof BetsySuiteError || error instanceof TokenSimulationSuiteError) {
      console.error(`error: ${error.message}`)
      return 1
    }
    console.error('the conformance harness crashed:', error)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
