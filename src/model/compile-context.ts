import type { MessageExchange } from './message-exchange.ts'
import type { ModdleElement } from './moddle-element.ts'
import type { UnresolvedReferences } from './parse-bpmn.ts'
import type { ElementContext } from './zeebe-extensions.ts'

/** What the compilers of one process share: the problems, and how elements relate. */
export interface CompileContext extends ElementContext {
  /** The process or subprocess each flow element is directly in. */
  readonly scopeOf: ReadonlyMap<ModdleElement, ModdleElement>
  readonly unresolved: UnresolvedReferences
  /** Messages the file's own processes throw and catch (exchanged without workers or keys). */
  readonly messages?: MessageExchange
  /**
   * The file is plain BPMN (no engine dialect, see dialect.ts): the specification's rules that
   * engines do not enforce apply too.
   */
  readonly strict?: boolean
  /**
   * The process is descriptive (the file has no executable process): it runs with BPMN's
   * token-flow semantics, and the rules it breaks that only an executable process must keep are
   * warnings saying what Baton does instead (see descriptive-rules.ts).
   */
  readonly descriptive?: boolean
}
