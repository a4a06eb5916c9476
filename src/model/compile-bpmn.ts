import type { CompiledExpression } from '../feel/types.ts'
import { compileFeel } from './attribute-value.ts'
import { deepFreeze, FrozenMap, FrozenSet } from './deep-freeze.ts'
import type { CompileContext } from './compile-context.ts'
import { checkEngineSupport } from './engine-constructs.ts'
import { eventDefinitionTypeOf } from './event-definitions.ts'
import { flowNodeCompilers, reportUnsupported } from './flow-node-compilers.ts'
import { computeInclusiveJoinReach } from './inclusive-join-sources.ts'
import { isMimeType } from './mime-type.ts'
import { dialectOf, isStrict } from './dialect.ts'
import { messageExchange } from './message-exchange.ts'
import {
  booleanProperty,
  describeElement,
  elementProperty,
  elementsProperty,
  extensionElement,
  idOf,
  stringProperty,
  typeName,
  type ModdleElement,
} from './moddle-element.ts'
import { parseBpmnXml, type UnresolvedReferences } from './parse-bpmn.ts'
import { ProblemCollector } from './problem-collector.ts'
import type { CompileResult, ExecutableProcess, FlowNode, SequenceFlow } from './types.ts'
import { findDoubleLoopMarkers, scanXmlIds } from './xml-scan.ts'
import { checkCollaborationRules } from './collaboration-rules.ts'
import { checkDataRules } from './data-rules.ts'
import {
  scopeKind,
  associationsOf,
  attachBoundaryEvents,
  checkCancelPlacement,
  checkMessageStartNames,
  checkNodeFlows,
  checkStartEvents,
  linkTargetsOf,
} from './scope-rules.ts'
import { readIoMapping, type ElementContext } from './zeebe-extensions.ts'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * Parses, validates and compiles a BPMN 2.0 file (Camunda 8 `zeebe:` dialect) into frozen
 * executable processes. Never throws: whatever the input, the result either holds the processes
 * (and warnings), or lists every problem found, each with its rule, element, line and a fix.
 *
 * Sequence flow conditions are FEEL, with or without the leading `=` (plain BPMN tools write
 * them without it). The definitions-level `expressionLanguage` is ignored: many tools set it to
 * XPath by default; only a condition's own `language` attribute is checked.
 *
 * Constructs the model represents but the engine does not run yet (see `engineSupport`) are
 * rejected as `element-unsupported`, unless `allowUnsupported` is set (for tests and tooling that
 * check a model without running it).
 *
 * @example
 * const result = await compileBpmn(xml)
 * if (!result.ok) for (const p of result.problems) console.log(`${p.line}: ${p.rule} ${p.message}`)
 */
export async function compileBpmn(xml: string, options?: CompileOptions): Promise<CompileResult> {
  try {
    return await compile(xml, options ?? {})
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          rule: 'internal-error',
          message: `Baton's BPMN compiler failed unexpectedly (${error instanceof Error ? error.message : String(error)}). This is a bug in Baton: please report it with the file.`,
        },
      ],
    }
  }
}

/** Options of {@link compileBpmn}. */
export interface CompileOptions {
  /** Compile constructs the engine does not execute yet instead of rejecting them. */
  readonly allowUnsupported?: boolean
  /**
   * `false` skips the BPMN specification rules that only plain BPMN files are held to (data,
   * collaboration, flow lists, subprocess end events...): for reloading a definition deployed
   * before those rules existed, so its running instances are not stranded. Deploys keep them.
   */
  readonly specRules?: boolean
}

