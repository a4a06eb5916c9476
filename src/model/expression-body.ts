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

/**
 * BPMN reads an expression element without `xsi:type="tFormalExpression"` as natural-language
 * text (`bpmn:Expression`), which no engine can execute. Reports `expression-not-formal` for such
 * an element (completion and activation conditions, conditional events; timers only in plain BPMN
 * files, since Camunda accepts their ISO 8601 text untyped) and returns whether the expression is
 * formal (or absent).
 */
export function checkFormalExpression(
  owner: ModdleElement,
  what: string,
  expression: ModdleElement | undefined,
  problems: ProblemCollector,
): boolean {
  if (expression === undefined || expression.$type !== 'bpmn:Expression') return true
  problems.error(
    'expression-not-formal',
    `The ${what} of ${describeElement(owner)} is a plain bpmn:Expression ('${(expressionText(expression) ?? '').slice(0, 80)}'), which BPMN treats as natural-language text that is not executed. Mark it as a formal expression: add xsi:type="bpmn:tFormalExpression" (Camunda Modeler writes it).`,
    idOf(owner),
  )
  return false
}
