import { evaluateDecisionTable } from './decision-table.ts'
import {
  feelEvaluate,
  feelFunction,
  invokeFeelFunction,
  isFeelFunction,
  type FeelScope,
} from './feel/feel.ts'
import { conform } from './types.ts'
import type {
  BoxedExpression,
  BusinessKnowledgeModel,
  CompiledDmn,
  Decision,
  DecisionService,
  DmnModel,
  DrgElement,
  ElementRef,
  FunctionExpression,
} from './model.ts'

export interface MatchedRule {
  readonly decisionId: string
  readonly ruleIndex: number
  readonly ruleId: string | undefined
}

export type EvaluateDecisionResult =
  | {
      readonly ok: true
      /** The decision's value, also under its name in `outputs`. */
      readonly value: unknown
      readonly outputs: Readonly<Record<string, unknown>>
      readonly matchedRules: readonly MatchedRule[]
      /** Errors raised on the way (a failed FEEL step yields null and an error here). */
      readonly errors: readonly string[]
    }
  | { readonly ok: false; readonly error: string }

export interface EvaluateOptions {
  /**
   * Values of input data of imported models, by namespace then name. Without them, an imported
   * input data is read from a context variable named after the import, else by its own name.
   */
  readonly importedVariables?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /**
   * Camunda 8's behaviour: every given variable is visible by name to the main model's decisions,
   * beneath the names of their requirements (which win), so a table drawn without input data
   * nodes can read process variables. Off by default: the DMN standard (and its TCK) scopes a
   * decision to its requirements only.
   */
  readonly allVariablesVisible?: boolean
}

/**
 * Evaluates one decision (by id or name) of the main model with the given input data values,
 * evaluating the decisions it requires first. Never throws.
 *
 * @example
 * const result = evaluateDecision(compiled, 'discount', { 'Customer Type': 'Business' })
 * if (result.ok) console.log(result.value, result.matchedRules)
 */