async function compile(xml: unknown, options: CompileOptions): Promise<CompileResult> {
  if (typeof xml !== 'string') {
    return fail('xml-malformed', `Expected the BPMN file as a string of XML, got ${typeof xml}.`)
  }
  const text = xml.startsWith('\uFEFF') ? xml.slice(1) : xml
  if (text.trim() === '') {
    return fail('xml-malformed', 'The file is empty. Deploy a BPMN 2.0 XML file.')
  }
  const ids = scanXmlIds(text)
  const problems = new ProblemCollector((id) => ids.lineOf(id))
  for (const [id, lines] of ids.lines) {
    if (lines.length < 2) continue
    problems.error(
      'id-duplicate',
      `Id '${id}' is used by ${lines.length} elements (lines ${lines.join(', ')}). Give every element its own id.`,
      id,
      lines[1],
    )
  }

  for (const marker of findDoubleLoopMarkers(text)) {
    problems.error(
      'loop-markers-multiple',
      `${marker.activityId === undefined ? 'An activity' : `Activity '${marker.activityId}'`} has both a standardLoopCharacteristics and a multiInstanceLoopCharacteristics; an activity has at most one loop marker. Keep the one you mean.`,
      marker.activityId,
      marker.line,
    )
  }

  const parsed = await parseBpmnXml(text, problems)
  if (!parsed.ok) return { ok: false, problems: problems.errors }
  if (options.specRules !== false && isStrict(dialectOf(parsed.definitions))) {
    checkDataRules(parsed.definitions, problems)
    checkCollaborationRules(parsed.definitions, problems)
  }

  const processes = compileDefinitions(parsed.definitions, parsed.unresolved, problems, options)
  if (problems.errors.length > 0) return { ok: false, problems: problems.errors }
  return deepFreeze({ ok: true, processes, warnings: problems.warnings })
}

function fail(rule: string, message: string): CompileResult {
  return { ok: false, problems: [{ rule, message }] }
}

function compileDefinitions(
  definitions: ModdleElement,
  unresolved: UnresolvedReferences,
  problems: ProblemCollector,
  options: CompileOptions,
): ExecutableProcess[] {
  const processes = elementsProperty(definitions, 'rootElements').filter(
    (element) => element.$type === 'bpmn:Process',
  )
  if (processes.length === 0) {
    problems.error(
      'process-required',
      'The file has no <process>, so there is nothing to execute. Model a process (a pool with flow nodes) and deploy again.',
    )
    return []
  }
  const executable = processes.filter(
    (process) => booleanProperty(process, 'isExecutable') === true,
  )
  const selected = executable.length > 0 ? executable : processes
  for (const process of processes) {
    if (executable.length === 0) {
      problems.warn(
        'process-not-executable',
        `${describeElement(process)} is not marked isExecutable="true", and the file has no executable process: Baton runs it as a descriptive process, with BPMN's token-flow semantics (flow nodes without incoming flow start with the scope; the other relaxed rules are warnings of their own). Set isExecutable="true" to hold it to every rule of an executable process.`,
        idOf(process),
      )
    } else if (!selected.includes(process)) {
      problems.warn(
        'process-skipped',
        `${describeElement(process)} is not executable (isExecutable is not "true") and was not deployed. Set isExecutable="true" to run it.`,
        idOf(process),
      )
    }
  }

  const scopeOf = new Map<ModdleElement, ModdleElement>()
  for (const process of selected) mapScopes(process, scopeOf, problems)

  const compiled: ExecutableProcess[] = []
  const messages = messageExchange(selected)
  const strict = options.specRules !== false && isStrict(dialectOf(definitions))
  const descriptive = executable.length === 0
  for (const process of selected) {
    const result = compileProcess(
      process,
      { problems, process, scopeOf, unresolved, messages, strict, descriptive },
      options,
    )
    if (result !== undefined) compiled.push(result)
  }
  return compiled
}

/** Records each flow element's scope, and reports elements without id. */
function mapScopes(
  scope: ModdleElement,
  scopeOf: Map<ModdleElement, ModdleElement>,
  problems: ProblemCollector,
): void {
  if (idOf(scope) === undefined) {
    problems.error(
      'id-required',
      `A ${describeElement(scope)} has no id. Give it a unique id (Camunda Modeler does this for you).`,
    )
  }
  for (const element of elementsProperty(scope, 'flowElements')) {
    scopeOf.set(element, scope)
    if (element.$instanceOf('bpmn:FlowElementsContainer')) {
      mapScopes(element, scopeOf, problems)
    } else if (idOf(element) === undefined) {
      problems.error(
        'id-required',
        `A ${describeElement(element)} in ${describeElement(scope)} has no id. Give it a unique id (Camunda Modeler does this for you).`,
      )
    }
  }
}

