/**
 * A small tolerant scan of the raw XML text. moddle reports no line numbers for elements and
 * silently drops an element whose id repeats, so the compiler finds ids and their lines here.
 */

/** Where each `id` attribute value occurs (1-based lines, in document order). */
export interface XmlIdIndex {
  readonly lines: ReadonlyMap<string, readonly number[]>
  /** Line of the first element with this id, when there is one. */
  lineOf(id: string): number | undefined
}

const entities: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return safeFromCodePoint(Number.parseInt(name.slice(2), 16), whole)
    if (name.startsWith('#')) return safeFromCodePoint(Number.parseInt(name.slice(1), 10), whole)
    return entities[name] ?? whole
  })
}

function safeFromCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff
    ? String.fromCodePoint(code)
    : fallback
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\n' || char === '\t' || char === '\r'
}

/**
 * Finds every `id="..."` attribute on a start tag, skipping comments, CDATA, processing
 * instructions and declarations. Linear in the input, and never throws on junk.
 *
 * @example
 * scanXmlIds('<a id="x"/>\n<b id="x"/>').lines.get('x') // [1, 2]
 */
export function scanXmlIds(xml: string): XmlIdIndex {
  const lineStarts = [0]
  for (let i = 0; i < xml.length; i++) if (xml.charCodeAt(i) === 10) lineStarts.push(i + 1)
  const lineAt = (offset: number): number => {
    let low = 0
    let high = lineStarts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((lineStarts[mid] ?? 0) <= offset) low = mid
      else high = mid - 1
    }
    return low + 1
  }

  const lines = new Map<string, number[]>()
  const skipPast = (from: number, terminator: string): number => {
    const end = xml.indexOf(terminator, from)
    return end === -1 ? xml.length : end + terminator.length
  }

  let i = 0
  while (i < xml.length) {
    const open = xml.indexOf('<', i)
    if (open === -1) break
    if (xml.startsWith('<!--', open)) i = skipPast(open + 4, '-->')
    else if (xml.startsWith('<![CDATA[', open)) i = skipPast(open + 9, ']]>')
    else if (xml.startsWith('<?', open)) i = skipPast(open + 2, '?>')
    else if (xml.startsWith('<!', open) || xml.startsWith('</', open)) i = skipPast(open + 2, '>')
    else i = scanStartTag(open + 1)
  }

  function scanStartTag(from: number): number {
    let j = from
    while (j < xml.length && !isSpace(xml[j]) && xml[j] !== '>' && xml[j] !== '/' && xml[j] !== '<')
      j++
    while (j < xml.length) {
      while (isSpace(xml[j])) j++
      const char = xml[j]
      if (char === undefined) return j
      if (char === '>' || char === '<') return char === '>' ? j + 1 : j
      if (char === '/') {
        j++
        continue
      }
      const nameStart = j
      while (j < xml.length && !isSpace(xml[j]) && !'=/<>'.includes(xml[j] ?? '')) j++
      const name = xml.slice(nameStart, j)
      while (isSpace(xml[j])) j++
      if (xml[j] !== '=') continue
      j++
      while (isSpace(xml[j])) j++
      const quote = xml[j]
      if (quote !== '"' && quote !== "'") continue
      const valueEnd = xml.indexOf(quote, j + 1)
      if (valueEnd === -1) return xml.length
      if (name === 'id') {
        const id = decodeEntities(xml.slice(j + 1, valueEnd))
        const seen = lines.get(id)
        if (seen) seen.push(lineAt(nameStart))
        else lines.set(id, [lineAt(nameStart)])
      }
      j = valueEnd + 1
    }
    return j
  }

  return {
    lines,
    lineOf: (id) => lines.get(id)?.[0],
  }
}

const loopMarker =
  /<((?:[\w.-]+:)?(?:standardLoopCharacteristics|multiInstanceLoopCharacteristics))\b[^>]*?(\/?)>/g
const activityStart =
  /<(?:[\w.-]+:)?(?:task|\w+Task|subProcess|callActivity|transaction|adHocSubProcess)\b[^>]*?\sid\s*=\s*["']([^"']*)["']/g

/** An activity that carries two loop markers; moddle keeps only one, so the raw XML tells. */
export interface DoubleLoopMarker {
  readonly activityId: string | undefined
  readonly line: number
}

/**
 * Finds activities with both a standard loop and a multi-instance marker (adjacent siblings, as
 * tools write them). BPMN allows one loopCharacteristics per activity.
 *
 * @example
 * findDoubleLoopMarkers(xml) // [{ activityId: 'Task_1', line: 12 }]
 */
export function findDoubleLoopMarkers(text: string): DoubleLoopMarker[] {
  const found: DoubleLoopMarker[] = []
  const markers = [...text.matchAll(loopMarker)]
  for (let i = 0; i + 1 < markers.length; i++) {
    const first = markers[i]
    const second = markers[i + 1]
    if (first === undefined || second === undefined || first.index === undefined) continue
    const tag = first[1] ?? ''
    const startEnd = first.index + first[0].length
    const close = first[2] === '/' ? startEnd : text.indexOf(`</${tag}`, startEnd)
    if (close < 0 || second.index === undefined) continue
    const closeEnd = first[2] === '/' ? close : text.indexOf('>', close) + 1
    const between = text.slice(closeEnd, second.index).replace(/<!--[\s\S]*?-->/g, '')
    if (between.trim() !== '' || (second[1] ?? '') === tag) continue
    let activityId: string | undefined
    for (const start of text.slice(0, first.index).matchAll(activityStart)) activityId = start[1]
    found.push({ activityId, line: text.slice(0, first.index).split('\n').length })
  }
  return found
}
