import type { FlowNode, SequenceFlow } from './types.ts'

/**
 * For each inclusive or complex gateway with more than one incoming flow: the flow nodes of its scope from
 * which a path reaches it without passing through the gateway itself. The engine uses it to
 * decide whether a token may still arrive before the join fires. A subprocess is one node of its
 * parent scope (sequence flows never cross scopes). Besides sequence flows, a path may leave an
 * activity through one of its boundary events, and jump from a link throw event to the link catch
 * event of the same name.
 *
 * @example
 * // start -> fork -> (a | b) -> join: sources of join are { start, fork, a, b }
 */
export function computeInclusiveJoinSources(
  nodes: ReadonlyMap<string, FlowNode>,
  flows: ReadonlyMap<string, SequenceFlow>,
): Map<string, Set<string>> {
  const linkThrows = new Map<string, string[]>()
  for (const node of nodes.values()) {
    if (node.type !== 'intermediateThrowEvent' || node.eventDefinition?.type !== 'link') continue
    const key = `${node.scopeId}\0${node.eventDefinition.name}`
    linkThrows.set(key, [...(linkThrows.get(key) ?? []), node.id])
  }
  /** The nodes a token at `node` may have come from in one step. */
  const predecessors = (node: FlowNode): string[] => {
    const from = node.incoming
      .map((flowId) => flows.get(flowId)?.sourceRef)
      .filter((id) => id !== undefined)
    if (node.type === 'boundaryEvent' && node.attachedToRef !== undefined) {
      from.push(node.attachedToRef)
    }
    if (node.type === 'intermediateCatchEvent' && node.eventDefinition?.type === 'link') {
      from.push(...(linkThrows.get(`${node.scopeId}\0${node.eventDefinition.name}`) ?? []))
    }
    return from
  }

  const joins = new Map<string, Set<string>>()
  for (const gateway of nodes.values()) {
    if (gateway.type !== 'inclusiveGateway' && gateway.type !== 'complexGateway') continue
    if (gateway.incoming.length < 2) continue
    const sources = new Set<string>()
    const pending = predecessors(gateway)
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      if (id === gateway.id || sources.has(id)) continue
      const node = nodes.get(id)
      if (node === undefined || node.scopeId !== gateway.scopeId) continue
      sources.add(id)
      pending.push(...predecessors(node))
    }
    joins.set(gateway.id, sources)
  }
  return joins
}
