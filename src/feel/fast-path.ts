/**
 * A direct evaluator for the FEEL most conditions are made of: comparisons of numbers, strings and
 * booleans, `and` / `or`, variable names, context paths (`customer.tier`), literals and
 * parentheses. feelin interprets these too, but it builds a range object for every `<`, `>`, `<=`,
 * `>=` it evaluates, which costs more than the rest of the evaluation together.
 *
 * It only answers where the answer is certain: for every value outside the plain cases (a missing
 * variable or context entry, `null` in an ordering comparison, operands of different types, lists,
 * temporals, non-finite numbers) it gives up with {@link BAIL} and the caller evaluates the
 * expression with feelin, which then also reports its warnings. So the values are feelin's exactly;
 * `fast-path.test.ts` checks it against feelin over many expressions and variables.
 */
import type { parseExpression } from 'feelin'
import { evaluate } from 'feelin'

type Tree = ReturnType<typeof parseExpression>
type SyntaxNode = Tree['topNode']

/** What a fast evaluation gives when feelin has to decide. */
export const BAIL: unique symbol = Symbol('bail')

/** Evaluates against variables; BAIL when the case is not a plain one. */
export type FastEvaluation = (variables: Readonly<Record<string, unknown>>) => unknown

type Step = (variables: Readonly<Record<string, unknown>>) => unknown

const hasOwn = (object: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key)

/** The value a literal node stands for, as feelin reads it (so escapes and number forms agree). */
function literal(source: string): unknown {
  const result = evaluate(source)
  return result.warnings.length === 0 ? result.value : BAIL
}

function children(node: SyntaxNode): SyntaxNode[] {
  const result: SyntaxNode[] = []
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (!child.type.isSkipped) result.push(child)
  }
  return result
}

/** A single-identifier name (`amount`), or undefined for anything else. */
function simpleName(node: SyntaxNode, source: string): string | undefined {
  const parts = children(node)
  const only = parts[0]
  if (parts.length !== 1 || only === undefined || only.name !== 'Identifier') return undefined
  return source.slice(only.from, only.to)
}

const isPlainContext = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype

/** An operand an ordering comparison may take directly: a finite number or a string. */
const orderable = (value: unknown): value is number | string =>
  typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))

/** An operand equality may take directly: null, a boolean, a string or a finite number. */
const equatable = (value: unknown): boolean =>
  value === null ||
  typeof value === 'boolean' ||
  typeof value === 'string' ||
  (typeof value === 'number' && Number.isFinite(value))

function comparison(operator: string, left: Step, right: Step): Step | undefined {
  const ordering = (test: (a: number | string, b: number | string) => boolean): Step => {
    return (variables) => {
      const a = left(variables)
      const b = right(variables)
      if (!orderable(a) || !orderable(b) || typeof a !== typeof b) return BAIL
      return test(a, b)
    }
  }
  const equality = (negated: boolean): Step => {
    return (variables) => {
      const a = left(variables)
      const b = right(variables)
      if (!equatable(a) || !equatable(b)) return BAIL
      // feelin: one null against a value is false; two values of different types are null
      if (a === null || b === null) return (a === b) !== negated
      if (typeof a !== typeof b) return BAIL
      return (a === b) !== negated
    }
  }
  switch (operator) {
    case '>':
      return ordering((a, b) => a > b)
    case '>=':
      return ordering((a, b) => a >= b)
    case '<':
      return ordering((a, b) => a < b)
    case '<=':
      return ordering((a, b) => a <= b)
    case '=':
      return equality(false)
    case '!=':
      return equality(true)
    default:
      return undefined
  }
}

function build(node: SyntaxNode, source: string): Step | undefined {
  const parts = children(node)
  switch (node.name) {
    case 'Expression':
      return parts.length === 1 && parts[0] !== undefined ? build(parts[0], source) : undefined
    case 'ParenthesizedExpression': {
      const inner = parts[1]
      return parts.length === 3 && inner !== undefined ? build(inner, source) : undefined
    }
    case 'NumericLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
    case 'null': {
      const value = literal(source.slice(node.from, node.to))
      if (value === BAIL) return undefined
      return () => value
    }
    case 'VariableName': {
      const name = simpleName(node, source)
      if (name === undefined) return undefined
      return (variables) => {
        if (!hasOwn(variables, name)) return BAIL
        const value = variables[name]
        return value === undefined ? BAIL : value
      }
    }
    case 'PathExpression': {
      const [target, dot, path] = parts
      if (parts.length !== 3 || target === undefined || dot?.name !== '.' || path === undefined)
        return undefined
      if (path.name !== 'PathName') return undefined
      const key = simpleName(path, source)
      const base = build(target, source)
      if (key === undefined || base === undefined) return undefined
      return (variables) => {
        const value = base(variables)
        // a list maps the path over its items, and a missing entry warns: feelin decides
        if (!isPlainContext(value) || !hasOwn(value, key)) return BAIL
        const entry = value[key]
        return entry === undefined ? BAIL : entry
      }
    }
    case 'Comparison': {
      const [left, operator, right] = parts
      if (parts.length !== 3 || left === undefined || right === undefined) return undefined
      if (operator?.name !== 'CompareOp') return undefined
      const a = build(left, source)
      const b = build(right, source)
      if (a === undefined || b === undefined) return undefined
      return comparison(source.slice(operator.from, operator.to), a, b)
    }
    case 'Conjunction':
    case 'Disjunction': {
      const [left, keyword, right] = parts
      if (parts.length !== 3 || left === undefined || right === undefined) return undefined
      if (keyword?.name !== (node.name === 'Conjunction' ? 'and' : 'or')) return undefined
      const a = build(left, source)
      const b = build(right, source)
      if (a === undefined || b === undefined) return undefined
      const conjunction = node.name === 'Conjunction'
      // FEEL's three-valued logic as feelin has it: both sides are evaluated, a non-boolean is null
      return (variables) => {
        const l = a(variables)
        if (l === BAIL) return BAIL
        const r = b(variables)
        if (r === BAIL) return BAIL
        const x = typeof l === 'boolean' ? l : null
        const y = typeof r === 'boolean' ? r : null
        if (conjunction) {
          if (x === false || y === false) return false
          return x === true && y === true ? true : null
        }
        if (x === true || y === true) return true
        return x === false && y === false ? false : null
      }
    }
    default:
      return undefined
  }
}

/**
 * The fast evaluation of a parsed expression, or undefined when the expression uses anything
 * outside the plain subset (function calls, arithmetic, filters, `in`, `between`, ...).
 *
 * @example
 * const fast = compileFastPath(parseExpression('a > 1'), 'a > 1')
 * fast?.({ a: 2 }) // true
 * fast?.({}) // BAIL: feelin evaluates it and warns about the missing variable
 */
export function compileFastPath(tree: Tree, source: string): FastEvaluation | undefined {
  return build(tree.topNode, source)
}
