/**
 * A one-line progress bar redrawn in place with `\r`, for long work in a terminal. When the
 * stream is not a TTY (a pipe, a file, CI) it draws nothing, so logs stay clean; lines printed
 * through `log` go out either way.
 */

/** The part of a `tty.WriteStream` the bar uses. */
export interface ProgressStream {
  readonly isTTY?: boolean
  readonly columns?: number
  write(chunk: string): boolean
}

const WIDTH = 24

/**
 * @example
 * const bar = new ProgressBar(process.stdout)
 * bar.start(files.length, 'deploying')
 * for (const file of files) {
 *   bar.status(file)
 *   await deploy(file)
 *   bar.log(`${file}: deployed`)
 *   bar.tick()
 * }
 * bar.finish()
 */
export class ProgressBar {
  private total = 0
  private done = 0
  private label = ''
  private detail = ''
  private drawn = false

  constructor(private readonly stream: ProgressStream) {}

  /** Whether anything is drawn at all. */
  get visible(): boolean {
    return this.stream.isTTY === true
  }

  start(total: number, label: string): void {
    this.total = total
    this.done = 0
    this.label = label
    this.detail = ''
    this.draw()
  }

  /** Shows what is being worked on (a file name, say) after the count. */
  status(detail: string): void {
    this.detail = detail
    this.draw()
  }

  /** One more unit done. */
  tick(): void {
    this.done = Math.min(this.total, this.done + 1)
    this.draw()
  }

  /** Prints a line above the bar. */
  log(line: string): void {
    this.aside(() => this.stream.write(`${line}\n`))
  }

  /**
   * Runs `print`, which writes whole lines to another stream of the same terminal (stderr, say),
   * with the bar cleared first and drawn again after, so the two never share a line.
   */
  aside(print: () => void): void {
    this.clear()
    print()
    this.draw()
  }

  /** Removes the bar; the line is left empty for what comes next. */
  finish(): void {
    this.clear()
    this.total = 0
  }

  private clear(): void {
    if (!this.drawn) return
    this.stream.write('\r\x1b[K')
    this.drawn = false
  }

  private draw(): void {
    if (!this.visible || this.total === 0) return
    const filled = Math.round((this.done / this.total) * WIDTH)
    const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`
    const percent = String(Math.floor((this.done / this.total) * 100)).padStart(3)
    let text = `${this.label} [${bar}] ${percent}% ${this.done}/${this.total}`
    if (this.detail) text += `  ${this.detail}`
    // Never wrap: a wrapped line cannot be redrawn in place with \r.
    const columns = Math.max(20, (this.stream.columns || 80) - 1)
    if (text.length > columns) text = `${text.slice(0, Math.max(0, columns - 1))}…`
    this.stream.write(`\r${text}\x1b[K`)
    this.drawn = true
  }
}
