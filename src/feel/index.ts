/** The FEEL module's public API. */
export { evaluateAttribute, parseAttribute } from './attribute.ts'
export type { ParseAttributeResult } from './attribute.ts'
export { compileExpression } from './compile.ts'
export type { CompileExpressionResult } from './compile.ts'
export { camundaFunctions } from './functions.ts'
export type {
  AttributeValue,
  CompiledExpression,
  EvaluateOptions,
  FeelResult,
  FeelWarning,
} from './types.ts'
export { toJsonValue } from './values.ts'
export type { JsonValue } from './values.ts'
