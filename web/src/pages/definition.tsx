/**
 * A process definition: the diagram with per-element badges (active, incidents, completed) and
 * a heatmap toggle (count, average and p95 duration), and its instances: filters in the URL
 * (state, version, dates, business key, variables), paged on the server as the list scrolls,
 * rows selectable for batch retry and cancel.
 */
import type { ReactNode } from 'react'
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ProcessDefinitionWire, ProcessInstanceWire } from '../api.ts'
import {
  ApiError,
  activeIncidents,
  cancelInstance,
  definitionXml,
  definitions,
  request,
  retryIncident,
  search,
} from '../api.ts'
import type { Badge } from '../diagram.tsx'
import { errorText, formatDate, formatDuration } from '../format.ts'
import { useLive } from '../live.ts'
import { linkProps, navigate, useLocation } from '../router.ts'
import { VirtualList } from '../virtual-list.tsx'

const Diagram = lazy(() => import('../diagram.tsx').then((m) => ({ default: m.Diagram })))

export interface ElementStatistics {
  readonly elementId: string
  readonly active: number
  readonly completed: number
  readonly terminated: number
  readonly incidents: number
  readonly averageDurationMs: number | null
  readonly p95DurationMs: number | null
}

const operators = ['eq', 'neq', 'lt', 'gt', 'lte', 'gte', 'in', 'exists'] as const
type Operator = (typeof operators)[number]
const operatorLabels: Record<Operator, string> = {
  eq: '=',
  neq: '!=',
  lt: '<',
  gt: '>',
  lte: '<=',
  gte: '>=',
  in: 'in',
  exists: 'exists',
}

/** A condition on a root variable, as the instance search takes it. */
export interface VariableCondition {
  readonly name: string
  /** Segments into an object variable. */
  readonly path?: readonly string[]
  readonly operator: Operator
  /** JSON text (text that is not JSON is a string). */
  readonly value?: string
  readonly values?: readonly string[]
}

/** `name.path op value` as the URL keeps it: `v=order.total~gt~100`. */
export function parseCondition(text: string): VariableCondition | null {
  const [target, operator, ...rest] = text.split('~')
  if (!target || !operators.includes(operator as Operator)) return null
  const [name, ...path] = target.split('.')
  if (!name) return null
  const raw = rest.join('~')
  return {
    name,
    ...(path.length > 0 ? { path } : {}),
    operator: operator as Operator,
    ...(operator === 'exists'
      ? {}
      : operator === 'in'
        ? { values: raw.split(',').map((part) => part.trim()) }
        : { value: raw }),
  }
}

/** The instance search filter the URL describes. */
export function filterOf(
  query: URLSearchParams,
  processDefinitionId: string,
): Record<string, unknown> {
  const filter: Record<string, unknown> = { processDefinitionId }
  const state = query.get('state')
  if (state) filter['state'] = state
  const version = query.get('version')
  if (version) filter['processDefinitionVersion'] = Number(version)
  if (query.get('incidents') === '1') filter['hasIncident'] = true
  const after = query.get('after')
  if (after) filter['startedAfter'] = new Date(after).toISOString()
  const before = query.get('before')
  if (before) filter['startedBefore'] = new Date(before).toISOString()
  const businessKey = query.get('bk')
  if (businessKey) filter['businessKey'] = businessKey
  const conditions = query
    .getAll('v')
    .map(parseCondition)
    .filter((c) => c !== null)
  if (conditions.length > 0) filter['variables'] = conditions
  return filter
}

type HeatMode = 'off' | 'count' | 'avg' | 'p95'

