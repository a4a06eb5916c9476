/**
 * One engine node of the scale-out torture test: opens the PostgreSQL store in the given schema,
 * works the test's jobs (work A publishes the message its instance waits for), completes review
 * tasks it finds, and runs until it is killed (SIGKILL) or sent SIGTERM.
 *
 * With a fourth argument `hang`, the node instead works jobs of type `hang` and never finishes
 * them (the takeover test kills it while it holds them).
 *
 * Usage: node --import tsx test/runtime/cluster-node.ts <postgres url> <schema> <lease ms> [hang]
 */
import { Engine } from '../../src/runtime/engine.ts'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts'

const [url, schema, leaseArg, mode] = process.argv.slice(2)
if (url === undefined || schema === undefined) {
  throw new Error('usage: cluster-node.ts <postgres url> <schema> <lease ms>')
}
const store = await openPostgresStore({ url, schema, poolSize: 6 })
const engine = await Engine.open({
  store,
  leaseMs: Number(leaseArg ?? 2000),
  pollIntervalMs: 200,
})
const quiet = { onError: () => undefined }
if (mode === 'hang') {
  engine.worker('hang', () => new Promise<never>(() => {}), quiet)
  process.stdout.write(`ready ${engine.nodeId}\n`)
  await new Promise<never>(() => {})
}
engine.worker(
  'torture-a',
  async (job) => {
    const ref = job.variables['ref']
    if (typeof ref !== 'string') throw new Error('the instance has no ref')
    await engine.publishMessage({ name: 'torture-go', correlationKey: ref, timeToLiveMs: 60_000 })
    return { a: true }
  },
  { ...quiet, maxActive: 64 },
)
engine.worker('torture-b', () => ({ b: true }), { ...quiet, maxActive: 64 })

// A clerk: completes review tasks; two nodes may pick the same task, and one of them is refused.
let stopped = false
async function clerk(): Promise<void> {
  while (!stopped) {
    const tasks = await engine.userTasks({ status: 'created' }, { limit: 50 }).catch(() => [])
    const offset = Math.floor(Math.random() * Math.max(1, tasks.length))
    const mine = [...tasks.slice(offset), ...tasks.slice(0, offset)].slice(0, 20)
    await Promise.all(
      mine.map((task) => engine.completeUserTask(task.key, { reviewed: true }).catch(() => {})),
    )
    if (mine.length === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
const clerkDone = clerk()
process.stdout.write(`ready ${engine.nodeId}\n`)
process.on('SIGTERM', () => {
  stopped = true
  void clerkDone.then(() => engine.close()).then(() => process.exit(0))
})
