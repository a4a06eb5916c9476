import type { CompiledExpression } from '../feel/types.ts'
import { compileFeel } from './attribute-value.ts'
import { describeElement, idOf, stringProperty, type ModdleElement } from './moddle-element.ts'
import type { ProblemCollector } from './problem-collector.ts'

/** A number or string literal: a condition that can never be true. */
const nonBooleanLiteral = /^(?:[+-]?\d+(?:\.\d+)?|"[^"]*"|'[^']*')$/

/** The text of an expression element (`<bpmn:condition>`, `<bpmn:loopCardinality>` ...), trimmed. */
export function expressionText(expression: ModdleElement | undefined): string | undefined {
  if (expression === undefined) return undefined
  return (stringProperty(expression, 'body') ?? '').trim()
}

/**
 * Compiles the FEEL body of an expression element that belongs to `owner`, with or without the
 * leading `=` (plain BPMN tools write it without). Reports `expression-empty` for a blank body and
 * `feel-syntax` for one that does not parse, naming the owner and what the expression is for.
 */
export function compileExpressionBody(
  owner: ModdleElement,
  what: string,
  text: string,
  problems: ProblemCollector,
  options: { readonly boolean?: boolean } = {},
): CompiledExpression | undefined {
  const source = text.startsWith('=') ? text.slice(1) : text
  if (source.trim() === '') {
    problems.error(
      'expression-empty',
      `The ${what} of ${describeElement(owner)} is empty. Write a FEEL expression (e.g. '=done') or remove the ${what}.`,
      idOf(owner),
    )
    return undefined
  }
  if (options.boolean === true && nonBooleanLiteral.test(source.trim())) {
    problems.error(
      'condition-not-boolean',
      `The ${what} of ${describeElement(owner)} is '${source.trim().slice(0, 80)}', which is never true or false. Write a condition (e.g. '=count >= 3').`,
      idOf(owner),
    )
    return undefined
  }
  const compiled = compileFeel(source)
  if (!compiled.ok) {
    problems.error(
      'feel-syntax',
      `The ${what} of ${describeElement(owner)} is not valid FEEL (${compiled.error}): '${text.slice(0, 200)}'. Fix the expression.`,
      idOf(owner),
    )
    return undefined
  }
  return compiled.expression
}
