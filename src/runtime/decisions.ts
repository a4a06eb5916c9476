/**
 * Deployed DMN decisions: compiled models in memory, records in the store. Versioned by decision
 * id like processes: a redeploy of the same file is a no-op (content hash), changed content is
 * the next version of every decision in it. Evaluation is synchronous, so the engine core can call
 * it through `EngineContext.evaluateDecision` without knowing where decisions come from.
 */
import { createHash } from 'node:crypto'
import { toJson } from '../engine/behaviors/variables.ts'
import type {
  DecisionOutcome,
  JsonValue,
  Key,
  MatchedDecisionRule,
  Variables,
} from '../engine/types.ts'
import { compileDmn, evaluateDecision, type CompiledDmn } from '../dmn/index.ts'
import type { ModelProblem } from '../model/types.ts'
import type { DecisionDefinitionRecord, Store } from '../store/store.ts'

/** What a deployment did with one decision of a DMN resource. */
export interface DeployedDecision {
  readonly key: Key
  readonly decisionId: string
  readonly version: number
  readonly name: string | null
  readonly decisionRequirementsId: string
  readonly resourceName: string
  /** False when identical content was already deployed (nothing changed). */
  readonly isNew: boolean
}

/** The result of evaluating a decision through the public API. */
export interface DecisionEvaluation {
  readonly decisionKey: Key
  readonly decisionId: string
  readonly decisionName: string | null
  readonly version: number
  readonly decisionRequirementsId: string
  /** The decision's value. */
  readonly result: JsonValue
  /** Values by decision name: the called decision and every decision it required. */
  readonly outputs: Variables
  readonly matchedRules: readonly MatchedDecisionRule[]
  /** The input data values the decision read, by name (when the model declares input data). */
  readonly inputs?: Variables
}

interface LoadedDecision {
  readonly record: DecisionDefinitionRecord
  readonly compiled: CompiledDmn
}

/** A DMN resource compiled for deployment. */
export interface CompiledDmnResource {
  readonly name: string
  readonly xml: string
  readonly compiled: CompiledDmn
  readonly decisionRequirementsId: string
}

const dmnNamespace = /\/spec\/DMN\//i

/** The namespace and `id` of the document's root `definitions` element, read without parsing. */
function rootDefinitions(xml: string): { namespace: string | undefined; id: string | undefined } {
  const root = /<(?:([\w.-]+):)?definitions\b([^>]*)>/.exec(xml)
  if (!root) return { namespace: undefined, id: undefined }
  const attributes = root[2] ?? ''
  const attribute = (name: string): string | undefined =>
    new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes)?.slice(1).join('')
  return {
    namespace: attribute(root[1] === undefined ? 'xmlns' : `xmlns:${root[1]}`),
    id: attribute('id'),
  }
}

/**
 * Whether a deployed resource is DMN: by the namespace of its root `definitions` element, else by
 * a `.dmn` file name.
 *
 * @example
 * isDmnResource({ name: 'risk.dmn', xml }) // true
 */
export function isDmnResource(resource: { readonly name: string; readonly xml: string }): boolean {
  const { namespace } = rootDefinitions(resource.xml)
  if (namespace !== undefined) return dmnNamespace.test(namespace)
  return resource.name.toLowerCase().endsWith('.dmn')
}

/** Whether a DMN file imports other models (a cheap look before offering it the others). */
function hasImports(xml: string): boolean {
  return /<(?:[\w.-]+:)?import\b/.test(xml)
}

/**
 * Compiles one DMN resource; problems in the model's own words (rule, element, message). The
 * models it imports are looked up by namespace among `library` (the other DMN files of the
 * deployment).
 */
export async function compileDmnResource(
  resource: { readonly name: string; readonly xml: string },
  library: readonly { readonly xml: string }[] = [],
): Promise<
  | { readonly ok: true; readonly resource: CompiledDmnResource }
  | { readonly ok: false; readonly problems: readonly ModelProblem[] }