interface ProcessBuild {
  readonly ctx: CompileContext
  readonly nodes: Map<string, FlowNode>
  readonly flows: Map<string, SequenceFlow>
  readonly linkTargets: Map<string, string>
  readonly associations: readonly ModdleElement[]
}

function compileProcess(
  process: ModdleElement,
  ctx: CompileContext,
  options: CompileOptions,
): ExecutableProcess | undefined {
  const id = idOf(process)
  if (id === undefined) return undefined
  const build: ProcessBuild = {
    ctx,
    nodes: new Map(),
    flows: new Map(),
    linkTargets: new Map(),
    associations: associationsOf(process),
  }
  checkUnsupportedExtensions(process, ctx)
  const scope = compileScope(process, id, build)
  checkMessageStartNames(scope.startEventIds, build.nodes, ctx)
  if (options.allowUnsupported !== true) {
    for (const node of build.nodes.values()) checkEngineSupport(node, ctx.problems, undefined, id)
  }
  const name = stringProperty(process, 'name')
  return {
    id,
    ...(name === undefined ? {} : { name }),
    nodes: new FrozenMap(build.nodes),
    flows: new FrozenMap(build.flows),
    startEventId: scope.startEventId ?? '',
    startEventIds: scope.startEventIds,
    ...(scope.tokenStartIds === undefined ? {} : { tokenStartIds: scope.tokenStartIds }),
    eventSubProcessIds: scope.eventSubProcessIds,
    linkTargets: new FrozenMap(build.linkTargets),
    childNodeIds: scope.childNodeIds,
    ...inclusiveJoins(build),
  }
}

function inclusiveJoins(
  build: ProcessBuild,
): Pick<ExecutableProcess, 'inclusiveJoinSources' | 'inclusiveJoinReach'> {
  const reach = computeInclusiveJoinReach(build.nodes, build.flows)
  return {
    inclusiveJoinSources: new FrozenMap(
      [...reach].map(([gateway, sources]) => [gateway, new FrozenSet(sources.keys())] as const),
    ),
    inclusiveJoinReach: new FrozenMap(
      [...reach].map(
        ([gateway, sources]) =>
          [
            gateway,
            new FrozenMap(
              [...sources].map(([source, flows]) => [source, new FrozenSet(flows)] as const),
            ),
          ] as const,
      ),
    ),
  }
}

interface ScopeResult {
  readonly childNodeIds: string[]
  readonly startEventId: string | undefined
  readonly startEventIds: readonly string[]
  readonly eventSubProcessIds: string[]
  /** A descriptive scope that starts at more than one start event (see FlowNode.tokenStartIds). */
  readonly tokenStartIds?: readonly string[]
}

/** Elements that are entered without an incoming sequence flow by design. */
function isEnteredWithoutFlow(element: ModdleElement): boolean {
  return (
    element.$type === 'bpmn:StartEvent' ||
    element.$type === 'bpmn:BoundaryEvent' ||
    booleanProperty(element, 'triggeredByEvent') === true ||
    booleanProperty(element, 'isForCompensation') === true ||
    // A receive task or event-based gateway with instantiate="true" starts the process.
    booleanProperty(element, 'instantiate') === true ||
    // The activities of an ad-hoc subprocess are started on demand.
    element.$parent?.$type === 'bpmn:AdHocSubProcess' ||
    // A link catch event is reached from the link throw event of the same name.
    (element.$type === 'bpmn:IntermediateCatchEvent' && eventDefinitionTypeOf(element) === 'link')
  )
}

