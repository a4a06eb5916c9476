/**
 * `baton deploy PATH...`: deploys BPMN and DMN files, and every such file under folders, to a
 * running server. Each file is its own deployment, so one rejected file does not hold back the
 * others; content the server already has is reported as unchanged.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join, relative, sep } from 'node:path'
import { BatonHttpError } from '../client/http-error.ts'
import type { DeploymentWarningWire } from '../client/wire-types.ts'
import { formatProblems } from '../runtime/definitions.ts'
import type { ProgressBar } from './progress-bar.ts'
import type { RemoteOptions } from './remote.ts'
import { CliError, withServer } from './remote.ts'

const MODEL_FILE = /\.(bpmn|dmn)$/i
/** Folders never searched for models. */
const SKIPPED_FOLDERS = new Set(['node_modules'])

/** A file to deploy: where it is, and the resource name the server keeps with it. */
export interface ModelFile {
  readonly path: string
  readonly name: string
}

async function walk(root: string, folder: string, found: ModelFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true })
  entries.sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name))
        await walk(root, path, found)
    } else if (entry.isFile() && MODEL_FILE.test(entry.name)) {
      found.push({ path, name: relative(root, path).split(sep).join('/') })
    }
  }
}

/**
 * The files named, and the *.bpmn and *.dmn files under the folders named (recursively, skipping
 * hidden folders and node_modules). A path that does not exist is an error.
 */
export async function collectModelFiles(paths: readonly string[]): Promise<ModelFile[]> {
  const found: ModelFile[] = []
  for (const path of paths) {
    let info
    try {
      info = await stat(path)
    } catch {
      throw new CliError(`no such file or folder: ${path}`)
    }
    if (info.isDirectory()) {
      const before = found.length
      await walk(path, path, found)
      if (found.length === before) throw new CliError(`no .bpmn or .dmn files under ${path}`)
    } else {
      found.push({ path, name: basename(path) })
    }
  }
  const seen = new Set<string>()
  return found.filter((file) => !seen.has(file.path) && seen.add(file.path))
}

export type DeployStatus = 'deployed' | 'unchanged' | 'rejected'

export interface DeployedResource {
  /** `process` or `decision` (what the server reported). */
  readonly kind: string
  readonly id: string
  readonly version: number
  readonly key: string
  /** The server had this content already: nothing changed. */
  readonly unchanged: boolean
}

export interface FileReport {
  readonly file: string
  readonly status: DeployStatus
  readonly resources: readonly DeployedResource[]
  /** Why the server rejected the file: one line per problem (file, line, element, rule). */
  readonly problems: readonly string[]
  /**
   * What the server warned about in a file it took, as `baton validate` words it: one line per
   * warning (file, line, element, rule), e.g. a rule relaxed for a descriptive diagram.
   */
  readonly warnings: readonly string[]
}

export interface DeployReport {
  readonly files: readonly FileReport[]
  readonly deployed: number
  readonly unchanged: number
  readonly rejected: number
}

export interface DeployOptions extends RemoteOptions {
  readonly json: boolean
  readonly out?: (line: string) => void
  /** Where warnings go (default stderr); with `json` they are in the report instead. */
  readonly err?: (line: string) => void
  /** Shown while files are deployed (drawn only on a terminal). */
  readonly progress?: ProgressBar
}

interface DeploymentItem {
  readonly processDefinition?: {
    readonly processDefinitionId: string
    readonly processDefinitionVersion: number
    readonly processDefinitionKey: string
  }
  readonly decisionDefinition?: {
    readonly decisionDefinitionId: string
    readonly version: number
    readonly decisionDefinitionKey: string
  }
}

/** The problem lines of a rejected deployment (its detail, without the heading line). */
function problemLines(error: BatonHttpError): string[] {
  const detail = error.problem?.detail ?? error.message
  const lines = detail.split('\n').filter((line) => line.trim() !== '')
  return lines.length > 1 && /rejected:?$/.test(lines[0] ?? '') ? lines.slice(1) : lines
}

