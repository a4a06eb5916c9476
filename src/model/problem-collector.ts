import type { ModelProblem } from './types.ts'

/**
 * Collects every problem of a compilation (errors fail it, warnings do not), once each, with the
 * element's line looked up in the raw XML.
 */
export class ProblemCollector {
  readonly errors: ModelProblem[] = []
  readonly warnings: ModelProblem[] = []
  readonly #seen = new Set<string>()
  readonly #lineOf: (id: string) => number | undefined

  constructor(lineOf: (id: string) => number | undefined) {
    this.#lineOf = lineOf
  }

  error(rule: string, message: string, elementId?: string, line?: number): void {
    this.#add(this.errors, rule, message, elementId, line)
  }

  warn(rule: string, message: string, elementId?: string, line?: number): void {
    this.#add(this.warnings, rule, message, elementId, line)
  }

  /** Whether an error of this rule was already reported for the element. */
  hasError(rule: string, elementId: string | undefined): boolean {
    return this.#seen.has(`error\0${rule}\0${elementId ?? ''}`)
  }

  #add(
    into: ModelProblem[],
    rule: string,
    message: string,
    elementId: string | undefined,
    line: number | undefined,
  ): void {
    const severity = into === this.errors ? 'error' : 'warning'
    const key = `${severity}\0${rule}\0${elementId ?? ''}\0${elementId === undefined ? message : ''}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    if (elementId !== undefined) this.#seen.add(`${severity}\0${rule}\0${elementId}`)
    const at = line ?? (elementId === undefined ? undefined : this.#lineOf(elementId))
    into.push({
      rule,
      ...(elementId === undefined ? {} : { elementId }),
      ...(at === undefined ? {} : { line: at }),
      message,
    })
  }
}
