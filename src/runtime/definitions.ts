/**
 * Deployed process definitions (and, through Decisions, DMN decisions): compiled models in memory,
 * records in the store. Identical content deploys as a no-op; changed content becomes the next
 * version; running instances keep theirs.
 */
import { createHash } from 'node:crypto'
import type { DeployedProcess, Key } from '../engine/types.ts'
import { BatonError } from '../errors.ts'
import { compileBpmn } from '../model/index.ts'
import type { ExecutableProcess, ModelProblem } from '../model/types.ts'
import type { ProcessDefinitionRecord, Store } from '../store/store.ts'
import {
  compileDmnResource,
  Decisions,
  isDmnResource,
  type CompiledDmnResource,
  type DeployedDecision,
} from './decisions.ts'

export interface DeployResource {
  /** A file name, shown in errors and kept with the definition. */
  readonly name: string
  /** BPMN or DMN XML (told apart by the root element's namespace, else by a `.dmn` name). */
  readonly xml: string
}

/** What one deployment did: its processes, its decisions, and the warnings of its files. */
export interface Deployment {
  readonly processes: readonly DeployedDefinition[]
  readonly decisions: readonly DeployedDecision[]
  /**
   * What the model compiler warned about in each BPMN file, in file order (empty when nothing):
   * e.g. a rule an executable process must keep that a descriptive file breaks, and what Baton
   * does instead. Given again when identical content is deployed again, since the content still
   * has them.
   */
  readonly warnings: readonly DeploymentWarning[]
}

/** A compiler warning on a deployed file: a model problem that did not reject it. */
export interface DeploymentWarning extends ModelProblem {
  /** The name of the deployed file it is in (`DeployResource.name`). */
  readonly resourceName: string
}

export interface DeployedDefinition {
  readonly key: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly name: string | null
  readonly resourceName: string
  /** False when identical content was already deployed (nothing changed). */
  readonly isNew: boolean
}

/**
 * A stored process definition this Baton could not compile (a model that compiled when it was
 * deployed, by an earlier version): its instances cannot move while this version runs (a new
 * deployment is a new definition; they stay on theirs). The other definitions load and run.
 */
export interface NotLoadedDefinition {
  readonly key: Key
  readonly bpmnProcessId: string
  readonly version: number
  readonly resourceName: string
  /** Why, as `baton validate` prints it (one line per problem). */
  readonly reason: string
}

/** Formats problems as the lines `baton validate` and deploy errors print. */
export function formatProblems(resourceName: string, problems: readonly ModelProblem[]): string {
  return problems
    .map((p) => {
      const where = [
        p.line === undefined ? '' : `line ${p.line}`,
        p.elementId ? `element '${p.elementId}'` : '',
      ]
        .filter(Boolean)
        .join(', ')
      return `${resourceName}${where ? ` (${where})` : ''}: [${p.rule}] ${p.message}`
    })
    .join('\n')
}

/**
 * Compiles a definition read back from the store. One deployed before a later specification rule
 * (see CompileOptions.specRules) is compiled without those rules rather than dropped, so the
 * instances it runs keep running after an upgrade.
 */
async function compileStored(xml: string): ReturnType<typeof compileBpmn> {
  const result = await compileBpmn(xml)
  return result.ok ? result : compileBpmn(xml, { specRules: false })
}

export class Definitions {
  private readonly byKey = new Map<Key, DeployedProcess>()
  private readonly records = new Map<Key, ProcessDefinitionRecord>()
  private readonly latest = new Map<string, DeployedProcess>()
  private readonly failed = new Map<Key, NotLoadedDefinition>()

  private constructor(
    private readonly store: Store,
    /** The deployed DMN decisions. */
    readonly decisions: Decisions,
  ) {}

  /** Loads and compiles every stored definition (see compileStored). */
  static async load(store: Store): Promise<Definitions> {
    const definitions = new Definitions(store, await Decisions.load(store))
    const compiled = new Map<string, Awaited<ReturnType<typeof compileBpmn>>>()
    for (const record of await store.listProcessDefinitions()) {
      let result = compiled.get(record.contentHash)
      if (!result) {
        result = await compileStored(record.xml)
        compiled.set(record.contentHash, result)
      }
      // A model that compiled once but not now: the others keep running, and this one says why.
      definitions.addCompiled(record, result)
    }
    return definitions
  }

  /** Adds processes and decisions another node deployed since this one loaded (shared stores). */
  async refresh(): Promise<void> {
    for (const record of await this.store.listProcessDefinitions()) {
      if (this.byKey.has(record.key)) continue
      if (this.failed.has(record.key)) continue
      this.addCompiled(record, await compileStored(record.xml))
    }
    await this.decisions.refresh(this.store)
  }

  /** The stored definitions that failed to compile, in key order. */
  notLoaded(): readonly NotLoadedDefinition[] {
    return [...this.failed.values()].sort((a, b) => Number(a.key) - Number(b.key))
  }

  /** Why a definition key has no compiled process: undefined when it loaded or is unknown. */
  notLoadedReason(key: Key): string | undefined {
    return this.failed.get(key)?.reason
  }

  private addCompiled(
    record: ProcessDefinitionRecord,
    result: Awaited<ReturnType<typeof compileBpmn>>,
  ): void {
    const process = result.ok
      ? result.processes.find((p) => p.id === record.bpmnProcessId)
      : undefined
    if (process) {
      this.add(record, process)
      return
    }
    const reason = result.ok
      ? `${record.resourceName}: the file no longer holds an executable process '${record.bpmnProcessId}'`
      : formatProblems(record.resourceName, result.problems)
    this.failed.set(record.key, {
      key: record.key,
      bpmnProcessId: record.bpmnProcessId,
      version: record.version,
      resourceName: record.resourceName,
      reason,
    })
  }

