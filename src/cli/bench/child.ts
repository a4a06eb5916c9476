/**
 * Starts a bench helper script (a sibling module) in a Node.js process of its own: from the
 * TypeScript sources through tsx when running from src/, as plain JavaScript from dist/. The
 * helper talks in lines on stdout (`<word> <value>`). `BATON_BENCH_NODE_ARGS` adds Node.js options
 * to every helper (e.g. `--cpu-prof --cpu-prof-dir=prof` to profile the server of remote-workers).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export class BenchChild {
  readonly process: ChildProcess
  private readonly lines: string[] = []
  private readonly waiters: { word: string; resolve(value: string): void }[] = []
  private exited: Error | undefined
  private readonly onExit: ((error: Error) => void)[] = []

  constructor(name: string, args: readonly string[], options: { nodeArgs?: string[] } = {}) {
    const here = fileURLToPath(import.meta.url)
    const fromSource = here.endsWith('.ts')
    const script = join(dirname(here), `${name}${fromSource ? '.ts' : '.js'}`)
    this.process = spawn(
      process.execPath,
      [
        ...(process.env['BATON_BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
        ...(options.nodeArgs ?? []),
        ...(fromSource ? ['--import', 'tsx'] : []),
        script,
        ...args,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    createInterface({ input: this.process.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const waiter = this.waiters.find((w) => line.startsWith(`${w.word} `) || line === w.word)
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve(line.slice(waiter.word.length + 1))
      } else this.lines.push(line)
    })
    this.process.once('exit', (code, signal) => {
      this.exited = new Error(`bench helper ${name} exited (code ${code}, signal ${signal})`)
      for (const reject of this.onExit.splice(0)) reject(this.exited)
    })
  }

  /** The value of the next line `<word> <value>` the helper prints. */
  next(word: string): Promise<string> {
    const i = this.lines.findIndex((line) => line.startsWith(`${word} `) || line === word)
    if (i >= 0)
      return Promise.resolve((this.lines.splice(i, 1)[0] as string).slice(word.length + 1))
    if (this.exited) return Promise.reject(this.exited)
    return new Promise((resolve, reject) => {
      this.waiters.push({ word, resolve })
      this.onExit.push(reject)
    })
  }

  send(line: string): void {
    this.process.stdin?.write(`${line}\n`)
  }

  /** Closes its stdin (the helper then stops) and waits for it to exit. */
  async end(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()))
    this.process.stdin?.end()
    await exited
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill()
  }
}