function compileScope(scope: ModdleElement, scopeId: string, build: ProcessBuild): ScopeResult {
  const { ctx } = build
  const elements = elementsProperty(scope, 'flowElements')
  const nodeElements = elements.filter((element) => element.$instanceOf('bpmn:FlowNode'))
  const flowElements = elements.filter((element) => element.$type === 'bpmn:SequenceFlow')

  const defaultFlows = new Set<ModdleElement>()
  for (const node of nodeElements) {
    const defaultFlow = elementProperty(node, 'default')
    if (defaultFlow !== undefined) defaultFlows.add(defaultFlow)
  }

  const incoming = new Map<ModdleElement, ModdleElement[]>()
  const withBrokenFlows = new Set<ModdleElement>()
  const outgoing = new Map<ModdleElement, ModdleElement[]>()
  for (const flow of flowElements) {
    const flowId = idOf(flow)
    const source = flowEnd(flow, 'sourceRef', scope, ctx)
    const target = flowEnd(flow, 'targetRef', scope, ctx)
    const condition = compileCondition(flow, source, defaultFlows.has(flow), ctx)
    // A flow with a broken end was reported; its other end is not also "missing a flow".
    if (source === undefined && target !== undefined) withBrokenFlows.add(target)
    if (target === undefined && source !== undefined) withBrokenFlows.add(source)
    if (ctx.strict === true && booleanProperty(flow, 'isImmediate') === false) {
      ctx.problems.error(
        'sequence-flow-not-immediate',
        `${describeElement(flow)} has isImmediate="false" (other activities may happen between its ends), which BPMN allows only in non-executable processes. Remove the attribute.`,
        flowId,
      )
    }
    if (flowId === undefined || source === undefined || target === undefined) continue
    const sourceId = idOf(source)
    const targetId = idOf(target)
    if (sourceId === undefined || targetId === undefined) continue
    outgoing.set(source, [...(outgoing.get(source) ?? []), flow])
    incoming.set(target, [...(incoming.get(target) ?? []), flow])
    const name = stringProperty(flow, 'name')
    build.flows.set(flowId, {
      id: flowId,
      ...(name === undefined ? {} : { name }),
      sourceRef: sourceId,
      targetRef: targetId,
      ...(condition === undefined ? {} : { condition }),
    })
  }

  const childNodeIds: string[] = []
  const eventSubProcessIds: string[] = []
  const implicitStartIds = new Set<string>()
  const hasStart = nodeElements.some((element) => element.$type === 'bpmn:StartEvent')
  // Files that list <incoming>/<outgoing> on their flow nodes must list every flow.
  const usesFlowLists = nodeElements.some(
    (element) =>
      elementsProperty(element, 'incoming').length + elementsProperty(element, 'outgoing').length >
      0,
  )
  // Only for subprocesses: a process whose paths end implicitly is common in hand-written plain
  // files, and every engine runs it; a subprocess is where a missing end event is a modeling slip.
  const kind = scopeKind(scope)
  if (ctx.strict === true && hasStart && (kind === 'subProcess' || kind === 'transaction')) {
    checkEndEventPresent(scope, scopeId, nodeElements, ctx)
  }
  for (const element of nodeElements) {
    const id = idOf(element)
    if (id === undefined) continue
    const compiler = flowNodeCompilers[element.$type]
    const details =
      compiler === undefined ? reportUnsupported(element, ctx) : compiler(element, ctx)
    const incomingFlows = incoming.get(element) ?? []
    const outgoingFlows = outgoing.get(element) ?? []
    checkConnections(element, incomingFlows, outgoingFlows, ctx)
    if (incomingFlows.length === 0 && !isEnteredWithoutFlow(element)) {
      if (checkReachable(element, scope, hasStart, ctx)) implicitStartIds.add(id)
    }
    if (ctx.strict === true && usesFlowLists) {
      checkFlowLists(element, incomingFlows, outgoingFlows, ctx)
    }
    checkDocumentation(element, ctx)
    if (!withBrokenFlows.has(element)) checkNodeFlows(element, incomingFlows, outgoingFlows, ctx)
    checkCancelPlacement(element, scope, ctx)
    const defaultFlow = checkDefaultFlow(element, outgoingFlows, ctx)
    if (details === undefined) continue

    checkUnsupportedExtensions(element, ctx)
    const ioMapping = readIoMapping(element, ctx)
    const name = stringProperty(element, 'name')
    const node: Mutable<FlowNode> = {
      id,
      ...(name === undefined ? {} : { name }),
      ...details,
      scopeId,
      incoming: flowIds(incomingFlows),
      outgoing: flowIds(outgoingFlows),
      ...(defaultFlow === undefined ? {} : { defaultFlow }),
      ...(ioMapping === undefined ? {} : { ioMapping }),
    }
    build.nodes.set(id, node)
    childNodeIds.push(id)
    if (details.triggeredByEvent === true) eventSubProcessIds.push(id)
    if (details.type === 'subProcess') {
      const inner = compileScope(element, id, build)
      node.childNodeIds = inner.childNodeIds
      if (inner.startEventId !== undefined) node.startEventId = inner.startEventId
      if (inner.eventSubProcessIds.length > 0) node.eventSubProcessIds = inner.eventSubProcessIds
      if (inner.tokenStartIds !== undefined) node.tokenStartIds = inner.tokenStartIds
      // An event subprocess a descriptive process starts by any of its start events.
      if (details.triggeredByEvent === true && inner.startEventIds.length > 1) {
        node.startEventIds = inner.startEventIds
      }
    }
  }

  attachBoundaryEvents(nodeElements, build.nodes, build.associations, ctx)
  for (const [key, catchId] of linkTargetsOf(scopeId, childNodeIds, build.nodes, ctx)) {
    build.linkTargets.set(key, catchId)
  }
  const starts = checkStartEvents(scope, scopeId, nodeElements, ctx, [...implicitStartIds])
  const noneStarts = starts.startEventIds.filter(
    (startId) => build.nodes.get(startId)?.eventDefinition === undefined,
  )
  const tokenStartIds =
    implicitStartIds.size > 0 || (kind !== 'process' && noneStarts.length > 1)
      ? childNodeIds.filter(
          (childId) => implicitStartIds.has(childId) || starts.startEventIds.includes(childId),
        )
      : undefined
  return {
    childNodeIds,
    startEventId: starts.startEventId,
    startEventIds: starts.startEventIds,
    eventSubProcessIds,
    ...(tokenStartIds === undefined ? {} : { tokenStartIds }),
  }
}

