/**
 * The server of the `remote-workers` bench, in a process of its own (as in production, the
 * workers and the clients are elsewhere): `baton start` on a SQLite file, without auth or
 * examples, on a free loopback port. Prints `listening <url>`; answers a `cpu` line with
 * `cpu <ms>` (its CPU time so far); stops when stdin closes and then prints its resident set size
 * as `rss <bytes>`.
 *
 * Usage: server-process <sqlite file> <data dir>
 */
import { createInterface } from 'node:readline'
import { startServer } from '../server-command.ts'
import { cpuMs } from './measure.ts'

const [db, dataDir] = process.argv.slice(2)
if (db === undefined || dataDir === undefined) {
  throw new Error('usage: server-process <sqlite file> <data dir>')
}
const stop = await startServer(
  { db, dataDir, port: 0, host: '127.0.0.1', auth: false, examples: false },
  (line) => {
    const url = /listening on (\S+)/.exec(line)?.[1]
    if (url !== undefined) process.stdout.write(`listening ${url}\n`)
  },
)
const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (line === 'cpu') process.stdout.write(`cpu ${cpuMs()}\n`)
})
lines.once('close', () => {
  const rss = process.memoryUsage().rss
  void stop().then(() => {
    process.stdout.write(`rss ${rss}\n`)
    process.exit(0)
  })
})
