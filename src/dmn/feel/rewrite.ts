import { parseExpression, parseUnaryTests } from 'feelin'

type Tree = ReturnType<typeof parseExpression>
type SyntaxNode = Tree['topNode']

/** Scope names of the functions that carry Baton's arithmetic into feelin's evaluation. */
export const arithmeticName = '__baton_arithmetic'
export const negationName = '__baton_negation'
/** Scope name of Baton's `duration(from)`, which reports a string it cannot read as an error. */
export const durationName = '__baton_duration'

const cache = new Map<string, string>()
const plainName = /^[A-Za-z_]\w*$/

/**
 * Rewrites every arithmetic operation of a FEEL expression (or unary tests) into a call of
 * Baton's arithmetic functions, so that feelin evaluates everything else and `+ - * / **` and
 * negation follow DMN's decimal and temporal semantics; `duration(...)` calls Baton's strict one. `a + b * c` becomes
 * `__baton_arithmetic("+", a, __baton_arithmetic("*", b, c))`. The parse needs the scope's names
 * (FEEL names may hold spaces), so the cache key includes the unusual ones.
 */
export function rewriteArithmetic(
  text: string,
  scope: Readonly<Record<string, unknown>>,
  kind: 'expression' | 'unary-tests',
): string {
  if (!/[-+*/]|duration\s*\(/.test(text)) return text
  let key = `${kind}\u0000${text}`
  for (const name in scope) if (!plainName.test(name)) key += `\u0000${name}`
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  let tree: Tree
  try {
    tree =
      kind === 'expression'
        ? parseExpression(text, scope, undefined)
        : parseUnaryTests(text, scope, undefined)
  } catch {
    return text
  }
  let broken = false
  tree.iterate({
    enter(node) {
      if (node.type.isError) broken = true
    },
  })
  const result = broken ? text : rewrite(tree.topNode, text)
  if (cache.size < 20_000) cache.set(key, result)
  return result
}

function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = []
  for (let child = node.firstChild; child !== null; child = child.nextSibling) list.push(child)
  return list
}

function rewrite(node: SyntaxNode, text: string): string {
  const parts = children(node)
  if (node.name === 'ArithmeticExpression') {
    const [first, second, third] = parts
    if (parts.length === 3 && first !== undefined && second !== undefined && third !== undefined) {
      const op = text.slice(second.from, second.to)
      return `${arithmeticName}(${JSON.stringify(op)}, ${rewrite(first, text)}, ${rewrite(third, text)})`
    }
    if (parts.length === 2 && second !== undefined) {
      return `${negationName}(${rewrite(second, text)})`
    }
  }
  const [constructor] = parts
  if (
    node.name === 'DateTimeLiteral' &&
    constructor?.name === 'DateTimeConstructor' &&
    text.slice(constructor.from, constructor.to) === 'duration'
  ) {
    const rest = parts.slice(1)
    return durationName + splice(constructor.to, node.to, rest, text)
  }
  return splice(node.from, node.to, parts, text)
}

/** The source from `at` to `end` with the `parts` within rewritten. */
function splice(at: number, end: number, parts: readonly SyntaxNode[], text: string): string {
  let out = ''
  for (const child of parts) {
    out += text.slice(at, child.from) + rewrite(child, text)
    at = child.to
  }
  return out + text.slice(at, end)
}