/**
 * BPMN: where a scope has a start event, every other flow node has an incoming sequence flow.
 * Returns whether the node is an implicit start (a descriptive process starts it with its scope).
 */
function checkReachable(
  element: ModdleElement,
  scope: ModdleElement,
  scopeHasStart: boolean,
  ctx: CompileContext,
): boolean {
  const id = idOf(element)
  if (ctx.descriptive === true) {
    ctx.problems.warn(
      'flow-node-unreachable',
      `${describeElement(element)} has no incoming sequence flow${scopeHasStart ? ', which BPMN requires on every other flow node of a scope with a start event' : ''}; as a descriptive model, Baton starts it${scopeHasStart ? ' together with the start event' : ''} whenever ${describeElement(scope)} starts.`,
      id,
    )
    return true
  }
  // BPMN: where a start event is used, every other flow node has an incoming sequence flow.
  const message = `${describeElement(element)} has no incoming sequence flow, so it is never reached (only start events start a process${scopeHasStart ? ', and BPMN requires an incoming flow on every other flow node of a scope with a start event' : ''}). Connect it or remove it.`
  if (scopeHasStart) ctx.problems.error('flow-node-unreachable', message, id)
  else ctx.problems.warn('flow-node-unreachable', message, id)
  return false
}

function flowIds(flows: readonly ModdleElement[]): string[] {
  return flows.map((flow) => idOf(flow)).filter((id) => id !== undefined)
}

