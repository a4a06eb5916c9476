/**
 * The dashboard: per process definition and version, running, completed and terminated
 * instances, those with incidents, and those waiting longer than a threshold; active incidents
 * grouped by error. Follows the event stream.
 */
import type { ReactNode } from 'react'
import { useCallback, useEffect, useState } from 'react'
import type { ProcessDefinitionWire } from '../api.ts'
import { ApiError, definitions, request } from '../api.ts'
import { errorText, formatDate, formatDuration } from '../format.ts'
import { useLive } from '../live.ts'
import { linkProps, navigate, useLocation } from '../router.ts'

export interface DefinitionStatistics {
  readonly processDefinitionKey: string
  readonly processDefinitionId: string
  readonly processDefinitionVersion: number
  readonly name: string | null
  readonly active: number
  readonly completed: number
  readonly terminated: number
  readonly withIncidents: number
  readonly waitingLongerThan: number
  readonly averageDurationMs?: number | null
  readonly p95DurationMs?: number | null
}

export interface IncidentGroup {
  readonly errorType: string
  readonly errorMessage: string
  readonly count: number
  readonly processDefinitionKeys: readonly string[]
}

const thresholds: [number, string][] = [
  [60_000, '1 minute'],
  [3_600_000, '1 hour'],
  [86_400_000, '1 day'],
  [7 * 86_400_000, '1 week'],
]

export function Dashboard(): ReactNode {
  const { query } = useLocation()
  const waitingMs = Number(query.get('waiting') ?? 3_600_000)
  const [defs, setDefs] = useState<ProcessDefinitionWire[]>([])
  const [stats, setStats] = useState<Map<string, DefinitionStatistics> | null>(null)
  const [groups, setGroups] = useState<IncidentGroup[] | null>(null)
  const [error, setError] = useState('')

  const load = useCallback(async () => {
    try {
      setDefs(await definitions())
      try {
        const found = await request<{ items: DefinitionStatistics[] }>(
          `/baton/process-definitions/statistics?waitingLongerThanMs=${waitingMs}`,
        )
        setStats(new Map(found.items.map((s) => [s.processDefinitionKey, s])))
      } catch (failure) {
        if (!(failure instanceof ApiError && failure.status === 404)) throw failure
        setStats(null)
      }
      try {
        setGroups((await request<{ items: IncidentGroup[] }>('/baton/incidents/groups')).items)
      } catch (failure) {
        if (!(failure instanceof ApiError && failure.status === 404)) throw failure
        setGroups(null)
      }
      setError('')
    } catch (failure) {
      setError(errorText(failure))
    }
  }, [waitingMs])
  useEffect(() => void load(), [load])
  useLive(() => void load(), { delayMs: 1000 })

  const nameOf = (key: string): string => {
    const found = defs.find((d) => d.processDefinitionKey === key)
    return found
      ? `${found.name ?? found.processDefinitionId} v${found.processDefinitionVersion}`
      : key
  }
  const sorted = [...defs].sort(
    (a, b) =>
      a.processDefinitionId.localeCompare(b.processDefinitionId) ||
      b.processDefinitionVersion - a.processDefinitionVersion,
  )
  return (
    <div className="dashboard page">
      <h1>Processes</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="toolbar">
        <label className="inline">
          Waiting longer than
          <select
            aria-label="Waiting longer than"
            value={waitingMs}
            onChange={(event) => navigate(`/?waiting=${event.target.value}`, { replace: true })}
          >
            {thresholds.map(([ms, label]) => (
              <option key={ms} value={ms}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <a className="button" {...linkProps('/modeler')}>
          New process
        </a>
      </div>
      <table className="grid" data-testid="definitions">
        <thead>
          <tr>
            <th>Process</th>
            <th>Version</th>
            <th>Deployed</th>
            <th className="num">Running</th>
            <th className="num">Completed</th>
            <th className="num">Terminated</th>
            <th className="num">Incidents</th>
            <th className="num">Waiting</th>
            <th className="num">Cycle time (avg / p95)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sorted.map((definition) => {
            const s = stats?.get(definition.processDefinitionKey)
            return (
              <tr
                key={definition.processDefinitionKey}
                data-process={definition.processDefinitionId}
              >
                <td>
                  <a {...linkProps(`/processes/${definition.processDefinitionKey}`)}>
                    {definition.name ?? definition.processDefinitionId}
                  </a>
                </td>
                <td>{definition.processDefinitionVersion}</td>
                <td>{formatDate(definition.deployedAt)}</td>
                <td className="num">{s?.active ?? '–'}</td>
                <td className="num">{s?.completed ?? '–'}</td>
                <td className="num">{s?.terminated ?? '–'}</td>
                <td className={s && s.withIncidents > 0 ? 'num hot' : 'num'}>
                  {s?.withIncidents ?? '–'}
                </td>
                <td className="num">{s?.waitingLongerThan ?? '–'}</td>
                <td className="num">
                  {s?.averageDurationMs == null
                    ? '–'
                    : `${formatDuration(s.averageDurationMs)} / ${formatDuration(s.p95DurationMs)}`}
                </td>
                <td>
                  <a {...linkProps(`/start/${definition.processDefinitionKey}`)}>Start</a>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {defs.length === 0 && (
        <p className="empty">
          Nothing deployed yet. <a {...linkProps('/modeler')}>Draw a process</a>.
        </p>
      )}
      <h2>Incidents by error</h2>
      {groups === null ? (
        <p className="muted">This server does not group incidents.</p>
      ) : groups.length === 0 ? (
        <p className="muted">No open incidents.</p>
      ) : (
        <table className="grid" data-testid="incident-groups">
          <thead>
            <tr>
              <th>Error</th>
              <th>Message</th>
              <th className="num">Count</th>
              <th>Processes</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={`${group.errorType}|${group.errorMessage}`}>
                <td>{group.errorType}</td>
                <td className="wrap">{group.errorMessage}</td>
                <td className="num">{group.count}</td>
                <td>
                  {group.processDefinitionKeys.map((key) => (
                    <a
                      key={key}
                      {...linkProps(`/processes/${key}?state=ACTIVE&incidents=1`)}
                      className="tag"
                    >
                      {nameOf(key)}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