export function DefinitionPage(props: { definitionKey: string }): ReactNode {
  const { query } = useLocation()
  const [definition, setDefinition] = useState<ProcessDefinitionWire | null>(null)
  const [versions, setVersions] = useState<number[]>([])
  const [xml, setXml] = useState<string | null>(null)
  const [stats, setStats] = useState<ElementStatistics[] | null>(null)
  const [error, setError] = useState('')
  const heat = (query.get('heat') as HeatMode | null) ?? 'off'

  useEffect(() => {
    Promise.all([definitions(), definitionXml(props.definitionKey)])
      .then(([all, loadedXml]) => {
        const found = all.find((d) => d.processDefinitionKey === props.definitionKey)
        if (!found) throw new Error(`no process definition with key ${props.definitionKey}`)
        setDefinition(found)
        setVersions(
          all
            .filter((d) => d.processDefinitionId === found.processDefinitionId)
            .map((d) => d.processDefinitionVersion)
            .sort((a, b) => b - a),
        )
        setXml(loadedXml)
      })
      .catch((failure: unknown) => setError(errorText(failure)))
  }, [props.definitionKey])

  const loadStats = useCallback(async () => {
    try {
      const found = await request<{ items: ElementStatistics[] }>(
        `/baton/process-definitions/${props.definitionKey}/statistics`,
      )
      setStats(found.items)
    } catch (failure) {
      if (
        failure instanceof ApiError &&
        failure.status === 404 &&
        failure.problem.code === 'BATON_ROUTE_NOT_FOUND'
      ) {
        setStats(null)
      } else setError(errorText(failure))
    }
  }, [props.definitionKey])
  useEffect(() => void loadStats(), [loadStats])
  const concernsThis = (events: readonly { processDefinitionKey: string }[]): boolean =>
    events.length === 0 || events.some((e) => e.processDefinitionKey === props.definitionKey)
  useLive(
    (events) => {
      if (concernsThis(events)) void loadStats()
    },
    { delayMs: 1000 },
  )

  const { badges, heatValues } = useMemo(() => {
    const badges: Record<string, Badge> = {}
    const heatValues: Record<string, number> = {}
    if (!stats) return { badges, heatValues }
    const metric = (s: ElementStatistics): number | null =>
      heat === 'count'
        ? s.active + s.completed + s.terminated
        : heat === 'avg'
          ? s.averageDurationMs
          : heat === 'p95'
            ? s.p95DurationMs
            : null
    const max = Math.max(1, ...stats.map((s) => metric(s) ?? 0))
    for (const s of stats) {
      if (heat === 'off') {
        badges[s.elementId] = { active: s.active, incidents: s.incidents, completed: s.completed }
      } else {
        const value = metric(s)
        if (value === null) continue
        heatValues[s.elementId] = value / max
        badges[s.elementId] = { text: heat === 'count' ? String(value) : formatDuration(value) }
      }
    }
    return { badges, heatValues }
  }, [stats, heat])

  const setParam = (name: string, value: string | null): void => {
    const next = new URLSearchParams(query)
    if (value === null || value === '') next.delete(name)
    else next.set(name, value)
    navigate(`/processes/${props.definitionKey}?${next.toString()}`, { replace: true })
  }

  if (!definition) {
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty">Loading…</p>
    )
  }
  return (
    <div className="definition page">
      <h1>
        {definition.name ?? definition.processDefinitionId}{' '}
        <span className="muted">
          {definition.processDefinitionId} v{definition.processDefinitionVersion}
        </span>{' '}
        <a className="button" {...linkProps(`/start/${definition.processDefinitionKey}`)}>
          Start instance
        </a>
      </h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="toolbar">
        <span>Heatmap:</span>
        {(['off', 'count', 'avg', 'p95'] as const).map((mode) => (
          <label key={mode} className="inline">
            <input
              type="radio"
              name="heat"
              checked={heat === mode}
              onChange={() => setParam('heat', mode === 'off' ? null : mode)}
            />
            {mode === 'off'
              ? 'badges'
              : mode === 'count'
                ? 'count'
                : mode === 'avg'
                  ? 'average duration'
                  : 'p95 duration'}
          </label>
        ))}
        {stats === null && <span className="muted">(this server has no element statistics)</span>}
      </div>
      <Suspense fallback={<div className="diagram-placeholder">Loading the diagram…</div>}>
        {xml && <Diagram xml={xml} badges={badges} heat={heatValues} />}
      </Suspense>
      <InstanceTable definition={definition} versions={versions} setParam={setParam} />
    </div>
  )
}

