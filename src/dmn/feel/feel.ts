import {
  evaluate,
  unaryTest,
  FeelDate,
  FeelDateTime,
  FeelDuration,
  FeelFunction,
  FeelRange,
  FeelTime,
  isFunction,
  type Warning,
} from 'feelin'
import { arithmetic, negate, type ArithmeticErrors } from './arithmetic.ts'
import { numericBuiltins } from './builtins.ts'
import { arithmeticName, negationName, rewriteArithmetic } from './rewrite.ts'
import { simpleUnaryTest } from './simple-unary-test.ts'
import { typedBuiltins } from './typed-builtins.ts'

/** What one FEEL evaluation gives: a value (null on failure) and the error, if one was raised. */
export interface FeelOutcome {
  readonly value: unknown
  readonly error: string | undefined
}

export type FeelScope = Readonly<Record<string, unknown>>

/** Warnings that mean the expression could not be evaluated as written (not a mere absent key). */
const errorWarnings = new Set<Warning['type']>([
  'INVALID_TYPE',
  'INVALID_ARGUMENTS',
  'NO_FUNCTION_FOUND',
  'FUNCTION_INVOCATION_FAILURE',
  'NOT_COMPARABLE',
  'UNSUPPORTED',
  'NO_VARIABLE_FOUND',
])

function firstError(warnings: readonly Warning[]): string | undefined {
  const warning = warnings.find((w) => errorWarnings.has(w.type))
  return warning === undefined ? undefined : `${warning.type}: ${warning.message}`
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error)
}

/** Errors raised by Baton's own FEEL operations during the evaluation under way (innermost last). */
const pending: string[][] = []
const sink: ArithmeticErrors = {
  report(message) {
    pending.at(-1)?.push(message)
  },
}

const operations = {
  [arithmeticName]: new FeelFunction(
    (op: unknown, a: unknown, b: unknown) => arithmetic(String(op), a, b, sink),
    ['op', 'a', 'b'],
  ),
  [negationName]: new FeelFunction((a: unknown) => negate(a, sink), ['a']),
  ...numericBuiltins(sink),
  ...typedBuiltins(sink),
}

/** Runs one feelin evaluation with Baton's operations in scope; gives the first error they raised. */
function withOperations<T>(
  run: (scope: FeelScope) => T,
  scope: FeelScope,
): [T, string | undefined] {
  const errors: string[] = []
  pending.push(errors)
  try {
    return [run({ ...operations, ...scope }), errors[0]]
  } finally {
    pending.pop()
  }
}

/** Evaluates a FEEL expression; never throws. */
export function feelEvaluate(text: string, scope: FeelScope): FeelOutcome {
  // Fast path: a bare name from the scope or a number/string literal needs no parse.
  const trimmed = text.trim()
  if (Object.hasOwn(scope, trimmed) && !/[^\w ]/.test(trimmed)) {
    return { value: scope[trimmed] ?? null, error: undefined }
  }
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return { value: Number(trimmed), error: undefined }
  if (/^"[^"\\]*"$/.test(trimmed)) return { value: trimmed.slice(1, -1), error: undefined }
  try {
    const rewritten = rewriteArithmetic(text, scope, 'expression')
    const [result, own] = withOperations((s) => evaluate(rewritten, s), scope)
    if (own !== undefined) return { value: null, error: `FEEL '${text}': ${own}` }
    const value = result.value ?? null
    const error = firstError(result.warnings)
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return { value: null, error: error ?? `FEEL '${text}': the result is not a number` }
    }
    return { value, error }
  } catch (error) {
    return { value: null, error: `FEEL '${text}': ${describe(error)}` }
  }
}

/** Tests `input` against FEEL unary tests (`-`, `< 10`, `"a","b"`, `not(1)`...); never throws. */
export function feelUnaryTest(text: string, input: unknown, scope: FeelScope): FeelOutcome {
  const trimmed = text.trim()
  if (trimmed === '-' || trimmed === '') return { value: true, error: undefined }
  const simple = simpleUnaryTest(trimmed)
  if (simple !== undefined) {
    const value = simple(input)
    if (value !== null) return { value, error: undefined }
  }
  try {
    const full = { ...scope, '?': input }
    const rewritten = rewriteArithmetic(trimmed, full, 'unary-tests')
    const [result, own] = withOperations((s) => unaryTest(rewritten, s), full)
    if (own !== undefined) return { value: null, error: `FEEL unary tests '${text}': ${own}` }
    return { value: result.value ?? null, error: firstError(result.warnings) }
  } catch (error) {
    return { value: null, error: `FEEL unary tests '${text}': ${describe(error)}` }
  }
}

/** Wraps a JS implementation as a FEEL function value with named parameters. */
export function feelFunction(
  parameters: readonly string[],
  implementation: (...args: unknown[]) => unknown,
): unknown {
  return new FeelFunction(implementation, [...parameters])
}

export function isFeelFunction(value: unknown): boolean {
  return isFunction(value)
}

/** Invokes a FEEL function value with positional (array) or named (record) arguments. */
export function invokeFeelFunction(
  fn: unknown,
  args: readonly unknown[] | Record<string, unknown>,
): FeelOutcome {
  if (!isFunction(fn)) return { value: null, error: 'not a function' }
  try {
    const value: unknown = fn.invoke(args)
    if (
      typeof value === 'object' &&
      value !== null &&
      value.constructor.name === 'InvocationFailure'
    ) {
      return { value: null, error: 'invocation failed: parameters do not match' }
    }
    return { value: value ?? null, error: undefined }
  } catch (error) {
    return { value: null, error: describe(error) }
  }
}

export type FeelType =
  | 'null'
  | 'boolean'
  | 'number'
  | 'string'
  | 'list'
  | 'context'
  | 'date'
  | 'time'
  | 'date and time'
  | 'days and time duration'
  | 'years and months duration'
  | 'range'
  | 'function'
  | 'other'

/** The FEEL type of a value produced by this FEEL layer. */
export function feelTypeOf(value: unknown): FeelType {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return 'number'
  if (typeof value === 'string') return 'string'
  if (Array.isArray(value)) return 'list'
  if (value instanceof FeelDate) return 'date'
  if (value instanceof FeelTime) return 'time'
  if (value instanceof FeelDateTime) return 'date and time'
  if (value instanceof FeelDuration)
    return value.yearsMonths ? 'years and months duration' : 'days and time duration'
  if (value instanceof FeelRange) return 'range'
  if (isFunction(value)) return 'function'
  if (
    typeof value === 'object' &&
    (value.constructor === Object || Object.getPrototypeOf(value) === null)
  )
    return 'context'
  return 'other'
}
