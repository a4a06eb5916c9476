/**
 * The server of the `remote-workers` bench, in a process of its own (as in production, the
 * workers and the clients are elsewhere): `baton start` on a SQLite file, without auth or
 * examples, on a free loopback port. Prints `listening <url>`; stops when stdin closes and then
 * prints its resident set size as `rss <bytes>`.
 *
 * Usage: server-process <sqlite file> <data dir>
 */
import { startServer } from '../server-command.ts'

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
process.stdin.resume()
process.stdin.once('end', () => {
  const rss = process.memoryUsage().rss
  void stop().then(() => {
    process.stdout.write(`rss ${rss}\n`)
    process.exit(0)
  })
})
