import type { FlowNode, SequenceFlow } from './types.ts'

/**
 * For each inclusive gateway with more than one incoming flow: the flow nodes of its scope from
 * which a path of sequence flows reaches it without passing through the gateway itself. The
 * engine uses it to decide whether a token may still arrive before the join fires. A subprocess
 * is one node of its parent scope (sequence flows never cross scopes).
 *
 * @example
 * // start -> fork -> (a | b) -> join: sources of join are { start, fork, a, b }
 */
export function computeInclusiveJoinSources(
  nodes: ReadonlyMap<string, FlowNode>,
  flows: ReadonlyMap<string, SequenceFlow>,
): Map<string, Set<string>> {
  const joins = new Map<string, Set<string>>()
  for (const gateway of nodes.values()) {
    if (gateway.type !== 'inclusiveGateway' || gateway.incoming.length < 2) continue
    const sources = new Set<string>()
    const pending = [...gateway.incoming]
    for (let flowId = pending.pop(); flowId !== undefined; flowId = pending.pop()) {
      const from = flows.get(flowId)?.sourceRef
      if (from === undefined || from === gateway.id || sources.has(from)) continue
      sources.add(from)
      pending.push(...(nodes.get(from)?.incoming ?? []))
    }
    joins.set(gateway.id, sources)
  }
  return joins
}
