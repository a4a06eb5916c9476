/**
 * `baton validate FILE...`: checks BPMN files without deploying them. Never throws on a bad
 * file: every problem is printed with the file, element and rule; exit code 1 if any is invalid.
 */
import { readFile, stat } from 'node:fs/promises'
import { formatProblems } from '../runtime/definitions.ts'
import { compileBpmn } from '../model/index.ts'

export interface ValidateReport {
  readonly file: string
  readonly ok: boolean
  readonly lines: readonly string[]
}

export async function validateFile(file: string): Promise<ValidateReport> {
  let xml: string
  try {
    const info = await stat(file)
    if (info.isDirectory())
      return {
        file,
        ok: false,
        lines: [`${file}: [file-unreadable] is a directory; name the .bpmn files inside it`],
      }
    xml = await readFile(file, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    return { file, ok: false, lines: [`${file}: [file-unreadable] ${reason}`] }
  }
  const result = await compileBpmn(xml)
  if (!result.ok)
    return { file, ok: false, lines: formatProblems(file, result.problems).split('\n') }
  const processes = result.processes.map((p) => p.id).join(', ')
  const warnings =
    result.warnings.length > 0
      ? formatProblems(file, result.warnings)
          .split('\n')
          .map((l) => `warning: ${l}`)
      : []
  return {
    file,
    ok: true,
    lines: [
      `${file}: valid (${result.processes.length} process${result.processes.length === 1 ? '' : 'es'}: ${processes})`,
      ...warnings,
    ],
  }
}

/** Validates each file, prints the reports, and returns the exit code. */
export async function validateCommand(
  files: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  let invalid = 0
  for (const file of files) {
    const report = await validateFile(file)
    for (const line of report.lines) out(line)
    if (!report.ok) invalid++
  }
  out(`${files.length - invalid} valid, ${invalid} invalid`)
  return invalid > 0 ? 1 : 0
}
