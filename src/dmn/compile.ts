import { feelSyntaxError } from './feel/syntax.ts'
import { parseDmnXml, type ModdleElement } from './moddle.ts'
import {
  Aggregation,
  HitPolicy,
  type BoxedExpression,
  type BusinessKnowledgeModel,
  type CompiledDmn,
  type Decision,
  type DecisionService,
  type DmnImport,
  type DmnModel,
  type DmnProblem,
  type DrgElement,
  type ElementRef,
  type FunctionExpression,
  type ItemDefinition,
} from './model.ts'

export type CompileDmnResult =
  | {
      readonly ok: true
      readonly compiled: CompiledDmn
      readonly decisions: CompiledDmn['decisions']
    }
  | { readonly ok: false; readonly problems: readonly DmnProblem[] }

/**
 * Parses and validates DMN 1.1–1.5 XML. Pass several documents when the first imports the
 * others; imports resolve by namespace, transitively, and documents the first does not import
 * (directly or through others) are ignored, so a deployment can offer all its files. Never throws: every defect becomes a problem naming the
 * element (decision id, rule number, column).
 *
 * @example
 * const result = await compileDmn(xml)
 * if (!result.ok) console.error(result.problems)
 */
export async function compileDmn(xml: string | readonly string[]): Promise<CompileDmnResult> {
  const documents = typeof xml === 'string' ? [xml] : xml
  const read: { model: DmnModel | undefined; problems: DmnProblem[] }[] = []
  for (const text of documents) read.push(await readDocument(text))
  const first = read[0]
  const main = first?.model
  if (first === undefined || main === undefined || first.problems.length > 0) {
    const problems = first?.problems ?? []
    if (problems.length === 0)
      problems.push({ rule: 'xml', elementId: undefined, message: 'no DMN document given' })
    return { ok: false, problems }
  }
  // The main model and what it imports, transitively; other documents given are candidates only.
  const problems: DmnProblem[] = []
  const byNamespace = new Map<string, DmnModel>([[main.namespace, main]])
  const queue: DmnModel[] = [main]
  for (let model = queue.shift(); model !== undefined; model = queue.shift()) {
    for (const imported of model.imports) {
      if (!isDmnImport(imported) || byNamespace.has(imported.namespace)) continue
      const found = read.find((r) => r.model?.namespace === imported.namespace)
      if (found?.model === undefined) {
        problems.push({
          rule: 'import',
          elementId: undefined,
          message: `model '${model.name}' imports '${imported.name}' (namespace ${imported.namespace}), which no DMN file given with it defines; deploy that file in the same deployment`,
        })
        continue
      }
      for (const p of found.problems) {
        problems.push({ ...p, message: `imported model '${found.model.name}': ${p.message}` })
      }
      byNamespace.set(found.model.namespace, found.model)
      queue.push(found.model)
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  checkReferences(byNamespace, problems)
  if (problems.length > 0) return { ok: false, problems }
  const decisions = new Map<string, Decision>()
  for (const element of main.elements.values()) {
    if (element.type === 'decision') decisions.set(element.id, element)
  }
  const compiled: CompiledDmn = { main, models: byNamespace, decisions }
  return { ok: true, compiled, decisions }
}

/** DMN imports carry the DMN spec namespace as their type (or none); XSD and PMML ones do not. */
function isDmnImport(imported: DmnImport): boolean {
  return imported.importType === undefined || /\/spec\/DMN\//i.test(imported.importType)
}

async function readDocument(
  text: string,
): Promise<{ model: DmnModel | undefined; problems: DmnProblem[] }> {
  const problems: DmnProblem[] = []
  try {
    const parsed = await parseDmnXml(text)
    for (const warning of parsed.warnings) {
      problems.push({ rule: 'xml-content', elementId: undefined, message: warning })
    }
    if (parsed.definitions.$type !== 'dmn:Definitions') {
      problems.push({
        rule: 'xml',
        elementId: undefined,
        message: 'root element is not <definitions>',
      })
      return { model: undefined, problems }
    }
    return { model: new ModelReader(parsed.definitions, problems).read(), problems }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    problems.push({ rule: 'xml', elementId: undefined, message: `not valid DMN XML: ${message}` })
    return { model: undefined, problems }
  }
}

function checkReferences(models: ReadonlyMap<string, DmnModel>, problems: DmnProblem[]): void {
  const exists = (ref: ElementRef): boolean =>
    models.get(ref.namespace)?.elements.has(ref.id) ?? false
  const check = (owner: DrgElement, refs: readonly ElementRef[], what: string): void => {
    for (const ref of refs) {
      if (exists(ref)) continue
      const where = ref.namespace === owner.namespace ? `#${ref.id}` : `${ref.namespace}#${ref.id}`
      problems.push({
        rule: 'reference',
        elementId: owner.id,
        message: `${owner.type} '${owner.name}' requires ${what} '${where}', which no loaded model defines`,
      })
    }
  }
  for (const model of models.values()) {
    for (const element of model.elements.values()) {
      switch (element.type) {
        case 'decision':
          check(element, element.requiredDecisions, 'decision')
          check(element, element.requiredInputs, 'input data')
          check(element, element.requiredKnowledge, 'knowledge')
          break
        case 'bkm':
          check(element, element.requiredKnowledge, 'knowledge')
          break
        case 'decisionService':
          check(element, element.outputDecisions, 'output decision')
          check(element, element.encapsulatedDecisions, 'encapsulated decision')
          check(element, element.inputDecisions, 'input decision')
          check(element, element.inputData, 'input data')
          break
        case 'inputData':
          break
      }
    }
  }
  // A decision may not require itself, directly or through others.
  for (const model of models.values()) {
    for (const element of model.elements.values()) {
      if (element.type !== 'decision') continue
      const seen = new Set<string>()
      const stack: ElementRef[] = [...element.requiredDecisions]
      while (stack.length > 0) {
        const ref = stack.pop() as ElementRef
        const key = `${ref.namespace}#${ref.id}`
        if (ref.namespace === element.namespace && ref.id === element.id) {
          problems.push({
            rule: 'requirement-cycle',
            elementId: element.id,
            message: `decision '${element.name}' requires itself through its required decisions`,
          })
          break
        }
        if (seen.has(key)) continue
        seen.add(key)
        const next = models.get(ref.namespace)?.elements.get(ref.id)
        if (next?.type === 'decision') stack.push(...next.requiredDecisions)
      }
    }
  }
}

const hitPolicies = new Set<string>(Object.values(HitPolicy))
const aggregations = new Set<string>(Object.values(Aggregation))

function str(element: ModdleElement | undefined, key: string): string | undefined {
  const value = element?.[key]
  return typeof value === 'string' ? value : undefined
}

function child(element: ModdleElement | undefined, key: string): ModdleElement | undefined {
  const value = element?.[key]
  return typeof value === 'object' && value !== null ? (value as ModdleElement) : undefined
}

function children(element: ModdleElement | undefined, key: string): readonly ModdleElement[] {
  const value = element?.[key]
  return Array.isArray(value) ? (value as ModdleElement[]) : []
}

/** Turns one `<definitions>` into a `DmnModel`, recording problems as it goes. */
class ModelReader {
  private readonly namespace: string
  /** Every name the document declares, for parsing FEEL names with spaces and punctuation. */
  private readonly names: Record<string, null>

  constructor(
    private readonly definitions: ModdleElement,
    private readonly problems: DmnProblem[],
  ) {
    this.namespace = str(definitions, 'namespace') ?? ''
    this.names = declaredNames(definitions)
  }

  read(): DmnModel {
    const elements = new Map<string, DrgElement>()
    for (const drg of children(this.definitions, 'drgElement')) {
      const element = this.drgElement(drg)
      if (element === undefined) continue
      if (elements.has(element.id)) {
        this.problem('duplicate-id', element.id, `two DRG elements share the id '${element.id}'`)
      }
      elements.set(element.id, element)
    }
    const itemDefinitions = new Map<string, ItemDefinition>()
    for (const item of children(this.definitions, 'itemDefinition')) {
      const def = this.itemDefinition(item)
      itemDefinitions.set(def.name, def)
    }
    return {
      namespace: this.namespace,
      name: str(this.definitions, 'name') ?? '',
      imports: children(this.definitions, 'import').map((i) => ({
        name: str(i, 'name') ?? '',
        namespace: str(i, 'namespace') ?? '',
        importType: str(i, 'importType'),
      })),
      itemDefinitions,
      elements,
    }
  }

  private problem(rule: string, elementId: string | undefined, message: string): void {
    this.problems.push({ rule, elementId, message })
  }

  /** Records a problem when FEEL text does not parse; `where` names the place for a person. */
  private checkFeel(
    text: string | undefined,
    kind: 'expression' | 'unary-tests',
    elementId: string | undefined,
    where: string,
  ): void {
    if (text === undefined) return
    const error = feelSyntaxError(text, kind, this.names)
    if (error !== undefined) this.problem('feel-syntax', elementId, `${where}: FEEL ${error}`)
  }

  private itemDefinition(item: ModdleElement): ItemDefinition {
    return {
      name: item.name ?? '',
      typeRef: str(item, 'typeRef'),
      isCollection: item['isCollection'] === true,
      allowedValues: str(child(item, 'allowedValues'), 'text'),
      components: children(item, 'itemComponent').map((c) => this.itemDefinition(c)),
      isFunction: child(item, 'functionItem') !== undefined,
    }
  }

  private ref(reference: ModdleElement | undefined): ElementRef | undefined {
    const href = str(reference, 'href')
    if (href === undefined) return undefined
    const hash = href.indexOf('#')
    if (hash < 0) return { namespace: this.namespace, id: href }
    const namespace = href.slice(0, hash)
    return { namespace: namespace === '' ? this.namespace : namespace, id: href.slice(hash + 1) }
  }

  private refs(list: readonly ModdleElement[], key?: string): ElementRef[] {
    const out: ElementRef[] = []
    for (const item of list) {
      const ref = this.ref(key === undefined ? item : child(item, key))
      if (ref !== undefined) out.push(ref)
    }
    return out
  }

  private drgElement(drg: ModdleElement): DrgElement | undefined {
    const id = drg.id ?? drg.name ?? ''
    const name = drg.name ?? id
    const namespace = this.namespace
    const typeRef = str(child(drg, 'variable'), 'typeRef')
    switch (drg.$type) {
      case 'dmn:Decision': {
        const info = children(drg, 'informationRequirement')
        const decision: Decision = {
          type: 'decision',
          namespace,
          id,
          name,
          typeRef,
          requiredDecisions: this.refs(info, 'requiredDecision'),
          requiredInputs: this.refs(info, 'requiredInput'),
          requiredKnowledge: this.refs(children(drg, 'knowledgeRequirement'), 'requiredKnowledge'),
          logic: this.expression(child(drg, 'decisionLogic'), id),
        }
        return decision
      }
      case 'dmn:InputData':
        return { type: 'inputData', namespace, id, name, typeRef }
      case 'dmn:BusinessKnowledgeModel': {
        const logic = this.expression(child(drg, 'encapsulatedLogic'), id)
        const bkm: BusinessKnowledgeModel = {
          type: 'bkm',
          namespace,
          id,
          name,
          typeRef,
          requiredKnowledge: this.refs(children(drg, 'knowledgeRequirement'), 'requiredKnowledge'),
          logic: logic?.type === 'function' ? logic : undefined,
        }
        return bkm
      }
      case 'dmn:DecisionService': {
        const service: DecisionService = {
          type: 'decisionService',
          namespace,
          id,
          name,
          typeRef,
          outputDecisions: this.refs(children(drg, 'outputDecision')),
          encapsulatedDecisions: this.refs(children(drg, 'encapsulatedDecision')),
          inputDecisions: this.refs(children(drg, 'inputDecision')),
          inputData: this.refs(children(drg, 'inputData')),
        }
        return service
      }
      default:
        return undefined
    }
  }

  private expression(
    element: ModdleElement | undefined,
    ownerId: string,
  ): BoxedExpression | undefined {
    if (element === undefined) return undefined
    const id = element.id
    const typeRef = str(element, 'typeRef')
    const base = { id, typeRef }
    const required = (e: ModdleElement | undefined, what: string): BoxedExpression => {
      const expr = this.expression(child(e, 'expression'), ownerId)
      if (expr !== undefined) return expr
      this.problem(
        'boxed-expression',
        id ?? ownerId,
        `${element.$type.slice(4)} in '${ownerId}' has no ${what} expression`,
      )
      return { type: 'literal', id: undefined, typeRef: undefined, text: 'null' }
    }
    switch (element.$type) {
      case 'dmn:LiteralExpression': {
        const text = str(element, 'text') ?? ''
        const where = id === undefined ? `'${ownerId}'` : `'${ownerId}', expression '${id}'`
        this.checkFeel(text, 'expression', id ?? ownerId, where)
        return { ...base, type: 'literal', text }
      }
      case 'dmn:DecisionTable':
        return this.decisionTable(element, ownerId)
      case 'dmn:Context':
        return {
          ...base,
          type: 'context',
          entries: children(element, 'contextEntry').map((entry) => {
            const variable = child(entry, 'variable')
            const value = this.expression(child(entry, 'value'), ownerId) ?? {
              type: 'literal' as const,
              id: undefined,
              typeRef: undefined,
              text: 'null',
            }
            return { name: variable?.name, typeRef: str(variable, 'typeRef'), value }
          }),
        }
      case 'dmn:Invocation': {
        const callee = str(child(element, 'calledFunction'), 'text')?.trim() ?? ''
        if (callee === '')
          this.problem('invocation', id ?? ownerId, `invocation in '${ownerId}' names no function`)
        return {
          ...base,
          type: 'invocation',
          callee,
          bindings: children(element, 'binding').map((b) => ({
            name: child(b, 'parameter')?.name ?? '',
            value: this.expression(child(b, 'bindingFormula'), ownerId),
          })),
        }
      }
      case 'dmn:List':
        return {
          ...base,
          type: 'list',
          items: children(element, 'elements').flatMap((e) => this.expression(e, ownerId) ?? []),
        }
      case 'dmn:Relation':
        return {
          ...base,
          type: 'relation',
          columns: children(element, 'column').map((c) => c.name ?? ''),
          rows: children(element, 'row').map((row) =>
            children(row, 'elements').flatMap((e) => this.expression(e, ownerId) ?? []),
          ),
        }
      case 'dmn:FunctionDefinition': {
        const kind = str(element, 'kind') ?? 'FEEL'
        const fn: FunctionExpression = {
          ...base,
          type: 'function',
          kind: kind === 'Java' || kind === 'PMML' ? kind : 'FEEL',
          parameters: children(element, 'formalParameter').map((p) => ({
            name: p.name ?? '',
            typeRef: str(p, 'typeRef'),
          })),
          body: this.expression(child(element, 'body'), ownerId),
        }
        return fn
      }
      case 'dmn:Conditional':
        return {
          ...base,
          type: 'conditional',
          if: required(child(element, 'if'), 'if'),
          then: required(child(element, 'then'), 'then'),
          else: required(child(element, 'else'), 'else'),
        }
      case 'dmn:Filter':
        return {
          ...base,
          type: 'filter',
          in: required(child(element, 'in'), 'in'),
          match: required(child(element, 'match'), 'match'),
        }
      case 'dmn:For':
      case 'dmn:Some':
      case 'dmn:Every': {
        const type =
          element.$type === 'dmn:For' ? 'for' : element.$type === 'dmn:Some' ? 'some' : 'every'
        return {
          ...base,
          type,
          variable: str(element, 'iteratorVariable') ?? 'item',
          in: required(child(element, 'in'), 'in'),
          body: required(child(element, type === 'for' ? 'return' : 'satisfies'), 'body'),
        }
      }
      default:
        this.problem(
          'boxed-expression',
          id ?? ownerId,
          `'${ownerId}' uses ${element.$type}, which Baton does not evaluate`,
        )
        return undefined
    }
  }

  private decisionTable(element: ModdleElement, ownerId: string): BoxedExpression {
    const hitPolicyText = str(element, 'hitPolicy') ?? 'UNIQUE'
    const aggregationText = str(element, 'aggregation')
    if (!hitPolicies.has(hitPolicyText)) {
      this.problem(
        'hit-policy',
        ownerId,
        `decision table of '${ownerId}' has unknown hit policy '${hitPolicyText}'`,
      )
    }
    if (
      aggregationText !== undefined &&
      (!aggregations.has(aggregationText) || hitPolicyText !== 'COLLECT')
    ) {
      this.problem(
        'hit-policy',
        ownerId,
        `decision table of '${ownerId}': aggregation '${aggregationText}' needs hit policy COLLECT and one of SUM, MIN, MAX, COUNT`,
      )
    }
    const inputs = children(element, 'input').map((input) => {
      const expr = child(input, 'inputExpression')
      return {
        id: input.id,
        text: str(expr, 'text') ?? '',
        typeRef: str(expr, 'typeRef'),
        inputValues: str(child(input, 'inputValues'), 'text'),
      }
    })
    const outputs = children(element, 'output').map((output) => ({
      id: output.id,
      name: output.name,
      typeRef: str(output, 'typeRef'),
      outputValues: str(child(output, 'outputValues'), 'text'),
      defaultOutput: str(child(output, 'defaultOutputEntry'), 'text'),
    }))
    if (outputs.length === 0)
      this.problem('decision-table', ownerId, `decision table of '${ownerId}' has no output`)
    if (outputs.length > 1) {
      outputs.forEach((o, column) => {
        if (o.name === undefined || o.name === '') {
          this.problem(
            'decision-table',
            ownerId,
            `decision table of '${ownerId}': output column ${column + 1} needs a name (the table has several outputs)`,
          )
        }
      })
    }
    const table = `decision '${ownerId}'`
    inputs.forEach((input, i) => {
      const where = `${table}, input column ${i + 1}`
      this.checkFeel(input.text, 'expression', input.id ?? ownerId, `${where} (input expression)`)
      this.checkFeel(
        input.inputValues,
        'unary-tests',
        input.id ?? ownerId,
        `${where} (input values)`,
      )
    })
    outputs.forEach((output, i) => {
      const where = `${table}, output column ${i + 1}`
      this.checkFeel(
        output.outputValues,
        'unary-tests',
        output.id ?? ownerId,
        `${where} (output values)`,
      )
      this.checkFeel(
        output.defaultOutput,
        'expression',
        output.id ?? ownerId,
        `${where} (default output)`,
      )
    })
    const rules = children(element, 'rule').map((rule, i) => {
      const inputEntries = children(rule, 'inputEntry').map((e) => str(e, 'text') ?? '')
      const outputEntries = children(rule, 'outputEntry').map((e) => str(e, 'text') ?? '')
      inputEntries.forEach((text, c) => {
        this.checkFeel(
          text,
          'unary-tests',
          rule.id ?? ownerId,
          `${table}, rule ${i + 1}, input column ${c + 1}`,
        )
      })
      outputEntries.forEach((text, c) => {
        this.checkFeel(
          text,
          'expression',
          rule.id ?? ownerId,
          `${table}, rule ${i + 1}, output column ${c + 1}`,
        )
      })
      if (inputEntries.length !== inputs.length) {
        this.problem(
          'decision-table',
          rule.id ?? ownerId,
          `decision '${ownerId}', rule ${i + 1}: ${inputEntries.length} input entries for ${inputs.length} input columns`,
        )
      }
      if (outputEntries.length !== outputs.length) {
        this.problem(
          'decision-table',
          rule.id ?? ownerId,
          `decision '${ownerId}', rule ${i + 1}: ${outputEntries.length} output entries for ${outputs.length} output columns`,
        )
      }
      outputEntries.forEach((text, column) => {
        if (text.trim() === '') {
          this.problem(
            'decision-table',
            rule.id ?? ownerId,
            `decision '${ownerId}', rule ${i + 1}, output column ${column + 1}: empty output entry`,
          )
        }
      })
      return { id: rule.id, index: i + 1, inputEntries, outputEntries }
    })
    return {
      id: element.id,
      typeRef: str(element, 'typeRef'),
      type: 'decisionTable',
      hitPolicy: hitPoliciesHas(hitPolicyText) ? hitPolicyText : 'UNIQUE',
      aggregation:
        aggregationText !== undefined && aggregationsHas(aggregationText)
          ? aggregationText
          : undefined,
      inputs,
      outputs,
      rules,
    }
  }
}

/** Collects every `name` in a moddle tree (DRG elements, variables, parameters, components). */
function declaredNames(root: ModdleElement): Record<string, null> {
  const names: Record<string, null> = {}
  const imports = children(root, 'import').map((i) => str(i, 'name') ?? '')
  const seen = new Set<unknown>()
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return
    seen.add(value)
    if (Array.isArray(value)) {
      for (const item of value) visit(item)
      return
    }
    const element = value as ModdleElement
    const name = element.name
    if (typeof name === 'string' && name !== '') {
      names[name] = null
      for (const prefix of imports) if (prefix !== '') names[`${prefix}.${name}`] = null
    }
    for (const key of Object.keys(element)) if (!key.startsWith('$')) visit(element[key])
  }
  visit(root)
  return names
}

function hitPoliciesHas(text: string): text is HitPolicy {
  return hitPolicies.has(text)
}

function aggregationsHas(text: string): text is Aggregation {
  return aggregations.has(text)
}
