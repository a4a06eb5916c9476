/**
 * A small XML tag tree with positions, and edits applied to the original text: the token
 * simulation harness rewrites models before deploy (bindings for tasks, messages, timers, forced
 * gateway flows) and must leave everything else byte for byte as it was, diagrams included.
 */

export interface XmlNode {
  /** Local name, without the namespace prefix. */
  readonly name: string
  /** The prefix as written, with its colon (`bpmn:`), or ''. */
  readonly prefix: string
  /** Attributes by name as written (`id`, `xmlns:bpmn`, `xsi:type`). */
  readonly attributes: Readonly<Record<string, string>>
  readonly parent: XmlNode | undefined
  readonly children: XmlNode[]
  /** Index of `<` of the open tag. */
  readonly start: number
  /** Index just after the open tag's `>`. */
  readonly openEnd: number
  readonly selfClosing: boolean
  /** Index of the close tag's `<` (the open tag's end when self-closing). */
  closeStart: number
  /** Index just after the element. */
  end: number
}

const tagPattern =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([\w.-]+:)?([\w.-]+)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g
const attributePattern = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

/** Every element of a document, in document order. */
export function scanXml(xml: string): XmlNode[] {
  const nodes: XmlNode[] = []
  const open: XmlNode[] = []
  for (const match of xml.matchAll(tagPattern)) {
    const [text, closing, prefix, name, attributeText, selfClosing] = match
    if (name === undefined) continue // comment, CDATA, declaration
    const at = match.index
    if (closing === '/') {
      let top = open.pop()
      while (top !== undefined && top.name !== name) top = open.pop()
      if (top !== undefined) {
        top.closeStart = at
        top.end = at + text.length
      }
      continue
    }
    const attributes: Record<string, string> = {}
    for (const attribute of (attributeText ?? '').matchAll(attributePattern)) {
      attributes[attribute[1] ?? ''] = decodeEntities(attribute[2] ?? attribute[3] ?? '')
    }
    const parent = open.at(-1)
    const node: XmlNode = {
      name,
      prefix: prefix ?? '',
      attributes,
      parent,
      children: [],
      start: at,
      openEnd: at + text.length,
      selfClosing: selfClosing === '/',
      closeStart: at + text.length,
      end: at + text.length,
    }
    parent?.children.push(node)
    nodes.push(node)
    if (!node.selfClosing) open.push(node)
  }
  return nodes
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

export function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}

interface NodeEdit {
  readonly attributes: Map<string, string>
  readonly appended: string[]
  rename: string | undefined
  replacement: string | undefined
}

/**
 * Edits collected against the original text and applied at once, so positions stay valid:
 * attributes set, children appended, elements renamed or replaced.
 */
export class XmlEditor {
  private readonly edits = new Map<XmlNode, NodeEdit>()

  constructor(private readonly xml: string) {}

  private editOf(node: XmlNode): NodeEdit {
    let edit = this.edits.get(node)
    if (!edit) {
      edit = { attributes: new Map(), appended: [], rename: undefined, replacement: undefined }
      this.edits.set(node, edit)
    }
    return edit
  }

  setAttribute(node: XmlNode, name: string, value: string): void {
    this.editOf(node).attributes.set(name, value)
  }

  appendChild(node: XmlNode, xml: string): void {
    this.editOf(node).appended.push(xml)
  }

  /** Changes the local name of an element (its prefix stays). */
  rename(node: XmlNode, localName: string): void {
    this.editOf(node).rename = localName
  }

  /** Replaces the whole element. */
  replace(node: XmlNode, xml: string): void {
    this.editOf(node).replacement = xml
  }

  toString(): string {
    const pieces: { from: number; to: number; text: string }[] = []
    for (const [node, edit] of this.edits) {
      if (edit.replacement !== undefined) {
        pieces.push({ from: node.start, to: node.end, text: edit.replacement })
        continue
      }
      const name = `${node.prefix}${edit.rename ?? node.name}`
      let openTag = this.xml.slice(node.start, node.openEnd)
      if (edit.rename !== undefined) openTag = openTag.replace(/^<[\w.:-]+/, `<${name}`)
      for (const [attribute, value] of edit.attributes) {
        const escaped = escapeAttribute(value)
        const existing = new RegExp(
          `(\\s${attribute.replace(/[.:-]/g, '\\$&')}\\s*=\\s*)("[^"]*"|'[^']*')`,
        )
        openTag = existing.test(openTag)
          ? openTag.replace(existing, `$1"${escaped}"`)
          : openTag.replace(/\s*(\/?)>$/, ` ${attribute}="${escaped}"$1>`)
      }
      const children = edit.appended.join('')
      if (node.selfClosing) {
        const text =
          children === '' ? openTag : `${openTag.replace(/\s*\/>$/, '>')}${children}</${name}>`
        pieces.push({ from: node.start, to: node.openEnd, text })
        continue
      }
      pieces.push({ from: node.start, to: node.openEnd, text: openTag })
      if (children !== '' || edit.rename !== undefined) {
        pieces.push({ from: node.closeStart, to: node.end, text: `${children}</${name}>` })
      }
    }
    pieces.sort((a, b) => b.from - a.from)
    let out = this.xml
    for (const piece of pieces) out = out.slice(0, piece.from) + piece.text + out.slice(piece.to)
    return out
  }
}
