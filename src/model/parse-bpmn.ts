import { createRequire } from 'node:module'
import { BpmnModdle } from 'bpmn-moddle'
import { isModdleElement, type ModdleElement } from './moddle-element.ts'
import type { ProblemCollector } from './problem-collector.ts'

const zeebeDescriptor: unknown = createRequire(import.meta.url)(
  'zeebe-bpmn-moddle/resources/zeebe.json',
)

const bpmnNamespace = 'http://www.omg.org/spec/BPMN/20100524/MODEL'

/** References moddle could not resolve, by element and property (`sourceRef`, `default` ...). */
export type UnresolvedReferences = ReadonlyMap<ModdleElement, ReadonlyMap<string, string>>

export type ParsedBpmn =
  | {
      readonly ok: true
      readonly definitions: ModdleElement
      readonly unresolved: UnresolvedReferences
    }
  | { readonly ok: false }

interface ModdleWarning {
  readonly message?: unknown
  readonly element?: unknown
  readonly property?: unknown
  readonly value?: unknown
}

/** Properties whose unresolved references the validator reports itself, with better messages. */
const referencesCheckedLater = new Set(['sourceRef', 'targetRef', 'default', 'attachedToRef'])
/** The same, for references of event definitions and receive tasks. */
const eventReferencesCheckedLater = new Set([
  'messageRef',
  'signalRef',
  'errorRef',
  'escalationRef',
  'activityRef',
])

function isCheckedLater(element: ModdleElement, property: string): boolean {
  if (referencesCheckedLater.has(property)) return true
  return (
    eventReferencesCheckedLater.has(property) &&
    (element.$instanceOf('bpmn:EventDefinition') || element.$type === 'bpmn:ReceiveTask')
  )
}
/** `<incoming>`/`<outgoing>` lists: redundant with sourceRef/targetRef, but must not be stale. */
const flowListReferences = new Set(['incoming', 'outgoing'])

/**
 * Parses BPMN XML with bpmn-moddle (+ the zeebe extension descriptor), turning moddle's
 * warnings into problems. Never throws.
 */
export async function parseBpmnXml(xml: string, problems: ProblemCollector): Promise<ParsedBpmn> {
  let result
  try {
    const moddle = new BpmnModdle({ zeebe: zeebeDescriptor })
    result = await moddle.fromXML(xml)
  } catch (error) {
    reportFatal(xml, error, problems)
    return { ok: false }
  }

  const unresolved = new Map<ModdleElement, Map<string, string>>()
  for (const raw of result.warnings) {
    const warning = (typeof raw === 'object' && raw !== null ? raw : {}) as ModdleWarning
    const message = typeof warning.message === 'string' ? warning.message : String(raw)
    if (message.startsWith('unresolved reference') && isModdleElement(warning.element)) {
      const property = String(warning.property).replace(/^\w+:/, '')
      const value = String(warning.value)
      if (flowListReferences.has(property)) {
        const owner = typeof warning.element.id === 'string' ? warning.element.id : undefined
        problems.error(
          'flow-reference-unresolved',
          `${owner === undefined ? warning.element.$type : `'${owner}'`} lists ${property} flow '${value}', but there is no sequence flow with that id. Remove the stale <${property}> entry or restore the flow.`,
          owner,
        )
        continue
      }
      if (isCheckedLater(warning.element, property)) {
        const byProperty = unresolved.get(warning.element) ?? new Map<string, string>()
        byProperty.set(property, value)
        unresolved.set(warning.element, byProperty)
        continue
      }
      const owner = typeof warning.element.id === 'string' ? warning.element.id : undefined
      problems.warn(
        'reference-unresolved',
        `${property} of ${owner === undefined ? warning.element.$type : `'${owner}'`} refers to '${value}', which is not in the file; the reference was ignored. Fix the id or remove the reference.`,
        owner,
      )
      continue
    }
    reportWarning(message, problems)
  }

  const root = result.rootElement
  if (!isModdleElement(root)) {
    problems.error('xml-not-bpmn', 'The file has no BPMN <definitions> root element.')
    return { ok: false }
  }
  return { ok: true, definitions: root, unresolved }
}

interface UnparsableContent {
  readonly line?: number
  readonly content: string
  readonly cause: string
}

/** moddle/saxen report `unparsable content <x> detected / line: N (0-based) / nested error: ...`. */
function parseUnparsable(message: string): UnparsableContent | undefined {
  const match =
    /^unparsable content ([\s\S]*?)\s*detected\s+line: (\d+)\s+column: \d+\s+nested error: ([\s\S]*)$/.exec(
      message,
    )
  if (!match) return undefined
  const line = Number(match[2]) + 1
  return { line, content: (match[1] ?? '').slice(0, 80), cause: (match[3] ?? '').trim() }
}