function InstanceTable(props: {
  definition: ProcessDefinitionWire
  versions: number[]
  setParam: (name: string, value: string | null) => void
}): ReactNode {
  const { query } = useLocation()
  const filterKey = query.toString()
  const filter = useMemo(
    () => filterOf(new URLSearchParams(filterKey), props.definition.processDefinitionId),
    [filterKey, props.definition.processDefinitionId],
  )
  const [rows, setRows] = useState<ProcessInstanceWire[]>([])
  const [total, setTotal] = useState<string>('')
  const [cursor, setCursor] = useState<string | undefined>()
  const [error, setError] = useState('')
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [notice, setNotice] = useState('')
  const loading = useRef(false)
  const generation = useRef(0)

  const firstPage = useCallback(async () => {
    const mine = ++generation.current
    loading.current = true
    try {
      const result = await search<ProcessInstanceWire>('/v2/process-instances/search', filter, {
        limit: 100,
      })
      if (mine !== generation.current) return
      setRows(result.items)
      setCursor(result.page.endCursor)
      setTotal(`${result.page.totalItems}${result.page.hasMoreTotalItems ? '+' : ''}`)
      setError('')
    } catch (failure) {
      if (mine === generation.current) setError(errorText(failure))
    } finally {
      if (mine === generation.current) loading.current = false
    }
  }, [filter])

  const nextPage = useCallback(async () => {
    if (loading.current || cursor === undefined) return
    const mine = generation.current
    loading.current = true
    try {
      const result = await search<ProcessInstanceWire>('/v2/process-instances/search', filter, {
        limit: 100,
        after: cursor,
      })
      if (mine !== generation.current) return
      setRows((previous) => [...previous, ...result.items])
      setCursor(result.page.endCursor)
    } catch (failure) {
      setError(errorText(failure))
    } finally {
      if (mine === generation.current) loading.current = false
    }
  }, [filter, cursor])

  useEffect(() => {
    setSelected(new Set())
    void firstPage()
  }, [firstPage])
  const processId = props.definition.processDefinitionId
  useLive(
    (events) => {
      // Refresh what is on screen when only the first page is loaded (deeper pages stay put).
      if (rows.length > 100) return
      if (events.length === 0 || events.some((e) => e.bpmnProcessId === processId)) {
        void firstPage()
      }
    },
    { delayMs: 1000 },
  )

  const toggle = (key: string): void =>
    setSelected((previous) => {
      const next = new Set(previous)
      if (next.has(key)) next.delete(key)
      else next.add(key)
      return next
    })

  const batch = async (what: 'retry' | 'cancel'): Promise<void> => {
    const keys = [...selected]
    let done = 0
    const failures: string[] = []
    for (const key of keys) {
      try {
        if (what === 'cancel') await cancelInstance(key)
        else
          for (const incident of await activeIncidents(key))
            await retryIncident(incident.incidentKey)
        done++
      } catch (failure) {
        failures.push(`${key}: ${errorText(failure)}`)
      }
    }
    setNotice(
      `${what === 'cancel' ? 'Cancelled' : 'Retried'} ${done} of ${keys.length}${failures.length ? `; failed: ${failures.join('; ')}` : ''}`,
    )
    setSelected(new Set())
    await firstPage()
  }

  const conditions = query.getAll('v')
  return (
    <section className="instances" aria-label="Instances">
      <h2>
        Instances{' '}
        <span className="muted" data-testid="instance-total">
          {total}
        </span>
      </h2>
      <div className="toolbar filters">
        <select
          aria-label="State"
          value={query.get('state') ?? ''}
          onChange={(e) => props.setParam('state', e.target.value)}
        >
          <option value="">any state</option>
          <option value="ACTIVE">running</option>
          <option value="COMPLETED">completed</option>
          <option value="TERMINATED">terminated</option>
        </select>
        <select
          aria-label="Version"
          value={query.get('version') ?? ''}
          onChange={(e) => props.setParam('version', e.target.value)}
        >
          <option value="">all versions</option>
          {props.versions.map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </select>
        <label className="inline">
          <input
            type="checkbox"
            checked={query.get('incidents') === '1'}
            onChange={(e) => props.setParam('incidents', e.target.checked ? '1' : null)}
          />
          with incidents
        </label>
        <label className="inline">
          from
          <input
            type="datetime-local"
            aria-label="Started after"
            value={query.get('after') ?? ''}
            onChange={(e) => props.setParam('after', e.target.value)}
          />
        </label>
        <label className="inline">
          to
          <input
            type="datetime-local"
            aria-label="Started before"
            value={query.get('before') ?? ''}
            onChange={(e) => props.setParam('before', e.target.value)}
          />
        </label>
        <input
          aria-label="Business key"
          placeholder="business key"
          defaultValue={query.get('bk') ?? ''}
          onKeyDown={(e) => {
            if (e.key === 'Enter') props.setParam('bk', e.currentTarget.value)
          }}
          onBlur={(e) => props.setParam('bk', e.target.value)}
        />
      </div>
      <VariableFilters conditions={conditions} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && <p className="notice">{notice}</p>}
      <div className="toolbar">
        <span>{selected.size} selected</span>
        <button type="button" disabled={selected.size === 0} onClick={() => void batch('retry')}>
          Retry incidents
        </button>
        <button
          type="button"
          className="danger"
          disabled={selected.size === 0}
          onClick={() => {
            if (window.confirm(`Cancel ${selected.size} instances?`)) void batch('cancel')
          }}
        >
          Cancel
        </button>
      </div>
      <div className="instance-row head">
        <span />
        <span>Key</span>
        <span>Version</span>
        <span>State</span>
        <span>Started</span>
        <span>Ended</span>
        <span>Business key</span>
      </div>
      <VirtualList
        items={rows}
        rowHeight={34}
        height={420}
        testId="instance-rows"
        rowKey={(row) => row.processInstanceKey}
        onEndReached={() => void nextPage()}
        renderRow={(row) => (
          <div className="instance-row" data-instance-key={row.processInstanceKey}>
            <input
              type="checkbox"
              aria-label={`Select ${row.processInstanceKey}`}
              checked={selected.has(row.processInstanceKey)}
              onChange={() => toggle(row.processInstanceKey)}
            />
            <a {...linkProps(`/instances/${row.processInstanceKey}`)}>{row.processInstanceKey}</a>
            <span>v{row.processDefinitionVersion}</span>
            <span className={`state state-${row.state.toLowerCase()}`}>
              {row.state}
              {row.hasIncident ? ' · incident' : ''}
            </span>
            <span>{formatDate(row.startDate)}</span>
            <span>{formatDate(row.endDate)}</span>
            <span>{row.businessKey ?? ''}</span>
          </div>
        )}
      />
    </section>
  )
}