/** Resolves a flow's source or target, reporting a missing or cross-scope end. */
function flowEnd(
  flow: ModdleElement,
  property: 'sourceRef' | 'targetRef',
  scope: ModdleElement,
  ctx: CompileContext,
): ModdleElement | undefined {
  const rule = property === 'sourceRef' ? 'flow-source-missing' : 'flow-target-missing'
  const end = property === 'sourceRef' ? 'source' : 'target'
  const flowId = idOf(flow)
  const referenced = elementProperty(flow, property)
  if (referenced === undefined) {
    const raw = ctx.unresolved.get(flow)?.get(property)
    ctx.problems.error(
      rule,
      raw === undefined
        ? `${describeElement(flow)} has no ${property}. Connect the flow to its ${end} flow node.`
        : `${property} '${raw}' of ${describeElement(flow)} does not match any element. Reconnect the flow to an existing flow node or fix the id.`,
      flowId,
    )
    return undefined
  }
  if (!referenced.$instanceOf('bpmn:FlowNode')) {
    ctx.problems.error(
      rule,
      `The ${end} of ${describeElement(flow)} is ${describeElement(referenced)}, which is not a flow node. Sequence flows connect events, activities and gateways.`,
      flowId,
    )
    return undefined
  }
  const endScope = ctx.scopeOf.get(referenced)
  if (endScope !== scope) {
    ctx.problems.error(
      'flow-crosses-scope',
      `${describeElement(flow)} is in ${describeElement(scope)} but its ${end} ${describeElement(referenced)} is in ${endScope === undefined ? 'another process' : describeElement(endScope)}. Sequence flows must stay inside one process or subprocess; use a subprocess's own start/end events (or messages between processes).`,
      flowId,
    )
    return undefined
  }
  return referenced
}

const feelLanguage = /feel/i

