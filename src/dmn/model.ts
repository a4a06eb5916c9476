/**
 * The compiled form of a DMN model: plain readonly data, built once by `compileDmn` and read by
 * the evaluator. Expressions keep their FEEL text; the FEEL layer caches what it parses.
 */

export interface ElementRef {
  /** Namespace of the model that defines the element. */
  readonly namespace: string
  readonly id: string
}

export type BoxedExpression =
  | LiteralExpression
  | DecisionTable
  | ContextExpression
  | InvocationExpression
  | ListExpression
  | RelationExpression
  | FunctionExpression
  | ConditionalExpression
  | FilterExpression
  | IteratorExpression

interface ExpressionBase {
  readonly id: string | undefined
  readonly typeRef: string | undefined
}

export interface LiteralExpression extends ExpressionBase {
  readonly type: 'literal'
  readonly text: string
}

export const HitPolicy = {
  unique: 'UNIQUE',
  first: 'FIRST',
  priority: 'PRIORITY',
  any: 'ANY',
  collect: 'COLLECT',
  ruleOrder: 'RULE ORDER',
  outputOrder: 'OUTPUT ORDER',
} as const
export type HitPolicy = (typeof HitPolicy)[keyof typeof HitPolicy]

export const Aggregation = { sum: 'SUM', min: 'MIN', max: 'MAX', count: 'COUNT' } as const
export type Aggregation = (typeof Aggregation)[keyof typeof Aggregation]

export interface DecisionTableInput {
  readonly id: string | undefined
  readonly text: string
  readonly typeRef: string | undefined
  readonly inputValues: string | undefined
}

export interface DecisionTableOutput {
  readonly id: string | undefined
  readonly name: string | undefined
  readonly typeRef: string | undefined
  readonly outputValues: string | undefined
  readonly defaultOutput: string | undefined
}

export interface DecisionRule {
  readonly id: string | undefined
  /** 1-based, as users number rules. */
  readonly index: number
  readonly inputEntries: readonly string[]
  readonly outputEntries: readonly string[]
}

export interface DecisionTable extends ExpressionBase {
  readonly type: 'decisionTable'
  readonly hitPolicy: HitPolicy
  readonly aggregation: Aggregation | undefined
  readonly inputs: readonly DecisionTableInput[]
  readonly outputs: readonly DecisionTableOutput[]
  readonly rules: readonly DecisionRule[]
}

export interface ContextEntry {
  /** `undefined` for the final result entry of a boxed context. */
  readonly name: string | undefined
  readonly typeRef: string | undefined
  readonly value: BoxedExpression
}

export interface ContextExpression extends ExpressionBase {
  readonly type: 'context'
  readonly entries: readonly ContextEntry[]
}

export interface InvocationExpression extends ExpressionBase {
  readonly type: 'invocation'
  readonly callee: string
  readonly bindings: readonly {
    readonly name: string
    readonly value: BoxedExpression | undefined
  }[]
}

export interface ListExpression extends ExpressionBase {
  readonly type: 'list'
  readonly items: readonly BoxedExpression[]
}

export interface RelationExpression extends ExpressionBase {
  readonly type: 'relation'
  readonly columns: readonly string[]
  readonly rows: readonly (readonly BoxedExpression[])[]
}

export interface FormalParameter {
  readonly name: string
  readonly typeRef: string | undefined
}

export interface FunctionExpression extends ExpressionBase {
  readonly type: 'function'
  readonly kind: 'FEEL' | 'Java' | 'PMML'
  readonly parameters: readonly FormalParameter[]
  readonly body: BoxedExpression | undefined
}

export interface ConditionalExpression extends ExpressionBase {
  readonly type: 'conditional'
  readonly if: BoxedExpression
  readonly then: BoxedExpression
  readonly else: BoxedExpression
}

export interface FilterExpression extends ExpressionBase {
  readonly type: 'filter'
  readonly in: BoxedExpression
  readonly match: BoxedExpression
}

export interface IteratorExpression extends ExpressionBase {
  readonly type: 'for' | 'some' | 'every'
  readonly variable: string
  readonly in: BoxedExpression
  readonly body: BoxedExpression
}

export interface ItemDefinition {
  readonly name: string
  readonly typeRef: string | undefined
  readonly isCollection: boolean
  readonly allowedValues: string | undefined
  readonly components: readonly ItemDefinition[]
  readonly isFunction: boolean
}

export interface Decision {
  readonly type: 'decision'
  readonly namespace: string
  readonly id: string
  readonly name: string
  readonly typeRef: string | undefined
  readonly requiredDecisions: readonly ElementRef[]
  readonly requiredInputs: readonly ElementRef[]
  readonly requiredKnowledge: readonly ElementRef[]
  readonly logic: BoxedExpression | undefined
}

export interface InputData {
  readonly type: 'inputData'
  readonly namespace: string
  readonly id: string
  readonly name: string
  readonly typeRef: string | undefined
}

export interface BusinessKnowledgeModel {
  readonly type: 'bkm'
  readonly namespace: string
  readonly id: string
  readonly name: string
  readonly typeRef: string | undefined
  readonly requiredKnowledge: readonly ElementRef[]
  readonly logic: FunctionExpression | undefined
}

export interface DecisionService {
  readonly type: 'decisionService'
  readonly namespace: string
  readonly id: string
  readonly name: string
  readonly typeRef: string | undefined
  readonly outputDecisions: readonly ElementRef[]
  readonly encapsulatedDecisions: readonly ElementRef[]
  readonly inputDecisions: readonly ElementRef[]
  readonly inputData: readonly ElementRef[]
}

export type DrgElement = Decision | InputData | BusinessKnowledgeModel | DecisionService

export interface DmnImport {
  readonly name: string
  readonly namespace: string
  /** What is imported: a DMN model (namespace of the DMN spec), or XSD, PMML... (undefined: DMN). */
  readonly importType: string | undefined
}

export interface DmnModel {
  readonly namespace: string
  readonly name: string
  readonly imports: readonly DmnImport[]
  readonly itemDefinitions: ReadonlyMap<string, ItemDefinition>
  readonly elements: ReadonlyMap<string, DrgElement>
}

/** One or more models (the first is the main one); imports resolve between them by namespace. */
export interface CompiledDmn {
  readonly main: DmnModel
  readonly models: ReadonlyMap<string, DmnModel>
  /** Every decision of the main model by id. */
  readonly decisions: ReadonlyMap<string, Decision>
}

export interface DmnProblem {
  /** Short rule name, e.g. `xml`, `hit-policy`, `reference`, `feel-syntax`. */
  readonly rule: string
  readonly elementId: string | undefined
  readonly message: string
}