  private add(record: ProcessDefinitionRecord, process: DeployedProcess['process']): void {
    const deployed: DeployedProcess = {
      key: record.key,
      bpmnProcessId: record.bpmnProcessId,
      version: record.version,
      process,
    }
    this.byKey.set(record.key, deployed)
    this.records.set(record.key, record)
    const latest = this.latest.get(record.bpmnProcessId)
    if (!latest || latest.version < record.version) this.latest.set(record.bpmnProcessId, deployed)
  }

  byDefinitionKey(key: Key): DeployedProcess | undefined {
    return this.byKey.get(key)
  }

  latestOf(bpmnProcessId: string): DeployedProcess | undefined {
    return this.latest.get(bpmnProcessId)
  }

  version(bpmnProcessId: string, version: number): DeployedProcess | undefined {
    for (const deployed of this.byKey.values()) {
      if (deployed.bpmnProcessId === bpmnProcessId && deployed.version === version) return deployed
    }
    return undefined
  }

  record(key: Key): ProcessDefinitionRecord | undefined {
    return this.records.get(key)
  }

  list(): ProcessDefinitionRecord[] {
    return [...this.records.values()].sort(
      (a, b) => a.bpmnProcessId.localeCompare(b.bpmnProcessId) || a.version - b.version,
    )
  }

  /**
   * Validates and deploys BPMN and DMN resources, all or nothing: one invalid file rejects the
   * whole deployment with every problem of every file.
   */
  async deploy(
    resources: readonly DeployResource[],
    newKey: () => Key,
    now: number,
  ): Promise<Deployment> {
    if (resources.length === 0) {
      throw new BatonError(
        'BATON_DEPLOY_EMPTY',
        'a deployment needs at least one BPMN or DMN resource',
      )
    }
    const compiled: { resource: DeployResource; processes: readonly ExecutableProcess[] }[] = []
    // DMN files have none: the DMN compiler only reports problems that reject the file.
    const warnings: DeploymentWarning[] = []
    const dmn: CompiledDmnResource[] = []
    const failures: string[] = []
    const problems: { resource: string; problems: readonly ModelProblem[] }[] = []
    const fail = (resource: string, found: readonly ModelProblem[]): void => {
      failures.push(formatProblems(resource, found))
      problems.push({ resource, problems: found })
    }
    const decisionFiles = new Map<string, string>()
    const dmnFiles = resources.filter((resource) => isDmnResource(resource))
    for (const resource of resources) {
      if (isDmnResource(resource)) {
        const result = await compileDmnResource(resource, dmnFiles)
        if (!result.ok) {
          fail(resource.name, result.problems)
          continue
        }
        const clashes = [...result.resource.compiled.decisions.keys()].flatMap((id) => {
          const other = decisionFiles.get(id)
          decisionFiles.set(id, resource.name)
          return other === undefined
            ? []
            : [
                {
                  rule: 'dmn-decision-id-duplicate',
                  elementId: id,
                  message: `decision '${id}' is also in ${other} of this deployment; give each decision its own id, or deploy the files separately`,
                },
              ]
        })
        if (clashes.length > 0) fail(resource.name, clashes)
        else dmn.push(result.resource)
        continue
      }
      const result = await compileBpmn(resource.xml)
      if (!result.ok) {
        fail(resource.name, result.problems)
        continue
      }
      compiled.push({ resource, processes: result.processes })
      for (const warning of result.warnings)
        warnings.push({ resourceName: resource.name, ...warning })
    }
    if (failures.length > 0) {
      throw new BatonError(
        'BATON_MODEL_INVALID',
        `the deployment was rejected:\n${failures.join('\n')}`,
        problems,
      )
    }
    const deployed: DeployedDefinition[] = []
    const toSave: { record: ProcessDefinitionRecord; process: DeployedProcess['process'] }[] = []
    for (const { resource, processes } of compiled) {
      const contentHash = createHash('sha256').update(resource.xml).digest('hex')
      for (const process of processes) {
        const latest = this.latest.get(process.id)
        const latestRecord = latest && this.records.get(latest.key)
        if (latest && latestRecord?.contentHash === contentHash) {
          deployed.push({
            key: latest.key,
            bpmnProcessId: latest.bpmnProcessId,
            version: latest.version,
            name: latestRecord.name,
            resourceName: latestRecord.resourceName,
            isNew: false,
          })
          continue
        }
        const record: ProcessDefinitionRecord = {
          key: newKey(),
          bpmnProcessId: process.id,
          version: (latest?.version ?? 0) + 1,
          name: process.name ?? null,
          resourceName: resource.name,
          xml: resource.xml,
          contentHash,
          deployedAt: now,
        }
        toSave.push({ record, process })
        deployed.push({
          key: record.key,
          bpmnProcessId: record.bpmnProcessId,
          version: record.version,
          name: record.name,
          resourceName: record.resourceName,
          isNew: true,
        })
      }
    }
    // Decisions first: a process deployed with its decisions never runs before they exist.
    const decisions = this.decisions.plan(dmn, newKey, now)
    if (decisions.toSave.length > 0) {
      await this.store.saveDecisionDefinitions(decisions.toSave)
      this.decisions.activate(decisions.toSave, dmn)
    }
    if (toSave.length > 0) {
      await this.store.saveProcessDefinitions(toSave.map((s) => s.record))
      for (const { record, process } of toSave) this.add(record, process)
    }
    return { processes: deployed, decisions: decisions.deployed, warnings }
  }
}
