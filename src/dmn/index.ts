export { compileDmn, type CompileDmnResult } from './compile.ts'
export {
  evaluateDecision,
  evaluateDecisionService,
  type EvaluateDecisionResult,
  type EvaluateOptions,
  type MatchedRule,
} from './evaluate.ts'
export type { CompiledDmn, DmnProblem } from './model.ts'
