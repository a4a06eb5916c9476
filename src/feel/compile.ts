/**
 * Compiles FEEL expressions once so they can be evaluated many times.
 *
 * feelin's public `evaluate(source, variables)` parses the text and rebuilds its interpreter's
 * closure tree on every call. feelin keeps that tree alive in one place only: a FEEL function
 * value. So the expression is compiled as `function(<its free names>) (<source>)`, evaluated once;
 * each evaluation then calls that function with the variables as arguments. The body runs in
 * feelin's own interpreter, so the semantics are feelin's exactly, at the cost of one call.
 *
 * The free names are the expression's variable references (`amount`, `customer`, `order total`).
 * A variable that is absent is passed as `undefined`, which feelin treats exactly like a missing
 * variable: a built-in of that name, else `null` with a `NO_VARIABLE_FOUND` warning.
 *
 * What counts as an error (`{ ok: false }`):
 * - at compile: a syntax error, with the offset and the text at fault;
 * - at evaluation: an exception inside feelin, and the warnings that mean the expression itself
 *   is wrong rather than the data: calling something that is not a function (`NO_FUNCTION_FOUND`,
 *   e.g. a misspelt function name), calling a function with parameters it does not take
 *   (`FUNCTION_INVOCATION_FAILURE`) and `UNSUPPORTED` features (external functions).
 * Everything else feelin warns about (missing variables and context entries, type mismatches,
 * invalid function arguments) keeps feelin's value, usually `null`, with the warnings attached:
 * Camunda 8 also treats a missing variable as `null`.
 */
import { FeelFunction, evaluate, parseExpression } from 'feelin'
import { BAIL, compileFastPath, type FastEvaluation } from './fast-path.ts'
import { camundaFunctions, withClock } from './functions.ts'
import type { CompiledExpression, EvaluateOptions, FeelResult, FeelWarning } from './types.ts'
import { toJsonValue } from './values.ts'

export type CompileExpressionResult =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly error: string }

/** feelin warnings that mean the expression is wrong, not the data: evaluation fails. */
const FATAL_WARNINGS: ReadonlySet<string> = new Set([
  'NO_FUNCTION_FOUND',
  'FUNCTION_INVOCATION_FAILURE',
  'UNSUPPORTED',
])

interface RawWarning {
  readonly type: string
  readonly message: string
  readonly position: { readonly from: number; readonly to: number }
}

type Tree = ReturnType<typeof parseExpression>

const hasOwn = (object: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key)

/**
 * Parses a FEEL expression (without the leading `=`).
 *
 * @example
 * const r = compileExpression('amount > 1000')
 * if (r.ok) r.expression.evaluate({ amount: 5 }) // { ok: true, value: false }
 */
export function compileExpression(source: string): CompileExpressionResult {
  // feelin reads an empty text as null; an empty attribute after `=` is a modelling mistake
  if (source.trim() === '') return { ok: false, error: 'The FEEL expression is empty' }
  let tree: Tree
  try {
    tree = parseExpression(source, camundaFunctions, undefined)
  } catch (error) {
    return { ok: false, error: `Invalid FEEL expression "${source}": ${errorMessage(error)}` }
  }
  const scan = scanTree(tree, source)
  if (scan.syntaxError !== undefined) return { ok: false, error: scan.syntaxError }
  const compiled = scan.simpleNames ? compileFunction(source, scan.names) : undefined
  if (compiled === undefined) return { ok: true, expression: interpreted(source) }
  const fast = compileFastPath(tree, source)
  return { ok: true, expression: fast === undefined ? compiled : withFastPath(compiled, fast) }
}

/**
 * Tries the direct evaluator first (plain comparisons, `and`/`or`, names and paths); where it
 * cannot be sure of feelin's answer, feelin evaluates. The subset calls no function, so the clock
 * option does not matter to it.
 */
function withFastPath(compiled: CompiledExpression, fast: FastEvaluation): CompiledExpression {
  return {
    source: compiled.source,
    evaluate(variables, options?: EvaluateOptions): FeelResult {
      const value = fast(variables)
      return value === BAIL
        ? compiled.evaluate(variables, options)
        : { ok: true, value: toJsonValue(value) }
    },
  }
}

interface TreeScan {
  readonly syntaxError?: string
  /** The names of the expression's variable references. */
  readonly names: ReadonlySet<string>
  /** Whether every reference is made of plain identifiers (so can be a parameter name). */
  readonly simpleNames: boolean
}

