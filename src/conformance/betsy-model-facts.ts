/**
 * What the harness needs to know about a betsy model before running it: the processes it declares
 * and whether its branches may run concurrently (then the trace is compared as a multiset). Read
 * from the XML tags directly, so the harness does not depend on which elements the engine's
 * compiler supports.
 */

interface Tag {
  /** Local name, without the namespace prefix. */
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  /** Local names of the direct children. */
  readonly children: string[]
}

export interface BetsyModelFacts {
  /** Executable processes (`isExecutable` not "false"), in document order. */
  readonly processIds: readonly string[]
  /** Why branches may run concurrently; undefined when the model is strictly sequential. */
  readonly concurrency: string | undefined
  /** `taskName (eventDefinition...)` of an element by id, to name unsupported elements. */
  describe(elementId: string): string | undefined
}

const tagPattern =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<(\/?)([\w.-]+:)?([\w.-]+)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g
const attributePattern = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

function scanTags(xml: string): Tag[] {
  const tags: Tag[] = []
  const open: Tag[] = []
  for (const match of xml.matchAll(tagPattern)) {
    const [, closing, , name, attributeText, selfClosing] = match
    if (name === undefined) continue // a comment or CDATA
    if (closing === '/') {
      while (open.length > 0 && open.pop()?.name !== name) {
        // tolerate unbalanced input: pop until the matching open tag
      }
      continue
    }
    const attributes: Record<string, string> = {}
    for (const attribute of (attributeText ?? '').matchAll(attributePattern)) {
      const key = (attribute[1] ?? '').replace(/^[\w.-]+:/, '')
      attributes[key] = attribute[2] ?? attribute[3] ?? ''
    }
    const tag: Tag = { name, attributes, children: [] }
    open.at(-1)?.children.push(name)
    tags.push(tag)
    if (selfClosing !== '/') open.push(tag)
  }
  return tags
}

/** Elements after which the flow does not split into concurrent branches, whatever their fan-out. */
const exclusiveSplits = new Set(['exclusiveGateway', 'eventBasedGateway'])
const concurrentGateways = new Set(['parallelGateway', 'inclusiveGateway', 'complexGateway'])

/**
 * Reads the facts of a model. The trace is compared as a multiset when any of these holds:
 * a parallel, inclusive or complex gateway; a flow node other than an exclusive or event-based
 * gateway with several outgoing sequence flows (an implicit parallel or inclusive split); a
 * non-interrupting boundary event or event subprocess start; a parallel multi-instance activity;
 * an ad-hoc subprocess whose ordering is not sequential.
 */
export function readBetsyModelFacts(xml: string): BetsyModelFacts {
  const tags = scanTags(xml)
  const byId = new Map<string, Tag>()
  for (const tag of tags) {
    const id = tag.attributes['id']
    if (id !== undefined && !byId.has(id)) byId.set(id, tag)
  }
  const processIds = tags
    .filter((tag) => tag.name === 'process' && tag.attributes['isExecutable'] !== 'false')
    .map((tag) => tag.attributes['id'])
    .filter((id): id is string => id !== undefined)

  const reasons: string[] = []
  const fanOut = new Map<string, number>()
  for (const tag of tags) {
    const id = tag.attributes['id'] ?? '?'
    if (concurrentGateways.has(tag.name)) reasons.push(`${tag.name} '${id}'`)
    if (tag.name === 'boundaryEvent' && tag.attributes['cancelActivity'] === 'false')
      reasons.push(`non-interrupting boundary event '${id}'`)
    if (tag.name === 'startEvent' && tag.attributes['isInterrupting'] === 'false')
      reasons.push(`non-interrupting start event '${id}'`)
    if (
      tag.name === 'multiInstanceLoopCharacteristics' &&
      tag.attributes['isSequential'] !== 'true'
    )
      reasons.push('parallel multi-instance activity')
    if (tag.name === 'adHocSubProcess' && tag.attributes['ordering'] !== 'Sequential')
      reasons.push(`parallel ad-hoc subprocess '${id}'`)
    if (tag.name === 'sequenceFlow') {
      const source = tag.attributes['sourceRef']
      if (source !== undefined) fanOut.set(source, (fanOut.get(source) ?? 0) + 1)
    }
  }
  for (const [source, count] of fanOut) {
    const node = byId.get(source)
    if (count > 1 && node && !exclusiveSplits.has(node.name) && !concurrentGateways.has(node.name))
      reasons.push(`implicit split after ${node.name} '${source}'`)
  }

  return {
    processIds,
    concurrency: reasons.length === 0 ? undefined : [...new Set(reasons)].join(', '),
    describe(elementId) {
      const tag = byId.get(elementId)
      if (!tag) return undefined
      const definitions = tag.children.filter((child) => child.endsWith('EventDefinition'))
      const loops = tag.children.filter((child) => child.endsWith('LoopCharacteristics'))
      const extras = [...definitions, ...loops]
      return extras.length === 0 ? tag.name : `${tag.name} with ${extras.join(' + ')}`
    },
  }
}
