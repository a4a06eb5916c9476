/**
 * The `store-limit` scenario: what the durable SQLite store can commit on this disk with no engine
 * in front of it, so the reference figure can be read as a share of what the store allows.
 *
 * Each "command" written here is what one reference command writes: one instance row updated
 * under its version check (state document included), a batch of events (the reference scenario
 * writes about 45 events in 4 commands, so 11 per command) and one job row. Two shapes:
 * - grouped: `batchSize` commands per transaction, as the runtime's group commit does under load;
 * - single: one command per transaction, so each commit waits for its own fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineEvent, InstanceState } from '../../engine/types.ts'
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts'
import { contractJob } from '../../store/contract-fixtures.ts'
import type { CommitBatch, InstanceRecord, JobRecord } from '../../store/store.ts'

/** Events per command: about 45 per reference instance over its 4 commands. */
export const eventsPerCommand = 11
/** Rows per command: the instance, its events, its job. */
export const rowsPerCommand = 1 + eventsPerCommand + 1

export interface CommitShapeFigures {
  readonly commandsPerCommit: number
  readonly commits: number
  readonly seconds: number
  readonly commitsPerSecond: number
  readonly commandsPerSecond: number
  readonly rowsPerSecond: number
  readonly msPerCommit: number
}

export interface StoreLimitFigures {
  readonly store: 'sqlite'
  readonly durable: boolean
  readonly eventsPerCommand: number
  readonly grouped: CommitShapeFigures
  readonly single: CommitShapeFigures
  /** Reference instances per second the grouped rate allows (4 commands per instance). */
  readonly referenceInstancesPerSecondBound: number
}

function state(key: string, position: number): InstanceState {
  return {
    key,
    processDefinitionKey: '1',
    bpmnProcessId: 'reference',
    version: 1,
    status: 'active',
    startedAt: 1000,
    elements: {
      [`${key}01`]: {
        key: `${key}01`,
        elementId: 'Charge',
        flowScopeKey: key,
        phase: 'active',
        jobKey: `${key}02`,
      },
    },
    variables: { [key]: { amount: 129.5, valid: true } },
    joins: {},
    jobs: {
      [`${key}02`]: {
        key: `${key}02`,
        elementInstanceKey: `${key}01`,
        elementId: 'Charge',
        createdAt: 0,
        type: 'charge',
        retries: 3,
        headers: {},
      },
    },
    userTasks: {},
    incidents: {},
    position,
  }
}

function events(key: string, from: number): EngineEvent[] {
  return Array.from({ length: eventsPerCommand }, (_, i): EngineEvent => {
    const position = from + i
    const at = 1000
    switch (i % 3) {
      case 0:
        return {
          at,
          position,
          type: 'SequenceFlowTaken',
          flowId: 'Flow_to_charge',
          sourceId: 'Split',
          targetId: 'Charge',
          flowScopeKey: key,
        }
      case 1:
        return {
          at,
          position,
          type: 'ElementActivating',
          elementInstanceKey: `${key}01`,
          elementId: 'Charge',
          elementType: 'serviceTask',
          flowScopeKey: key,
        }
      default:
        return {
          at,
          position,
          type: 'ElementActivated',
          elementInstanceKey: `${key}01`,
          elementId: 'Charge',
        }
    }
  })
}

function job(key: string): JobRecord {
  return contractJob(`${key}02`, {
    instanceKey: key,
    elementInstanceKey: `${key}01`,
    elementId: 'Charge',
    bpmnProcessId: 'reference',
  })
}

/**
 * One transaction of reference-shaped commands: `keys` instances each move on one version (or are
 * inserted at round 0). Also used by scripts/postgres-commit-bench.ts.
 */
export function referenceCommandBatch(keys: readonly string[], round: number): CommitBatch {
  const instances: { record: InstanceRecord; expectedStateVersion: number | null }[] = []
  const eventBatches: CommitBatch['events'][number][] = []
  for (const key of keys) {
    const from = round * eventsPerCommand
    instances.push({
      record: {
        key,
        processDefinitionKey: '1',
        bpmnProcessId: 'reference',
        version: 1,
        status: 'active',
        startedAt: 1000,
        endedAt: null,
        parentKey: null,
        businessKey: null,
        hasIncident: false,
        stateVersion: round + 1,
        state: state(key, from + eventsPerCommand),
      },
      expectedStateVersion: round === 0 ? null : round,
    })
    eventBatches.push({ instanceKey: key, fromPosition: from, events: events(key, from) })
  }
  return {
    instances,
    events: eventBatches,
    jobPuts: keys.map(job),
    jobDeletes: [],
    userTaskPuts: [],
    incidentPuts: [],
  }
}

async function measure(
  path: string,
  durable: boolean,
  commandsPerCommit: number,
  commits: number,
): Promise<CommitShapeFigures> {
  const store = await openSqliteStore({ path, durable })
  try {
    const keys = Array.from({ length: commandsPerCommit }, (_, i) => String(1_000_000 + i * 10))
    // insert the instances first; the measured commits are the steady state: updates
    await store.commit(referenceCommandBatch(keys, 0))
    const batches = Array.from({ length: commits }, (_, round) =>
      referenceCommandBatch(keys, round + 1),
    )
    const t0 = performance.now()
    for (const b of batches) await store.commit(b)
    const seconds = (performance.now() - t0) / 1000
    const commands = commits * commandsPerCommit
    return {
      commandsPerCommit,
      commits,
      seconds: Math.round(seconds * 1000) / 1000,
      commitsPerSecond: Math.round(commits / seconds),
      commandsPerSecond: Math.round(commands / seconds),
      rowsPerSecond: Math.round((commands * rowsPerCommand) / seconds),
      msPerCommit: Math.round(((seconds * 1000) / commits) * 100) / 100,
    }
  } finally {
    await store.close()
  }
}

/**
 * Measures the grouped and the single-command commit rate on a fresh SQLite file in the OS
 * temporary directory (removed after).
 */
export async function benchStoreLimit(options: {
  batchSize: number
  groupedCommits: number
  singleCommits: number
  durable: boolean
}): Promise<StoreLimitFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-limit-'))
  try {
    const grouped = await measure(
      join(dir, 'grouped.db'),
      options.durable,
      options.batchSize,
      options.groupedCommits,
    )
    const single = await measure(join(dir, 'single.db'), options.durable, 1, options.singleCommits)
    return {
      store: 'sqlite',
      durable: options.durable,
      eventsPerCommand,
      grouped,
      single,
      referenceInstancesPerSecondBound: Math.round(grouped.commandsPerSecond / 4),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