function describeFile(report: FileReport): string[] {
  switch (report.status) {
    case 'rejected':
      return [`${report.file}: rejected`, ...report.problems.map((p) => `  ${p}`)]
    case 'unchanged':
      return [
        `${report.file}: unchanged (${report.resources.map((r) => `${r.id} v${r.version}`).join(', ')})`,
      ]
    case 'deployed': {
      const what = report.resources
        .map((r) => `${r.id} v${r.version}${r.unchanged ? ' (unchanged)' : ''}`)
        .join(', ')
      return [`${report.file}: deployed${what ? ` ${what}` : ''}`]
    }
  }
}

/** Deploys the files; resolves with the exit code (1 when any file was rejected). */
export async function deployCommand(
  paths: readonly string[],
  options: DeployOptions,
): Promise<number> {
  const out = options.out ?? console.log
  const files = await collectModelFiles(paths)
  const bar = options.json ? undefined : options.progress
  const say = (line: string): void => (bar ? bar.log(line) : options.json ? undefined : out(line))
  const err = options.err ?? console.error
  const warn = (line: string): void => {
    if (options.json) return
    if (bar) bar.aside(() => err(line))
    else err(line)
  }
  const reports: FileReport[] = []
  await withServer(options, async (client) => {
    // The deployment answer does not say whether content was new; what was there before does.
    const known = new Set(
      (await client.processDefinitions()).items.map((d) => d.processDefinitionKey),
    )
    bar?.start(files.length, 'deploying')
    try {
      for (const file of files) {
        bar?.status(file.name)
        const report = await deployFile(file, known, (resources) => client.deploy(resources))
        reports.push(report)
        for (const line of describeFile(report)) say(line)
        for (const line of report.warnings) warn(`warning: ${line}`)
        bar?.tick()
      }
    } finally {
      bar?.finish()
    }
  })
  const count = (status: DeployStatus): number => reports.filter((r) => r.status === status).length
  const report: DeployReport = {
    files: reports,
    deployed: count('deployed'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
  }
  if (options.json) out(JSON.stringify(report, null, 2))
  else
    out(
      `${files.length} file${files.length === 1 ? '' : 's'}: ${report.deployed} deployed, ${report.unchanged} unchanged, ${report.rejected} rejected`,
    )
  return report.rejected > 0 ? 1 : 0
}

async function deployFile(
  file: ModelFile,
  known: Set<string>,
  deploy: (resources: { name: string; content: Uint8Array }[]) => Promise<{
    readonly deployments: readonly DeploymentItem[]
    /** Absent from the answers of servers older than the warnings. */
    readonly warnings?: readonly DeploymentWarningWire[]
  }>,
): Promise<FileReport> {
  let content: Uint8Array
  try {
    content = await readFile(file.path)
  } catch (error) {
    return {
      file: file.name,
      status: 'rejected',
      resources: [],
      problems: [`${file.name}: [file-unreadable] ${(error as Error).message}`],
      warnings: [],
    }
  }
  let answer
  try {
    answer = await deploy([{ name: file.name, content }])
  } catch (error) {
    // A model the server refuses is this file's problem; anything else stops the whole run.
    if (error instanceof BatonHttpError && error.status === 400) {
      return {
        file: file.name,
        status: 'rejected',
        resources: [],
        problems: problemLines(error),
        warnings: [],
      }
    }
    throw error
  }
  const resources: DeployedResource[] = []
  for (const item of answer.deployments) {
    if (item.processDefinition) {
      const p = item.processDefinition
      resources.push({
        kind: 'process',
        id: p.processDefinitionId,
        version: p.processDefinitionVersion,
        key: p.processDefinitionKey,
        unchanged: known.has(p.processDefinitionKey),
      })
      known.add(p.processDefinitionKey)
    } else if (item.decisionDefinition) {
      const d = item.decisionDefinition
      resources.push({
        kind: 'decision',
        id: d.decisionDefinitionId,
        version: d.version,
        key: d.decisionDefinitionKey,
        unchanged: known.has(d.decisionDefinitionKey),
      })
      known.add(d.decisionDefinitionKey)
    }
  }
  const unchanged = resources.length > 0 && resources.every((r) => r.unchanged)
  return {
    file: file.name,
    status: unchanged ? 'unchanged' : 'deployed',
    resources,
    problems: [],
    warnings: (answer.warnings ?? []).map((w) => formatProblems(w.resourceName, [w])),
  }
}
