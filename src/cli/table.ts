/** Plain-text tables for the terminal: padded columns, two spaces apart, no borders. */

/**
 * Formats rows under headers, each column as wide as its widest cell.
 *
 * @example
 * formatTable(['KEY', 'STATE'], [['1', 'ACTIVE']]) // ['KEY  STATE', '1    ACTIVE']
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)]
}

/** An ISO date as `2025-01-31 12:00:00Z`: short enough for a table, still unambiguous. */
export function shortDate(iso: string | undefined): string {
  if (iso === undefined) return ''
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}