function compileCondition(
  flow: ModdleElement,
  source: ModdleElement | undefined,
  isDefault: boolean,
  ctx: CompileContext,
): CompiledExpression | undefined {
  const expression = elementProperty(flow, 'conditionExpression')
  if (expression === undefined) return undefined
  const flowId = idOf(flow)
  if (source?.$instanceOf('bpmn:Event') === true) {
    ctx.problems.error(
      'flow-condition-not-allowed',
      `${describeElement(flow)} leaves ${describeElement(source)} and has a condition, but only flows leaving activities and gateways may be conditional. Remove the condition, or put an exclusive gateway after the event.`,
      flowId,
    )
    return undefined
  }
  if (source?.$type === 'bpmn:EventBasedGateway') return undefined // reported by scope-rules.ts
  if (source?.$type === 'bpmn:ParallelGateway') {
    ctx.problems.warn(
      'parallel-gateway-condition-ignored',
      `${describeElement(flow)} leaves parallel gateway '${idOf(source)}' and has a condition, which is ignored: a parallel gateway takes every outgoing flow. Remove the condition or use an inclusive gateway.`,
      flowId,
    )
    return undefined
  }
  if (isDefault) {
    ctx.problems.warn(
      'default-flow-condition-ignored',
      `${describeElement(flow)} is a default flow and has a condition, which is ignored: the default flow is taken when no other condition holds. Remove the condition.`,
      flowId,
    )
    return undefined
  }
  // Without xsi:type="tFormalExpression" moddle reads a plain bpmn:Expression, which keeps
  // `language` among its unknown attributes.
  const attributes = expression.$attrs as Readonly<Record<string, unknown>> | undefined
  const rawLanguage = stringProperty(expression, 'language') ?? attributes?.language
  const language = typeof rawLanguage === 'string' ? rawLanguage.trim() : undefined
  const body = (stringProperty(expression, 'body') ?? '').trim()
  if (
    (language !== undefined && language !== '' && !feelLanguage.test(language)) ||
    /^[$#]\{/.test(body)
  ) {
    ctx.problems.error(
      'condition-language-unsupported',
      `The condition of ${describeElement(flow)} is written in ${language !== undefined && language !== '' ? `'${language}'` : 'an expression language (JUEL ${...})'} Baton does not run: '${body.slice(0, 80)}'. Rewrite it in FEEL, e.g. '=amount > 100'.`,
      flowId,
    )
    return undefined
  }
  const source_ = body.startsWith('=') ? body.slice(1) : body
  const compiled = compileFeel(source_)
  if (!compiled.ok) {
    ctx.problems.error(
      body === '' || body === '=' ? 'condition-empty' : 'feel-syntax',
      body === '' || body === '='
        ? `${describeElement(flow)} has an empty condition. Write a FEEL condition (e.g. '=approved') or remove the condition.`
        : `The condition of ${describeElement(flow)} is not valid FEEL (${compiled.error}): '${body.slice(0, 200)}'. Fix the expression.`,
      flowId,
    )
    return undefined
  }
  return compiled.expression
}

/**
 * BPMN: where a process level (process or expanded subprocess) uses a start event, it has at
 * least one end event. Engines end such paths implicitly, so this applies to the subprocesses of
 * plain BPMN files.
 */
function checkEndEventPresent(
  scope: ModdleElement,
  scopeId: string,
  nodes: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  if (nodes.some((node) => node.$type === 'bpmn:EndEvent')) return
  ctx.problems.error(
    'end-event-required',
    `${describeElement(scope)} has a start event but no end event; BPMN requires at least one end event in a subprocess that starts with a start event. Add an end event after its last step.`,
    scopeId,
  )
}

/** The `<incoming>`/`<outgoing>` lists of a flow node name every flow that ends or starts at it. */
function checkFlowLists(
  element: ModdleElement,
  incoming: readonly ModdleElement[],
  outgoing: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  for (const [property, flows] of [
    ['incoming', incoming],
    ['outgoing', outgoing],
  ] as const) {
    const listed = elementsProperty(element, property)
    const missing = flows.filter((flow) => !listed.includes(flow))
    if (missing.length === 0) continue
    ctx.problems.error(
      'flow-list-incomplete',
      `${describeElement(element)} does not list its ${property} sequence flow${missing.length === 1 ? '' : 's'} ${flowIds(missing).join(', ')} in <${property}>, though the file lists flows on its flow nodes. Add <${property}>${flowIds(missing)[0] ?? ''}</${property}> (Camunda Modeler re-saves the file consistently).`,
      idOf(element),
    )
  }
}

/** Start/end event connections and gateway conditions. */
function checkConnections(
  element: ModdleElement,
  incoming: readonly ModdleElement[],
  outgoing: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  const id = idOf(element)
  if (
    element.$instanceOf('bpmn:Gateway') &&
    element.$type !== 'bpmn:EventBasedGateway' &&
    incoming.length <= 1 &&
    outgoing.length === 1
  ) {
    // A gateway that neither splits nor joins (one flow in, one out). A gateway with no outgoing
    // flow is a token sink, which runs (like a task without outgoing flows) and is left alone.
    ctx.problems.error(
      'gateway-flows-invalid',
      `${describeElement(element)} has ${incoming.length} incoming and 1 outgoing sequence flow; a gateway splits (several outgoing flows) or joins (several incoming flows). Remove the gateway, or connect the branches it splits or joins.`,
      id,
    )
  }
  if (element.$type === 'bpmn:StartEvent' && incoming.length > 0) {
    ctx.problems.error(
      'start-event-incoming-flow',
      `${describeElement(element)} has incoming sequence flows (${flowIds(incoming).join(', ')}); a start event can only start the flow. Remove the incoming flows or use an intermediate event.`,
      id,
    )
  }
  if (element.$type === 'bpmn:EndEvent' && outgoing.length > 0) {
    ctx.problems.error(
      'end-event-outgoing-flow',
      `${describeElement(element)} has outgoing sequence flows (${flowIds(outgoing).join(', ')}); an end event ends the path. Remove the outgoing flows or use an intermediate event.`,
      id,
    )
  }
  const direction = stringProperty(element, 'gatewayDirection')
  if (
    ctx.strict === true &&
    direction === 'Mixed' &&
    (incoming.length < 2 || outgoing.length < 2)
  ) {
    ctx.problems.error(
      'gateway-direction-mismatch',
      `${describeElement(element)} is declared gatewayDirection="Mixed" but has ${incoming.length} incoming and ${outgoing.length} outgoing flows; a mixed gateway has several of both. Set gatewayDirection to Converging or Diverging (or remove it).`,
      id,
    )
  }
  if (
    (direction === 'Converging' && outgoing.length > 1) ||
    (direction === 'Diverging' && incoming.length > 1)
  ) {
    ctx.problems.error(
      'gateway-direction-mismatch',
      `${describeElement(element)} is declared gatewayDirection="${direction}" but has ${incoming.length} incoming and ${outgoing.length} outgoing flows. ${direction === 'Converging' ? 'A converging gateway has one outgoing flow' : 'A diverging gateway has one incoming flow'}: fix the flows or set gatewayDirection="Mixed" (or remove it).`,
      id,
    )
  }
  const [onlyFlow] = outgoing
  if (
    ctx.strict === true &&
    element.$instanceOf('bpmn:Activity') &&
    outgoing.length === 1 &&
    onlyFlow !== undefined &&
    elementProperty(onlyFlow, 'conditionExpression') !== undefined
  ) {
    ctx.problems.error(
      'conditional-flow-alone',
      `${describeElement(onlyFlow)} is the only flow leaving ${describeElement(element)} and has a condition; BPMN requires another outgoing flow next to a conditional flow from an activity (else the token could be stuck). Remove the condition or add another flow.`,
      idOf(onlyFlow),
    )
  }
  const needsConditions =
    element.$type === 'bpmn:ExclusiveGateway' || element.$type === 'bpmn:InclusiveGateway'
  if (needsConditions && outgoing.length > 1) {
    const defaultFlow = elementProperty(element, 'default')
    for (const flow of outgoing) {
      if (flow === defaultFlow || elementProperty(flow, 'conditionExpression') !== undefined)
        continue
      ctx.problems.error(
        'gateway-flow-condition-required',
        `${describeElement(flow)} leaves ${describeElement(element)}, which has several outgoing flows, but has no condition and is not the default flow. Add a condition, or make it the gateway's default flow.`,
        idOf(flow),
      )
    }
  }
}

/** The element's default flow id when valid; reports a default that is not an outgoing flow. */
function checkDefaultFlow(
  element: ModdleElement,
  outgoing: readonly ModdleElement[],
  ctx: CompileContext,
): string | undefined {
  const raw = ctx.unresolved.get(element)?.get('default')
  const defaultFlow = elementProperty(element, 'default')
  if (defaultFlow === undefined && raw === undefined) return undefined
  if (defaultFlow === undefined || !outgoing.includes(defaultFlow)) {
    const name = defaultFlow === undefined ? raw : (idOf(defaultFlow) ?? typeName(defaultFlow))
    ctx.problems.error(
      'default-flow-invalid',
      `The default flow '${name}' of ${describeElement(element)} is not one of its outgoing sequence flows. Pick one of its outgoing flows as default, or remove the default.`,
      idOf(element),
    )
    return undefined
  }
  return idOf(defaultFlow)
}

/** zeebe extensions that change behaviour and that Baton does not run yet: never ignore them silently. */
const unsupportedExtensions: Readonly<Record<string, string>> = {
  'zeebe:ExecutionListeners': 'zeebe:executionListeners (execution listeners)',
  'zeebe:TaskListeners': 'zeebe:taskListeners (task listeners)',
}

/** `bpmn:documentation textFormat` is a MIME type (BPMN's default is text/plain). */
function checkDocumentation(element: ModdleElement, ctx: CompileContext): void {
  for (const documentation of elementsProperty(element, 'documentation')) {
    const format = stringProperty(documentation, 'textFormat')
    if (format === undefined || isMimeType(format)) continue
    ctx.problems.error(
      'documentation-format-invalid',
      `The documentation of ${describeElement(element)} has textFormat="${format}", which is not a MIME type. Use e.g. text/plain (the default) or text/markdown, or remove the attribute.`,
      idOf(element),
    )
  }
}

function checkUnsupportedExtensions(element: ModdleElement, ctx: ElementContext): void {
  for (const [type, label] of Object.entries(unsupportedExtensions)) {
    if (extensionElement(element, type) === undefined) continue
    ctx.problems.error(
      'extension-unsupported',
      `${describeElement(element)} uses ${label}, which Baton does not run yet. Remove the extension, or do the work in a task of its own.`,
      idOf(element),
    )
  }
}