function scanTree(tree: Tree, source: string): TreeScan {
  const names = new Set<string>()
  let simpleNames = true
  let syntaxError: string | undefined
  tree.iterate({
    enter(ref) {
      if (syntaxError !== undefined) return false
      if (ref.type.isError) {
        syntaxError = describeSyntaxError(source, ref.from, ref.to)
        return false
      }
      if (ref.name === 'VariableName') {
        const parts: string[] = []
        for (let child = ref.node.firstChild; child; child = child.nextSibling) {
          if (child.name === 'Identifier') parts.push(source.slice(child.from, child.to))
          else if (!child.type.isSkipped) simpleNames = false
        }
        if (parts.length > 0) names.add(parts.join(' '))
        else simpleNames = false
      }
      return undefined
    },
  })
  return syntaxError === undefined ? { names, simpleNames } : { names, simpleNames, syntaxError }
}

function describeSyntaxError(source: string, from: number, to: number): string {
  const what =
    from >= source.trimEnd().length
      ? 'the expression ends too early'
      : `unexpected "${source.slice(from, Math.max(to, from + 1)).slice(0, 20)}"`
  return `Invalid FEEL expression "${source}": ${what} at offset ${from}`
}

/** Compiles the fast path, or returns undefined when feelin cannot take the wrapper. */
function compileFunction(
  source: string,
  names: ReadonlySet<string>,
): CompiledExpression | undefined {
  const parameters = [...names].filter((name) => !isMultiWordBuiltin(name))
  const prefix = `function(${parameters.join(', ')}) (\n`
  // the Camunda functions the expression uses live in the definition context, which also lets
  // the parser read names such as `get or else` as one name
  const definitionContext: Record<string, unknown> = {}
  for (const name of parameters) {
    if (hasOwn(camundaFunctions, name)) definitionContext[name] = camundaFunctions[name]
  }
  let fn: unknown
  let warnings: RawWarning[]
  try {
    const result = evaluate(`${prefix}${source}\n)`, definitionContext)
    fn = result.value
    // feelin hands back its live warnings array: the function's closures report into it
    warnings = result.warnings
  } catch {
    return undefined
  }
  if (!(fn instanceof FeelFunction) || warnings.length > 0) return undefined
  const body = fn.fn
  const defaults = parameters.map((name) => definitionContext[name])
  const offset = prefix.length

  const run = (variables: Readonly<Record<string, unknown>>): unknown => {
    const args = new Array<unknown>(parameters.length)
    for (let i = 0; i < parameters.length; i++) {
      const name = parameters[i]
      args[i] = name !== undefined && hasOwn(variables, name) ? variables[name] : defaults[i]
    }
    return body(...args)
  }

  return {
    source,
    evaluate(variables, options?: EvaluateOptions): FeelResult {
      let value: unknown
      try {
        value = options?.now ? withClock(options.now, () => run(variables)) : run(variables)
      } catch (error) {
        warnings.length = 0
        return evaluationFailed(source, errorMessage(error))
      }
      if (warnings.length === 0) return { ok: true, value: toJsonValue(value) }
      const reported = warnings.map((warning) => toFeelWarning(warning, offset))
      warnings.length = 0
      return settle(source, value, reported)
    },
  }
}

/** The slow path: feelin parses and interprets on every call. */
function interpreted(source: string): CompiledExpression {
  return {
    source,
    evaluate(variables, options?: EvaluateOptions): FeelResult {
      try {
        const result = withClock(options?.now, () =>
          evaluate(source, { ...camundaFunctions, ...variables }),
        )
        const warnings = result.warnings.map((w) => toFeelWarning(w, 0))
        return warnings.length === 0
          ? { ok: true, value: toJsonValue(result.value) }
          : settle(source, result.value, warnings)
      } catch (error) {
        return evaluationFailed(source, errorMessage(error))
      }
    },
  }
}

function settle(source: string, value: unknown, warnings: readonly FeelWarning[]): FeelResult {
  if (warnings.some((warning) => FATAL_WARNINGS.has(warning.type))) {
    return evaluationFailed(source, warnings.map((warning) => warning.message).join('; '))
  }
  return { ok: true, value: toJsonValue(value), warnings }
}

function toFeelWarning(warning: RawWarning, offset: number): FeelWarning {
  return {
    type: warning.type,
    message: warning.message,
    position: { from: warning.position.from - offset, to: warning.position.to - offset },
  }
}

function evaluationFailed(source: string, reason: string): FeelResult {
  return { ok: false, error: `Cannot evaluate FEEL expression "${source}": ${reason}` }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

const builtinNames = new Map<string, boolean>()

/**
 * Multi-word feelin built-ins (`upper case`, `string join`) stay out of the parameter list: no
 * variable is named that way, and a keyword inside (`years and months duration`) would not parse
 * as a parameter name.
 */
function isMultiWordBuiltin(name: string): boolean {
  if (!name.includes(' ') || hasOwn(camundaFunctions, name)) return false
  let known = builtinNames.get(name)
  if (known === undefined) {
    try {
      const result = evaluate(name)
      known = result.warnings.length === 0 && typeof result.value === 'function'
    } catch {
      known = false
    }
    builtinNames.set(name, known)
  }
  return known
}
