/**
 * Model attribute values in Camunda 8's convention: `=` starts a FEEL expression, anything else is
 * a literal string.
 */
import { compileExpression } from './compile.ts'
import type { AttributeValue, EvaluateOptions, FeelResult } from './types.ts'

export type ParseAttributeResult =
  | { readonly ok: true; readonly value: AttributeValue }
  | { readonly ok: false; readonly error: string }

/**
 * Reads a raw attribute: a leading `=` (after any whitespace) makes it FEEL, compiled without the
 * `=` and the surrounding whitespace; anything else is a literal, kept as written.
 *
 * @example
 * parseAttribute('=orderType') // { ok: true, value: { kind: 'feel', expression } }
 * parseAttribute('payment')    // { ok: true, value: { kind: 'literal', value: 'payment' } }
 * parseAttribute('=')          // { ok: false, error: 'The FEEL expression is empty' }
 */
export function parseAttribute(raw: string): ParseAttributeResult {
  const trimmed = raw.trimStart()
  if (!trimmed.startsWith('=')) return { ok: true, value: { kind: 'literal', value: raw } }
  const compiled = compileExpression(trimmed.slice(1).trim())
  return compiled.ok
    ? { ok: true, value: { kind: 'feel', expression: compiled.expression } }
    : { ok: false, error: compiled.error }
}

/**
 * The value of an attribute: a literal's string, or what its FEEL expression evaluates to.
 *
 * @example
 * evaluateAttribute({ kind: 'literal', value: 'payment' }, {}) // { ok: true, value: 'payment' }
 */
export function evaluateAttribute(
  value: AttributeValue,
  variables: Readonly<Record<string, unknown>>,
  options?: EvaluateOptions,
): FeelResult {
  switch (value.kind) {
    case 'literal':
      return { ok: true, value: value.value }
    case 'feel':
      return value.expression.evaluate(variables, options)
  }
}
