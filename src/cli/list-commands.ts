/**
 * `baton instances`, `baton tasks` and `baton incidents`: what a running server holds, as a table
 * or (with --json) as one JSON document `{ items, totalItems }`.
 */
import type {
  IncidentFilter,
  IncidentState,
  IncidentWire,
  ProcessInstanceFilter,
  ProcessInstanceState,
  ProcessInstanceWire,
  UserTaskFilter,
  UserTaskState,
  UserTaskWire,
} from '../client/wire-types.ts'
import type { RemoteOptions } from './remote.ts'
import { searchAll, withServer } from './remote.ts'
import { clip, formatTable, shortDate } from './table.ts'

export interface ListOptions extends RemoteOptions {
  readonly json: boolean
  /** Most items shown. */
  readonly limit: number
  readonly out?: (line: string) => void
}

interface Listing<Item> {
  readonly items: Item[]
  readonly totalItems: number
}

function print<Item>(
  options: ListOptions,
  listing: Listing<Item>,
  noun: string,
  headers: readonly string[],
  row: (item: Item) => string[],
): void {
  const out = options.out ?? console.log
  if (options.json) {
    out(JSON.stringify({ items: listing.items, totalItems: listing.totalItems }, null, 2))
    return
  }
  if (listing.items.length === 0) {
    out(`no ${noun}`)
    return
  }
  for (const line of formatTable(headers, listing.items.map(row))) out(line)
  if (listing.totalItems > listing.items.length)
    out(`(${listing.items.length} of ${listing.totalItems} ${noun}; show more with --limit)`)
}

export interface InstancesOptions extends ListOptions {
  readonly state?: 'active' | 'completed' | 'terminated'
  readonly process?: string
}

export async function instancesCommand(options: InstancesOptions): Promise<void> {
  const filter: ProcessInstanceFilter = {
    ...(options.state === undefined
      ? {}
      : { state: options.state.toUpperCase() as ProcessInstanceState }),
    ...(options.process === undefined ? {} : { processDefinitionId: options.process }),
  }
  const listing = await withServer(options, (client) =>
    searchAll((page) => client.searchProcessInstances({ filter, page }), options.limit),
  )
  print<ProcessInstanceWire>(
    options,
    listing,
    'process instances',
    ['KEY', 'PROCESS', 'VERSION', 'STATE', 'STARTED', 'ENDED', 'INCIDENT', 'BUSINESS KEY'],
    (i) => [
      i.processInstanceKey,
      i.processDefinitionId,
      String(i.processDefinitionVersion),
      i.state,
      shortDate(i.startDate),
      shortDate(i.endDate),
      i.hasIncident ? 'yes' : '',
      i.businessKey ?? '',
    ],
  )
}

export interface TasksOptions extends ListOptions {
  readonly assignee?: string
  readonly group?: string
  readonly state?: 'created' | 'completed' | 'canceled'
}

export async function tasksCommand(options: TasksOptions): Promise<void> {
  const filter: UserTaskFilter = {
    ...(options.state === undefined ? {} : { state: options.state.toUpperCase() as UserTaskState }),
    ...(options.assignee === undefined ? {} : { assignee: options.assignee }),
    ...(options.group === undefined ? {} : { candidateGroup: options.group }),
  }
  const listing = await withServer(options, (client) =>
    searchAll((page) => client.searchUserTasks({ filter, page }), options.limit),
  )
  print<UserTaskWire>(
    options,
    listing,
    'user tasks',
    ['KEY', 'NAME', 'PROCESS', 'INSTANCE', 'STATE', 'ASSIGNEE', 'CANDIDATES', 'CREATED'],
    (t) => [
      t.userTaskKey,
      t.name ?? t.elementId,
      t.processDefinitionId,
      t.processInstanceKey,
      t.state,
      t.assignee ?? '',
      [...t.candidateGroups, ...t.candidateUsers].join(','),
      shortDate(t.creationDate),
    ],
  )
}

export interface IncidentsOptions extends ListOptions {
  readonly state?: 'active' | 'resolved'
  readonly process?: string
}

export async function incidentsCommand(options: IncidentsOptions): Promise<void> {
  const filter: IncidentFilter = {
    ...(options.state === undefined ? {} : { state: options.state.toUpperCase() as IncidentState }),
    ...(options.process === undefined ? {} : { processDefinitionId: options.process }),
  }
  const listing = await withServer(options, (client) =>
    searchAll((page) => client.searchIncidents({ filter, page }), options.limit),
  )
  print<IncidentWire>(
    options,
    listing,
    'incidents',
    ['KEY', 'PROCESS', 'INSTANCE', 'ELEMENT', 'TYPE', 'STATE', 'CREATED', 'MESSAGE'],
    (i) => [
      i.incidentKey,
      i.processDefinitionId,
      i.processInstanceKey,
      i.elementId,
      i.errorType,
      i.state,
      shortDate(i.creationTime),
      clip(i.errorMessage, 80),
    ],
  )
}
