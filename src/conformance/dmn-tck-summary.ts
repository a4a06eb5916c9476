/**
 * Per-folder DMN TCK scores as a Markdown table, optionally next to published vendor results in
 * the TCK's own results CSV format (`TestResults/<vendor>/<version>/tck_results.csv` in the TCK
 * repository: folder, file, id, SUCCESS/ERROR/IGNORED, message).
 */
import type { TckCase } from './dmn-tck.ts'

/** One vendor's published results: status by `folder/file/id` (folder without its level). */
export interface VendorResults {
  readonly name: string
  readonly status: ReadonlyMap<string, string>
}

function caseKey(folder: string, file: string, id: string): string {
  return `${folder.slice(folder.lastIndexOf('/') + 1)}/${file}/${id}`
}

/** Splits one CSV line with double-quoted fields (`""` inside quotes is a quote). */
function fields(line: string): string[] {
  const out: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"'
        i++
      } else if (c === '"') quoted = false
      else current += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      out.push(current)
      current = ''
    } else current += c
  }
  out.push(current)
  return out
}

/**
 * Reads a TCK results CSV.
 *
 * @example
 * readVendorResults('Camunda 7.21', await readFile('tck_results.csv', 'utf8'))
 */
export function readVendorResults(name: string, csv: string): VendorResults {
  const status = new Map<string, string>()
  for (const line of csv.split(/\r?\n/)) {
    if (line.trim() === '') continue
    const [folder, file, id, result] = fields(line)
    if (folder === undefined || file === undefined || id === undefined || result === undefined)
      continue
    status.set(caseKey(folder, file, id), result.trim())
  }
  return { name, status }
}

/**
 * A Markdown table: one row per TCK folder with Baton's passed/total, and for each vendor how
 * many of the same cases it passed (a case its CSV does not list counts as not passed).
 */
export function folderTable(cases: readonly TckCase[], vendors: readonly VendorResults[]): string {
  const folders = new Map<string, TckCase[]>()
  for (const c of cases) {
    const key = `${c.level}\u0000${c.folder}`
    folders.set(key, [...(folders.get(key) ?? []), c])
  }
  const header = ['level', 'folder', 'cases', 'Baton', ...vendors.map((v) => v.name)]
  const rows = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
  ]
  const totals = [0, 0, ...vendors.map(() => 0)]
  for (const group of folders.values()) {
    const first = group[0]
    if (first === undefined) continue
    const scored = group.filter((c) => c.status !== 'IGNORED')
    const passed = scored.filter((c) => c.status === 'SUCCESS').length
    const vendorPassed = vendors.map(
      (v) =>
        scored.filter((c) => v.status.get(caseKey(c.folder, c.file, c.id)) === 'SUCCESS').length,
    )
    totals[0] = (totals[0] ?? 0) + scored.length
    totals[1] = (totals[1] ?? 0) + passed
    vendorPassed.forEach((n, i) => (totals[i + 2] = (totals[i + 2] ?? 0) + n))
    const cell = (n: number): string => (scored.length === 0 ? 'ignored' : `${n}`)
    const row = [`${first.level}`, first.folder, `${scored.length}`, cell(passed)]
    rows.push(`| ${[...row, ...vendorPassed.map(cell)].join(' | ')} |`)
  }
  const [total = 0, ...passedTotals] = totals
  rows.push(`| | **all** | **${total}** | ${passedTotals.map((n) => `**${n}**`).join(' | ')} |`)
  return rows.join('\n') + '\n'
}
