import { parseAttribute } from '../feel/attribute.ts'
import { compileExpression } from '../feel/compile.ts'
import type { CompiledExpression } from '../feel/types.ts'

/**
 * Camunda 8 attribute semantics (`=` starts FEEL, anything else is a literal), from the shared
 * FEEL helper, so the model and the engine read attributes the same way.
 */
export const parseAttributeValue = parseAttribute

/** Compiles FEEL, rejecting a blank expression (which FEEL parsers may accept as null). */
export function compileFeel(
  source: string,
):
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly error: string } {
  if (source.trim() === '') return { ok: false, error: 'the expression is empty' }
  const result = compileExpression(source)
  return result.ok
    ? { ok: true, expression: result.expression }
    : { ok: false, error: result.error }
}