function reportWarning(message: string, problems: ProblemCollector): void {
  if (message.startsWith('unsupported document encoding')) {
    problems.warn(
      'xml-encoding-unsupported',
      `${message}. Save the file as UTF-8 to be sure non-ASCII names survive.`,
    )
    return
  }
  const unknownAttribute = /^unknown attribute <(.*)>$/.exec(message)
  if (unknownAttribute) {
    problems.warn(
      'attribute-unknown',
      `Attribute '${unknownAttribute[1]}' is not part of BPMN 2.0 and was ignored. Remove it, or put it in a declared extension namespace.`,
    )
    return
  }
  const unparsable = parseUnparsable(message)
  if (unparsable === undefined) {
    problems.warn('xml-warning', `The BPMN reader reported: ${message}`)
    return
  }
  const { line, content, cause } = unparsable
  const duplicate = /^duplicate ID <(.*)>$/.exec(cause)
  if (duplicate) {
    problems.error(
      'id-duplicate',
      `Id '${duplicate[1]}' is used by more than one element (again at ${content}); the later element was dropped. Give every element its own id.`,
      duplicate[1],
      line,
    )
    return
  }
  const illegalId = /^illegal ID <(.*)>$/.exec(cause)
  if (illegalId) {
    problems.error(
      'id-invalid',
      `Id '${illegalId[1]}' of ${content} is not a valid XML id (it must start with a letter or '_' and contain no spaces or ':'); the element was dropped. Rename it, e.g. '${(illegalId[1] ?? '').replace(/[^\w.-]/g, '_').replace(/^(?=[\d.-])/, '_')}'.`,
      undefined,
      line,
    )
    return
  }
  const unknown = /^(?:unknown type|unrecognized element|unexpected element) <(.*)>$/.exec(cause)
  if (unknown?.[1]?.startsWith('bpmn:') === true) {
    // A BPMN element where the schema does not allow it: engines that validate the schema
    // (Camunda 7 and 8) reject the file, and ignoring it could change what the model means.
    problems.error(
      'element-misplaced',
      `Element ${content} is a BPMN element in a place where BPMN does not allow it (${cause}). Move it where it belongs (e.g. a <property> inside a process or activity) or remove it.`,
      undefined,
      line,
    )
    return
  }
  if (unknown) {
    problems.warn(
      'element-unknown',
      `Element ${content} is not a known BPMN 2.0 (or zeebe) element at this place and was ignored (${cause}). Remove it, or declare its extension namespace.`,
      undefined,
      line,
    )
    return
  }
  problems.error(
    'xml-malformed',
    `The XML is not well-formed near ${content || 'this point'}: ${cause}. Fix the XML syntax (Camunda Modeler can re-save the file).`,
    undefined,
    line,
  )
}

function reportFatal(xml: string, error: unknown, problems: ProblemCollector): void {
  const message = error instanceof Error ? error.message : String(error)
  const warnings = (error as { warnings?: unknown } | null)?.warnings
  if (message.startsWith('failed to parse document as')) {
    const root = /<(?:([\w.-]+):)?([\w.-]+)([^>]*)>/.exec(
      xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ''),
    )
    const declaration = root?.[1] === undefined ? 'xmlns' : `xmlns:${root[1]}`
    const namespace =
      new RegExp(`\\s${declaration}\\s*=\\s*["']([^"']*)["']`).exec(root?.[3] ?? '')?.[1] ?? ''
    const hint = /dmn/i.test(namespace)
      ? ' This looks like a DMN decision file: deploy it as a decision, not as a process.'
      : ''
    problems.error(
      'xml-not-bpmn',
      `The file is XML but not BPMN 2.0: the root element must be <definitions> in namespace ${bpmnNamespace}${root ? ` (found <${root[2]}>${namespace ? ` in ${namespace}` : ''})` : ''}.${hint}`,
    )
    return
  }
  const unparsable = parseUnparsable(message)
  if (unparsable) {
    problems.error(
      'xml-malformed',
      `The file is not well-formed XML${unparsable.content ? ` near ${unparsable.content}` : ''}: ${unparsable.cause}. Fix the XML syntax (Camunda Modeler can re-save the file).`,
      undefined,
      unparsable.line,
    )
  } else {
    problems.error('xml-malformed', `The file could not be read as XML: ${message}`)
  }
  if (Array.isArray(warnings)) {
    for (const warning of warnings as readonly ModdleWarning[]) {
      if (typeof warning.message === 'string') reportWarning(warning.message, problems)
    }
  }
}
