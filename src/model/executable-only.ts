/**
 * Rules that only an executable process must keep. A file without any executable process holds
 * descriptive processes (diagrams drawn to show how work flows, as Camunda Modeler and
 * bpmn-js-token-simulation play them): Baton runs them with BPMN's token-flow semantics, and a
 * rule such a diagram breaks is a warning that says what Baton does instead.
 */
import type { CompileContext } from './compile-context.ts'

/**
 * Reports a broken rule that only executable processes must keep: an error in an executable
 * process, a warning in a descriptive one. Returns whether it was only a warning (the caller
 * then runs the construct the descriptive way).
 *
 * @example
 * executableOnly(ctx, 'start-event-multiple', id, {
 *   error: `... Keep one.`,
 *   warning: `...; as a descriptive model, Baton starts every one of them.`,
 * })
 */
export function executableOnly(
  ctx: CompileContext,
  rule: string,
  elementId: string | undefined,
  messages: { readonly error: string; readonly warning: string },
): boolean {
  if (ctx.descriptive === true) {
    ctx.problems.warn(rule, messages.warning, elementId)
    return true
  }
  ctx.problems.error(rule, messages.error, elementId)
  return false
}
