/**
 * The process the crash-recovery test kills. It opens an engine on a SQLite file, works the
 * service-task jobs, and starts instances from several lanes at once; it prints an instance key
 * only after createInstance resolved, i.e. after the instance was committed.
 *
 * Usage: node --import tsx test/runtime/crash-child.ts <db file> <instances> <lanes>
 */
import { readFileSync } from 'node:fs'
import { Engine } from '../../src/runtime/engine.ts'

const [path, instancesArg, lanesArg] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: crash-child.ts <db file> <instances> <lanes>')
const instances = Number(instancesArg ?? 1000)
const lanes = Number(lanesArg ?? 16)

const engine = await Engine.open({ path, durable: true })
await engine.deploy([
  {
    name: 'crash-order.bpmn',
    xml: readFileSync(new URL('../fixtures/crash-order.bpmn', import.meta.url), 'utf8'),
  },
])
engine.worker('crash-charge', (job) => ({ charged: true, chargedFor: job.variables.n ?? null }))
process.stdout.write('ready\n')

let next = 0
async function lane(): Promise<void> {
  while (next < instances) {
    const n = next++
    const { instanceKey } = await engine.createInstance('crash-order', { variables: { n } })
    process.stdout.write(`${instanceKey}\n`)
  }
}
await Promise.all(Array.from({ length: lanes }, lane))
process.stdout.write('done\n')
await engine.close()
