/** A parsed XML element: local name (prefix dropped), attributes as written, children, text. */
export interface XmlNode {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: readonly XmlNode[]
  readonly text: string
}

const entities: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, code: string) => {
    if (code.startsWith('#x')) return String.fromCodePoint(parseInt(code.slice(2), 16))
    if (code.startsWith('#')) return String.fromCodePoint(parseInt(code.slice(1), 10))
    return entities[code] ?? whole
  })
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1)

/**
 * A small XML reader for the TCK's testCases files (elements, attributes, text, CDATA,
 * comments). Throws on malformed input; the runner reports that as the case's failure.
 */
export function parseXml(xml: string): XmlNode {
  let pos = 0
  interface Open {
    name: string
    attributes: Record<string, string>
    children: XmlNode[]
    text: string
  }
  const root: Open = { name: '#document', attributes: {}, children: [], text: '' }
  const stack: Open[] = [root]
  const top = (): Open => stack[stack.length - 1] ?? root
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos)
    if (lt < 0) break
    if (lt > pos) top().text += decode(xml.slice(pos, lt))
    if (xml.startsWith('<!--', lt)) {
      pos = xml.indexOf('-->', lt) + 3
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt)
      top().text += xml.slice(lt + 9, end)
      pos = end + 3
    } else if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      pos = xml.indexOf('>', lt) + 1
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt)
      const closed = stack.pop()
      if (closed === undefined || localName(xml.slice(lt + 2, end).trim()) !== closed.name) {
        throw new Error(`malformed XML near offset ${lt}`)
      }
      top().children.push(closed)
      pos = end + 1
    } else {
      const match = /^<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        xml.slice(lt),
      )
      if (match === null) throw new Error(`malformed XML tag at offset ${lt}`)
      const attributes: Record<string, string> = {}
      for (const a of (match[2] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attributes[a[1] ?? ''] = decode(a[2] ?? a[3] ?? '')
      }
      const node: Open = { name: localName(match[1] ?? ''), attributes, children: [], text: '' }
      if (match[3] === '/') top().children.push(node)
      else stack.push(node)
      pos = lt + match[0].length
    }
  }
  const document = root.children[0]
  if (document === undefined || stack.length !== 1)
    throw new Error('malformed XML: unclosed element')
  return document
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name)
}

export function childNamed(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name)
}
