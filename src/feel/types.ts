/**
 * The FEEL contract the rest of Baton relies on. Expressions are compiled once (at deploy) and
 * evaluated many times; evaluation never throws: a failure is a value the engine turns into an
 * incident.
 */

/**
 * Something feelin noticed while evaluating that did not stop it: a missing variable, a type
 * mismatch, a function given arguments it cannot use. The value involved became `null`.
 */
export interface FeelWarning {
  /** feelin's warning type, e.g. `NO_VARIABLE_FOUND`, `INVALID_TYPE`, `INVALID_ARGUMENTS`. */
  readonly type: string
  readonly message: string
  /** Where in the expression text (offsets into `source`). */
  readonly position: { readonly from: number; readonly to: number }
}

/**
 * What an evaluation produced: a value, or an error message that names the problem. A successful
 * evaluation may carry warnings (present only when there are some).
 */
export type FeelResult =
  | { readonly ok: true; readonly value: unknown; readonly warnings?: readonly FeelWarning[] }
  | { readonly ok: false; readonly error: string }

/** Per-evaluation settings. */
export interface EvaluateOptions {
  /** The clock behind FEEL `now()` and `today()`; the system clock when absent. */
  readonly now?: () => Date
}

/** A FEEL expression parsed once, ready to be evaluated against variables. */
export interface CompiledExpression {
  /** The expression text, without a leading `=`. */
  readonly source: string
  /** Evaluates against a plain object of variables (nested objects are FEEL contexts). */
  evaluate(variables: Readonly<Record<string, unknown>>, options?: EvaluateOptions): FeelResult
}

/**
 * A model attribute value: FEEL when the attribute started with `=`, a literal string otherwise
 * (Camunda 8 semantics).
 */
export type AttributeValue =
  | { readonly kind: 'feel'; readonly expression: CompiledExpression }
  | { readonly kind: 'literal'; readonly value: string }