> {
  const others = hasImports(resource.xml)
    ? library.filter((r) => r.xml !== resource.xml).map((r) => r.xml)
    : []
  const result = await compileDmn([resource.xml, ...others])
  if (!result.ok) {
    return {
      ok: false,
      problems: result.problems.map((p) => ({
        rule: `dmn-${p.rule}`,
        ...(p.elementId === undefined ? {} : { elementId: p.elementId }),
        message: p.message,
      })),
    }
  }
  if (result.decisions.size === 0) {
    return {
      ok: false,
      problems: [
        {
          rule: 'dmn-decision-required',
          message: 'the DMN file holds no decision; add a decision (e.g. a decision table)',
        },
      ],
    }
  }
  const main = result.compiled.main
  return {
    ok: true,
    resource: {
      name: resource.name,
      xml: resource.xml,
      compiled: result.compiled,
      decisionRequirementsId: rootDefinitions(resource.xml).id ?? (main.name || main.namespace),
    },
  }
}

/** Input data names a decision reads, itself or through the decisions it requires. */
function inputNames(compiled: CompiledDmn, decisionId: string): string[] {
  const names = new Set<string>()
  const seen = new Set<string>()
  const visit = (namespace: string, id: string): void => {
    const key = `${namespace}#${id}`
    if (seen.has(key)) return
    seen.add(key)
    const element = compiled.models.get(namespace)?.elements.get(id)
    if (element?.type !== 'decision') return
    for (const ref of element.requiredInputs) {
      const input = compiled.models.get(ref.namespace)?.elements.get(ref.id)
      if (input?.type === 'inputData') names.add(input.name)
    }
    for (const ref of element.requiredDecisions) visit(ref.namespace, ref.id)
  }
  visit(compiled.main.namespace, decisionId)
  return [...names]
}

export class Decisions {
  private readonly byKey = new Map<Key, LoadedDecision>()
  private readonly latest = new Map<string, LoadedDecision>()

  private constructor() {}

  /** Loads and compiles every stored decision (each distinct file once). */
  static async load(store: Store): Promise<Decisions> {
    const decisions = new Decisions()
    const compiled = new Map<string, CompiledDmn | undefined>()
    const records = await store.listDecisionDefinitions()
    for (const record of records) {
      if (!compiled.has(record.contentHash)) {
        // Imports resolve among the stored files, those deployed with this one first.
        const library = hasImports(record.xml)
          ? [...records]
              .sort(
                (a, b) =>
                  Number(b.deployedAt === record.deployedAt) -
                    Number(a.deployedAt === record.deployedAt) || b.deployedAt - a.deployedAt,
              )
              .filter((r) => r.deployedAt <= record.deployedAt && r.xml !== record.xml)
              .map((r) => r.xml)
          : []
        const result = await compileDmn([record.xml, ...library])
        compiled.set(record.contentHash, result.ok ? result.compiled : undefined)
      }
      const dmn = compiled.get(record.contentHash)
      // A file that compiled once but not now: keep the other decisions usable.
      if (dmn?.decisions.has(record.decisionId) === true) decisions.add(record, dmn)
    }
    return decisions
  }

  /** Adds decisions another node deployed since this one loaded (shared stores). */
  async refresh(store: Store): Promise<void> {
    for (const record of await store.listDecisionDefinitions()) {
      if (this.byKey.has(record.key)) continue
      const result = await compileDmn(record.xml)
      if (result.ok && result.compiled.decisions.has(record.decisionId)) {
        this.add(record, result.compiled)
      }
    }
  }

  private add(record: DecisionDefinitionRecord, compiled: CompiledDmn): void {
    const loaded = { record, compiled }
    this.byKey.set(record.key, loaded)
    const latest = this.latest.get(record.decisionId)
    if (!latest || latest.record.version < record.version)
      this.latest.set(record.decisionId, loaded)
  }

  /** Every deployed decision version, ordered by decision id then version. */
  list(): DecisionDefinitionRecord[] {
    return [...this.byKey.values()]
      .map((loaded) => loaded.record)
      .sort((a, b) => a.decisionId.localeCompare(b.decisionId) || a.version - b.version)
  }

