import { parseExpression, parseUnaryTests } from 'feelin'

/**
 * The first syntax error of a FEEL expression or unary tests, as a sentence naming the character
 * where it is (1-based) and the text around it; undefined when the text parses. Used at deploy, so
 * a mistyped rule is rejected before any instance meets it. FEEL names may hold spaces and
 * punctuation (`Student's name`), so the parse needs the names the model declares.
 *
 * @example
 * feelSyntaxError('< 10, >', 'unary-tests') // 'syntax error at character 8: "< 10, >" ends early'
 */
export function feelSyntaxError(
  text: string,
  kind: 'expression' | 'unary-tests',
  names: Readonly<Record<string, unknown>> = {},
): string | undefined {
  if (text.trim() === '') return undefined
  let at: number | undefined
  try {
    const tree =
      kind === 'expression'
        ? parseExpression(text, names, undefined)
        : parseUnaryTests(text, names, undefined)
    tree.iterate({
      enter(node) {
        if (at !== undefined) return false
        if (node.type.isError) at = node.from
        return undefined
      },
    })
  } catch (error) {
    return `syntax error: ${error instanceof Error ? error.message : String(error)}`
  }
  if (at === undefined) return undefined
  const shown = JSON.stringify(text)
  if (at >= text.trimEnd().length) return `syntax error at character ${at + 1}: ${shown} ends early`
  const near = text.slice(at, at + 12)
  return `syntax error at character ${at + 1} of ${shown}, near ${JSON.stringify(near)}`
}