function VariableFilters(props: { conditions: string[] }): ReactNode {
  const [target, setTarget] = useState('')
  const [operator, setOperator] = useState<Operator>('eq')
  const [value, setValue] = useState('')
  const update = (conditions: string[]): void => {
    const next = new URLSearchParams(window.location.search)
    next.delete('v')
    for (const condition of conditions) next.append('v', condition)
    navigate(`${window.location.pathname}?${next.toString()}`, { replace: true })
  }
  return (
    <div className="toolbar variable-filters">
      {props.conditions.map((condition) => (
        <span key={condition} className="tag">
          {condition
            .replace(/~/g, ' ')
            .replace(
              / (eq|neq|lt|gt|lte|gte) /,
              (_m, op: Operator) => ` ${operatorLabels[op]} `,
            )}{' '}
          <button
            type="button"
            className="link"
            aria-label={`Remove ${condition}`}
            onClick={() => update(props.conditions.filter((c) => c !== condition))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        aria-label="Variable"
        placeholder="variable or path (order.total)"
        value={target}
        onChange={(e) => setTarget(e.target.value)}
      />
      <select
        aria-label="Operator"
        value={operator}
        onChange={(e) => setOperator(e.target.value as Operator)}
      >
        {operators.map((op) => (
          <option key={op} value={op}>
            {operatorLabels[op]}
          </option>
        ))}
      </select>
      {operator !== 'exists' && (
        <input
          aria-label="Value"
          placeholder={operator === 'in' ? 'a,b,c' : 'value'}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      )}
      <button
        type="button"
        disabled={target.trim() === ''}
        onClick={() => {
          update([
            ...props.conditions,
            `${target.trim()}~${operator}~${operator === 'exists' ? '' : value}`,
          ])
          setTarget('')
          setValue('')
        }}
      >
        Add filter
      </button>
    </div>
  )
}