  record(key: Key): DecisionDefinitionRecord | undefined {
    return this.byKey.get(key)?.record
  }

  latestOf(decisionId: string): DecisionDefinitionRecord | undefined {
    return this.latest.get(decisionId)?.record
  }

  /**
   * The records a deployment of these compiled resources adds (new content only), and what it
   * did with every decision. Nothing is saved: call `save` with the records.
   */
  plan(
    resources: readonly CompiledDmnResource[],
    newKey: () => Key,
    now: number,
  ): { toSave: DecisionDefinitionRecord[]; deployed: DeployedDecision[] } {
    const toSave: DecisionDefinitionRecord[] = []
    const deployed: DeployedDecision[] = []
    for (const resource of resources) {
      const contentHash = createHash('sha256').update(resource.xml).digest('hex')
      for (const decision of resource.compiled.decisions.values()) {
        const latest = this.latest.get(decision.id)?.record
        const record: DecisionDefinitionRecord =
          latest?.contentHash === contentHash
            ? latest
            : {
                key: newKey(),
                decisionId: decision.id,
                version: (latest?.version ?? 0) + 1,
                name: decision.name === '' ? null : decision.name,
                decisionRequirementsId: resource.decisionRequirementsId,
                resourceName: resource.name,
                xml: resource.xml,
                contentHash,
                deployedAt: now,
              }
        const isNew = record !== latest
        if (isNew) toSave.push(record)
        deployed.push({
          key: record.key,
          decisionId: record.decisionId,
          version: record.version,
          name: record.name,
          decisionRequirementsId: record.decisionRequirementsId,
          resourceName: record.resourceName,
          isNew,
        })
      }
    }
    return { toSave, deployed }
  }

  /** Makes saved records callable (after the store has them). */
  activate(
    records: readonly DecisionDefinitionRecord[],
    resources: readonly CompiledDmnResource[],
  ): void {
    for (const record of records) {
      const resource = resources.find((r) => r.xml === record.xml)
      if (resource) this.add(record, resource.compiled)
    }
  }

  /**
   * Evaluates a decision (the latest version, or the given one). Never throws: a missing decision
   * or a failed evaluation is an outcome, which the engine turns into an incident.
   */
  evaluate(decisionId: string, variables: Variables, version?: number): DecisionOutcome {
    const target =
      version === undefined
        ? this.latest.get(decisionId)
        : [...this.byKey.values()].find(
            (d) => d.record.decisionId === decisionId && d.record.version === version,
          )
    if (!target) {
      const known = this.latest.get(decisionId)?.record.version
      return {
        ok: false,
        reason: 'notFound',
        message:
          known === undefined
            ? `no decision '${decisionId}' is deployed`
            : `decision '${decisionId}' has no version ${version ?? ''} (latest is ${known})`,
      }
    }
    const { record, compiled } = target
    const result = evaluateDecision(compiled, record.decisionId, variables, {
      allVariablesVisible: true,
    })
    if (!result.ok) return { ok: false, reason: 'evaluation', message: result.error }
    if (result.errors.length > 0) {
      return { ok: false, reason: 'evaluation', message: result.errors.join('; ') }
    }
    const outputs: Variables = {}
    for (const [name, value] of Object.entries(result.outputs)) outputs[name] = toJson(value)
    const names = inputNames(compiled, record.decisionId)
    const inputs: Variables = {}
    for (const name of names) inputs[name] = variables[name] ?? null
    return {
      ok: true,
      decisionId: record.decisionId,
      decisionKey: record.key,
      decisionVersion: record.version,
      value: toJson(result.value),
      outputs,
      matchedRules: result.matchedRules.map((rule) => ({
        decisionId: rule.decisionId,
        ruleIndex: rule.ruleIndex,
        ruleId: rule.ruleId ?? null,
      })),
      ...(names.length === 0 ? {} : { inputs }),
    }
  }
}