export function evaluateDecision(
  compiled: CompiledDmn,
  decisionId: string,
  variables: Readonly<Record<string, unknown>>,
  options: EvaluateOptions = {},
): EvaluateDecisionResult {
  const decision = findElement(compiled.main, decisionId)
  if (decision?.type !== 'decision') {
    return { ok: false, error: `no decision '${decisionId}' in model '${compiled.main.name}'` }
  }
  try {
    const session = new Session(
      compiled,
      variables,
      options.importedVariables ?? {},
      undefined,
      options.allVariablesVisible === true,
    )
    const value = session.decision(decision)
    return {
      ok: true,
      value,
      outputs: { [decision.name]: value },
      matchedRules: session.matchedRules,
      errors: session.errors,
    }
  } catch (error) {
    return {
      ok: false,
      error: `decision '${decisionId}': ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}

/**
 * Invokes a decision service (by id or name) of the main model with the given parameters
 * (its input decisions and input data, by name). Never throws.
 */
export function evaluateDecisionService(
  compiled: CompiledDmn,
  serviceId: string,
  variables: Readonly<Record<string, unknown>>,
): EvaluateDecisionResult {
  const service = findElement(compiled.main, serviceId)
  if (service?.type !== 'decisionService') {
    return {
      ok: false,
      error: `no decision service '${serviceId}' in model '${compiled.main.name}'`,
    }
  }
  try {
    const session = new Session(compiled, variables, {})
    const value = session.invokeService(service, variables)
    return {
      ok: true,
      value,
      outputs: { [service.name]: value },
      matchedRules: session.matchedRules,
      errors: session.errors,
    }
  } catch (error) {
    return {
      ok: false,
      error: `decision service '${serviceId}': ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}

function findElement(model: DmnModel, idOrName: string): DrgElement | undefined {
  const byId = model.elements.get(idOrName)
  if (byId !== undefined) return byId
  for (const element of model.elements.values()) if (element.name === idOrName) return element
  return undefined
}

const refKey = (ref: ElementRef): string => `${ref.namespace}#${ref.id}`

/** One evaluation: memoised decision values, matched rules and errors. */
class Session {
  readonly errors: string[] = []
  readonly matchedRules: MatchedRule[] = []
  private readonly values = new Map<string, unknown>()
  private depth = 0

  constructor(
    private readonly compiled: CompiledDmn,
    private readonly variables: Readonly<Record<string, unknown>>,
    private readonly importedVariables: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
    overrides?: ReadonlyMap<string, unknown>,
    private readonly allVariablesVisible = false,
  ) {
    if (overrides !== undefined) for (const [k, v] of overrides) this.values.set(k, v)
  }

  error(message: string): void {
    this.errors.push(message)
  }

  private element(ref: ElementRef): DrgElement {
    const element = this.compiled.models.get(ref.namespace)?.elements.get(ref.id)
    if (element === undefined) throw new Error(`unknown element ${refKey(ref)}`)
    return element
  }

  private model(namespace: string): DmnModel {
    const model = this.compiled.models.get(namespace)
    if (model === undefined) throw new Error(`unknown model namespace ${namespace}`)
    return model
  }

  /** The value of a required element (decision, input data) or its function (BKM, service). */
  private valueOf(element: DrgElement): unknown {
    switch (element.type) {
      case 'decision':
        return this.decision(element)
      case 'inputData':
        return this.inputData(element)
      case 'bkm':
        return this.bkmFunction(element)
      case 'decisionService':
        return this.serviceFunction(element)
    }
  }

  /**
   * Where input data of an imported model come from: the values given for its namespace; else a
   * context variable named as the main model imports it (`{ "Loans": { "Amount": 10 } }`); else
   * the variables themselves, by name (models imported through others have no name of their own).
   */
  private importedSource(namespace: string): Readonly<Record<string, unknown>> {
    const given = this.importedVariables[namespace]
    if (given !== undefined) return given
    const importName = this.compiled.main.imports.find((i) => i.namespace === namespace)?.name
    const group = importName === undefined ? undefined : this.variables[importName]
    if (typeof group === 'object' && group !== null && !Array.isArray(group))
      return group as Record<string, unknown>
    return this.variables
  }

  private inputData(element: Extract<DrgElement, { type: 'inputData' }>): unknown {
    const key = refKey(element)
    if (this.values.has(key)) return this.values.get(key)
    const source =
      element.namespace === this.compiled.main.namespace
        ? this.variables
        : this.importedSource(element.namespace)
    const raw = Object.hasOwn(source, element.name) ? source[element.name] : null
    const value = this.conform(
      raw ?? null,
      element.typeRef,
      element.namespace,
      `input data '${element.name}'`,
    )
    this.values.set(key, value)
    return value
  }

  decision(decision: Decision): unknown {
    const key = refKey(decision)
    if (this.values.has(key)) return this.values.get(key)
    // A value given for a decision of the main model (as the TCK does) stands in for evaluating it.
    if (
      decision.namespace === this.compiled.main.namespace &&
      Object.hasOwn(this.variables, decision.name)
    ) {
      const given = this.variables[decision.name] ?? null
      this.values.set(key, given)
      return given
    }
    if (++this.depth > 200) throw new Error('decisions nested too deeply')
    try {
      const required = this.scopeFor(decision.namespace, [
        ...decision.requiredDecisions,
        ...decision.requiredInputs,
        ...decision.requiredKnowledge,
      ])
      const scope =
        this.allVariablesVisible && decision.namespace === this.compiled.main.namespace
          ? { ...this.variables, ...required }
          : required
      const raw =
        decision.logic === undefined
          ? null
          : this.expression(decision.logic, scope, decision.namespace, decision.id)
      const value = this.conform(
        raw,
        decision.typeRef,
        decision.namespace,
        `decision '${decision.name}'`,
      )
      this.values.set(key, value)
      return value
    } finally {
      this.depth--
    }
  }

  /** Names visible to an element: its requirements, imported ones grouped under the import name. */
  private scopeFor(namespace: string, refs: readonly ElementRef[]): Record<string, unknown> {
    const scope: Record<string, unknown> = {}
    const model = this.model(namespace)
    for (const ref of refs) {
      const element = this.element(ref)
      const value = this.valueOf(element)
      if (ref.namespace === namespace) {
        scope[element.name] = value
        continue
      }
      const importName = model.imports.find((i) => i.namespace === ref.namespace)?.name ?? ''
      if (importName === '') {
        scope[element.name] = value
        continue
      }
      const group = scope[importName]
      const entries =
        typeof group === 'object' && group !== null ? (group as Record<string, unknown>) : {}
      scope[importName] = { ...entries, [element.name]: value }
    }
    return scope
  }

  private bkmFunction(bkm: BusinessKnowledgeModel): unknown {
    const key = refKey(bkm)
    if (this.values.has(key)) return this.values.get(key)
    const logic = bkm.logic
    // Knowledge requirements are resolved lazily: a BKM may be recursive.
    let closure: Record<string, unknown> | undefined
    const scope = (): Record<string, unknown> =>
      (closure ??= this.scopeFor(bkm.namespace, bkm.requiredKnowledge))
    const fn =
      logic === undefined
        ? feelFunction([], () => null)
        : this.functionValue(logic, () => scope(), bkm.namespace, bkm.id)
    this.values.set(key, fn)
    return fn
  }

  private serviceFunction(service: DecisionService): unknown {
    const key = refKey(service)
    if (this.values.has(key)) return this.values.get(key)
    const parameters = [...service.inputDecisions, ...service.inputData].map((ref) =>
      this.element(ref),
    )
    const fn = feelFunction(
      parameters.map((p) => p.name),
      (...args: unknown[]) => {
        const given: Record<string, unknown> = {}
        parameters.forEach((p, i) => {
          given[p.name] = args[i] ?? null
        })
        return this.invokeService(service, given)
      },
    )
    this.values.set(key, fn)
    return fn
  }

  /** Runs a decision service: input decisions and input data are given, the rest is evaluated afresh. */
  invokeService(service: DecisionService, given: Readonly<Record<string, unknown>>): unknown {
    const overrides = new Map<string, unknown>()
    for (const ref of [...service.inputDecisions, ...service.inputData]) {
      const element = this.element(ref)
      const raw = Object.hasOwn(given, element.name) ? given[element.name] : null
      overrides.set(
        refKey(ref),
        this.conform(
          raw ?? null,
          element.typeRef,
          element.namespace,
          `parameter '${element.name}'`,
        ),
      )
    }
    const inner = new Session(this.compiled, {}, {}, overrides)
    inner.matchedRules.push()
    const results = service.outputDecisions.map((ref) => {
      const element = inner.element(ref)
      return [element.name, inner.valueOf(element)] as const
    })
    this.errors.push(...inner.errors)
    this.matchedRules.push(...inner.matchedRules)
    const first = results[0]
    const value =
      results.length === 1 && first !== undefined ? first[1] : Object.fromEntries(results)
    return this.conform(
      value,
      service.typeRef,
      service.namespace,
      `decision service '${service.name}'`,
    )
  }

  conform(value: unknown, typeRef: string | undefined, namespace: string, what: string): unknown {
    if (typeRef === undefined) return value
    const result = conform(value, typeRef, this.compiled, namespace)
    if (result.error !== undefined) {
      this.error(`${what}: ${result.error}`)
      return null
    }
    return result.value
  }

  private feel(text: string, scope: FeelScope, ownerId: string): unknown {
    const outcome = feelEvaluate(text, scope)
    if (outcome.error !== undefined) this.error(`'${ownerId}': ${outcome.error}`)
    return outcome.value
  }

  /** Evaluates a boxed expression in a scope. */
  expression(expr: BoxedExpression, scope: FeelScope, namespace: string, ownerId: string): unknown {
    const value = this.expressionUntyped(expr, scope, namespace, ownerId)
    return expr.typeRef === undefined
      ? value
      : this.conform(value, expr.typeRef, namespace, `'${ownerId}'`)
  }

  private expressionUntyped(
    expr: BoxedExpression,
    scope: FeelScope,
    namespace: string,
    ownerId: string,
  ): unknown {
    switch (expr.type) {
      case 'literal':
        return expr.text.trim() === '' ? null : this.feel(expr.text, scope, ownerId)
      case 'decisionTable': {
        const outcome = evaluateDecisionTable(expr, scope)
        for (const error of outcome.errors) this.error(`decision '${ownerId}': ${error}`)
        for (const rule of outcome.matched) {
          this.matchedRules.push({ decisionId: ownerId, ruleIndex: rule.index, ruleId: rule.id })
        }
        return outcome.value
      }
      case 'context': {
        const local: Record<string, unknown> = { ...scope }
        const result: Record<string, unknown> = {}
        for (const entry of expr.entries) {
          let value = this.expression(entry.value, local, namespace, ownerId)
          if (entry.typeRef !== undefined)
            value = this.conform(value, entry.typeRef, namespace, `'${ownerId}'`)
          if (entry.name === undefined) return value
          local[entry.name] = value
          result[entry.name] = value
        }
        return result
      }
      case 'invocation': {
        const fn = this.feel(expr.callee, scope, ownerId)
        if (!isFeelFunction(fn)) {
          this.error(`'${ownerId}': '${expr.callee}' is not a function`)
          return null
        }
        const args: Record<string, unknown> = {}
        for (const binding of expr.bindings) {
          args[binding.name] =
            binding.value === undefined
              ? null
              : this.expression(binding.value, scope, namespace, ownerId)
        }
        const outcome = invokeFeelFunction(fn, args)
        if (outcome.error !== undefined)
          this.error(`'${ownerId}': invoking '${expr.callee}': ${outcome.error}`)
        return outcome.value
      }
      case 'list':
        return expr.items.map((item) => this.expression(item, scope, namespace, ownerId))
      case 'relation':
        return expr.rows.map((row) => {
          const entry: Record<string, unknown> = {}
          expr.columns.forEach((column, i) => {
            const cell = row[i]
            entry[column] =
              cell === undefined ? null : this.expression(cell, scope, namespace, ownerId)
          })
          return entry
        })
      case 'function':
        return this.functionValue(expr, () => scope, namespace, ownerId)
      case 'conditional': {
        const condition = this.expression(expr.if, scope, namespace, ownerId)
        return this.expression(
          condition === true ? expr.then : expr.else,
          scope,
          namespace,
          ownerId,
        )
      }
      case 'filter': {
        const list = this.expression(expr.in, scope, namespace, ownerId)
        const items = Array.isArray(list) ? list : list === null ? null : [list]
        if (items === null) return null
        return items.filter((item) => {
          const local: Record<string, unknown> = { ...scope }
          if (typeof item === 'object' && item !== null && item.constructor === Object)
            Object.assign(local, item)
          local['item'] = item
          return this.expression(expr.match, local, namespace, ownerId) === true
        })
      }
      case 'for':
      case 'some':
      case 'every': {
        const list = this.expression(expr.in, scope, namespace, ownerId)
        const items = Array.isArray(list) ? list : list === null ? null : [list]
        if (items === null) return null
        const results = items.map((item) =>
          this.expression(expr.body, { ...scope, [expr.variable]: item }, namespace, ownerId),
        )
        if (expr.type === 'for') return results
        if (expr.type === 'some')
          return results.some((r) => r === true)
            ? true
            : results.every((r) => r === false)
              ? false
              : null
        return results.every((r) => r === true)
          ? true
          : results.some((r) => r === false)
            ? false
            : null
      }
    }
  }

  private functionValue(
    fn: FunctionExpression,
    scope: () => FeelScope,
    namespace: string,
    ownerId: string,
  ): unknown {
    const body = fn.body
    if (fn.kind !== 'FEEL' || body === undefined) {
      return feelFunction(
        fn.parameters.map((p) => p.name),
        () => {
          this.error(`'${ownerId}': ${fn.kind} functions are not supported`)
          return null
        },
      )
    }
    return feelFunction(
      fn.parameters.map((p) => p.name),
      (...args: unknown[]) => {
        const local: Record<string, unknown> = { ...scope() }
        fn.parameters.forEach((p, i) => {
          const arg = args[i] ?? null
          local[p.name] =
            p.typeRef === undefined
              ? arg
              : this.conform(arg, p.typeRef, namespace, `parameter '${p.name}'`)
        })
        if (++this.depth > 500) throw new Error('function calls nested too deeply')
        try {
          return this.expression(body, local, namespace, ownerId)
        } finally {
          this.depth--
        }
      },
    )
  }
}
