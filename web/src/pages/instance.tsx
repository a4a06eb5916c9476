/**
 * A process instance: its header, the diagram with the path taken, active elements and
 * incidents marked, its incidents (retry), variables per scope (editable), and its audit trail
 * as a live, searchable list, latest first.
 */
import type { ReactNode } from 'react'
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react'
import type {
  ElementInstanceWire,
  HistoryEventWire,
  IncidentWire,
  JsonValue,
  ProcessInstanceWire,
  VariableWire,
} from '../api.ts'
import {
  activeIncidents,
  cancelInstance,
  definitionXml,
  instance as getInstance,
  request,
  retryIncident,
  search,
  searchAll,
  setVariables,
} from '../api.ts'
import { errorText, formatDate } from '../format.ts'
import { useLive } from '../live.ts'
import { linkProps } from '../router.ts'
import { VirtualList } from '../virtual-list.tsx'

const Diagram = lazy(() => import('../diagram.tsx').then((m) => ({ default: m.Diagram })))

interface Loaded {
  readonly instance: ProcessInstanceWire
  readonly children: readonly ProcessInstanceWire[]
  readonly elements: readonly ElementInstanceWire[]
  readonly history: readonly HistoryEventWire[]
  readonly incidents: readonly IncidentWire[]
  readonly variables: readonly VariableWire[]
}

export function InstancePage(props: { instanceKey: string }): ReactNode {
  const key = props.instanceKey
  const [data, setData] = useState<Loaded | null>(null)
  const [xml, setXml] = useState<string | null>(null)
  const [error, setError] = useState('')
  const [notice, setNotice] = useState('')

  const load = useCallback(async () => {
    try {
      const [instance, children, elements, history, incidents, variables] = await Promise.all([
        getInstance(key),
        search<ProcessInstanceWire>('/v2/process-instances/search', {
          parentProcessInstanceKey: key,
        }),
        searchAll<ElementInstanceWire>('/v2/element-instances/search', { processInstanceKey: key }),
        request<{ items: HistoryEventWire[] }>(`/baton/process-instances/${key}/history`),
        activeIncidents(key),
        searchAll<VariableWire>('/v2/variables/search', { processInstanceKey: key }),
      ])
      setData({
        instance,
        children: children.items,
        elements,
        history: history.items,
        incidents,
        variables,
      })
      setError('')
    } catch (failure) {
      setError(errorText(failure))
    }
  }, [key])
  useEffect(() => void load(), [load])
  useLive(() => void load(), { processInstanceKey: key })

  const definitionKey = data?.instance.processDefinitionKey
  useEffect(() => {
    if (definitionKey === undefined) return
    definitionXml(definitionKey)
      .then(setXml)
      .catch((failure: unknown) => setError(errorText(failure)))
  }, [definitionKey])

  const markers = useMemo(() => {
    const result: Record<string, string[]> = {}
    const mark = (id: string, marker: string): void => {
      const list = (result[id] ??= [])
      if (!list.includes(marker)) list.push(marker)
    }
    for (const element of data?.elements ?? []) {
      if (element.state === 'COMPLETED') mark(element.elementId, 'baton-completed')
      if (element.state === 'ACTIVE') mark(element.elementId, 'baton-active')
    }
    for (const event of data?.history ?? []) {
      if (event.type === 'SequenceFlowTaken' && typeof event['flowId'] === 'string') {
        mark(event['flowId'], 'baton-taken')
      }
    }
    for (const incident of data?.incidents ?? []) mark(incident.elementId, 'baton-incident')
    return result
  }, [data])

  const act = async (what: string, action: () => Promise<void>): Promise<void> => {
    setNotice('')
    try {
      await action()
      setNotice(what)
      await load()
    } catch (failure) {
      setError(errorText(failure))
    }
  }

  if (!data) {
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty">Loading…</p>
    )
  }
  const { instance } = data
  return (
    <div className="instance page">
      <header className="instance-header">
        <h1>
          <a {...linkProps(`/processes/${instance.processDefinitionKey}`)}>
            {instance.processDefinitionName}
          </a>{' '}
          <span className="muted">v{instance.processDefinitionVersion}</span> · instance{' '}
          {instance.processInstanceKey}
        </h1>
        <p>
          <span className={`state state-${instance.state.toLowerCase()}`} data-testid="state">
            {instance.state}
          </span>
          {instance.hasIncident && <span className="state state-incident">INCIDENT</span>} started{' '}
          {formatDate(instance.startDate)}
          {instance.endDate ? ` · ended ${formatDate(instance.endDate)}` : ''}
          {instance.businessKey ? ` · business key ${instance.businessKey}` : ''}
          {instance.parentProcessInstanceKey && (
            <>
              {' '}
              · parent{' '}
              <a {...linkProps(`/instances/${instance.parentProcessInstanceKey}`)}>
                {instance.parentProcessInstanceKey}
              </a>
            </>
          )}
          {data.children.length > 0 && (
            <>
              {' '}
              · called:{' '}
              {data.children.map((child) => (
                <a
                  key={child.processInstanceKey}
                  {...linkProps(`/instances/${child.processInstanceKey}`)}
                >
                  {child.processDefinitionId} {child.processInstanceKey}{' '}
                </a>
              ))}
            </>
          )}{' '}
          {instance.state === 'ACTIVE' && (
            <button
              type="button"
              className="danger"
              onClick={() => {
                if (window.confirm(`Cancel instance ${instance.processInstanceKey}?`)) {
                  void act('Cancelled.', () => cancelInstance(instance.processInstanceKey))
                }
              }}
            >
              Cancel instance
            </button>
          )}
        </p>
        {notice && <p className="notice">{notice}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </header>
      <Suspense fallback={<div className="diagram-placeholder">Loading the diagram…</div>}>
        {xml && <Diagram xml={xml} markers={markers} />}
      </Suspense>
      {data.incidents.length > 0 && (
        <section aria-label="Incidents" className="incidents">
          <h2>Incidents</h2>
          <table>
            <tbody>
              {data.incidents.map((incident) => (
                <tr key={incident.incidentKey} data-testid="incident">
                  <td>{incident.elementId}</td>
                  <td>{incident.errorType}</td>
                  <td className="wrap">{incident.errorMessage}</td>
                  <td>{formatDate(incident.creationTime)}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() =>
                        void act('Retried.', () => retryIncident(incident.incidentKey))
                      }
                    >
                      Retry
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <div className="columns">
        <VariablesPanel data={data} onChanged={() => void load()} />
        <HistoryPanel history={data.history} />
      </div>
    </div>
  )
}

function VariablesPanel(props: { data: Loaded; onChanged: () => void }): ReactNode {
  const { data } = props
  const scopes = useMemo(() => {
    const byScope = new Map<string, VariableWire[]>()
    for (const variable of data.variables) {
      const list = byScope.get(variable.scopeKey) ?? []
      list.push(variable)
      byScope.set(variable.scopeKey, list)
    }
    if (!byScope.has(data.instance.processInstanceKey))
      byScope.set(data.instance.processInstanceKey, [])
    return [...byScope.entries()]
  }, [data])
  const scopeName = (scopeKey: string): string => {
    if (scopeKey === data.instance.processInstanceKey) return 'Process instance'
    const element = data.elements.find((e) => e.elementInstanceKey === scopeKey)
    return element ? `${element.elementId} (${scopeKey})` : scopeKey
  }
  const editable = data.instance.state === 'ACTIVE'
  return (
    <section aria-label="Variables" className="variables">
      <h2>Variables</h2>
      {scopes.map(([scopeKey, variables]) => (
        <div key={scopeKey} className="scope">
          <h3>{scopeName(scopeKey)}</h3>
          <table>
            <tbody>
              {variables.map((variable) => (
                <VariableRow
                  key={variable.variableKey}
                  instanceKey={data.instance.processInstanceKey}
                  variable={variable}
                  editable={editable}
                  onChanged={props.onChanged}
                />
              ))}
            </tbody>
          </table>
          {editable && (
            <AddVariable
              instanceKey={data.instance.processInstanceKey}
              scopeKey={scopeKey}
              onChanged={props.onChanged}
            />
          )}
        </div>
      ))}
    </section>
  )
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue
  } catch (error) {
    throw new Error(`the value is not valid JSON (strings need quotes): ${errorText(error)}`)
  }
}

function VariableRow(props: {
  instanceKey: string
  variable: VariableWire
  editable: boolean
  onChanged: () => void
}): ReactNode {
  const { variable } = props
  const [editing, setEditing] = useState(false)
  const [text, setText] = useState(variable.value)
  const [error, setError] = useState('')
  const save = async (): Promise<void> => {
    try {
      await setVariables(props.instanceKey, variable.scopeKey, {
        [variable.name]: parseJson(text),
      })
      setEditing(false)
      setError('')
      props.onChanged()
    } catch (failure) {
      setError(errorText(failure))
    }
  }
  return (
    <tr data-variable={variable.name}>
      <td className="name">{variable.name}</td>
      <td className="value">
        {editing ? (
          <>
            <textarea
              aria-label={`Value of ${variable.name}`}
              value={text}
              rows={Math.min(8, text.split('\n').length + 1)}
              onChange={(event) => setText(event.target.value)}
            />
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </>
        ) : (
          <code>{variable.value}</code>
        )}
      </td>
      <td>
        {props.editable &&
          (editing ? (
            <>
              <button type="button" onClick={() => void save()}>
                Save
              </button>
              <button type="button" className="link" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button
              type="button"
              className="link"
              onClick={() => {
                setText(variable.value)
                setEditing(true)
              }}
            >
              Edit
            </button>
          ))}
      </td>
    </tr>
  )
}

function AddVariable(props: {
  instanceKey: string
  scopeKey: string
  onChanged: () => void
}): ReactNode {
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  const [error, setError] = useState('')
  const add = async (): Promise<void> => {
    try {
      if (name.trim() === '') throw new Error('give the variable a name')
      await setVariables(props.instanceKey, props.scopeKey, { [name.trim()]: parseJson(value) })
      setName('')
      setValue('')
      setError('')
      props.onChanged()
    } catch (failure) {
      setError(errorText(failure))
    }
  }
  return (
    <div className="add-variable">
      <input
        aria-label="New variable name"
        placeholder="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <input
        aria-label="New variable value"
        placeholder='value as JSON, e.g. "text" or 42'
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="button" onClick={() => void add()}>
        Add
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}

function describeEvent(event: HistoryEventWire): string {
  const { type: _type, position: _position, at: _at, ...rest } = event
  return JSON.stringify(rest)
}

function HistoryPanel(props: { history: readonly HistoryEventWire[] }): ReactNode {
  const [filter, setFilter] = useState('')
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase()
    const latestFirst = [...props.history].reverse()
    if (!needle) return latestFirst
    return latestFirst.filter((event) => JSON.stringify(event).toLowerCase().includes(needle))
  }, [props.history, filter])
  return (
    <section aria-label="History" className="history">
      <h2>
        History <span className="muted">({props.history.length} events)</span>
      </h2>
      <input
        aria-label="Search the history"
        placeholder="search: element id, event type, value…"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      <VirtualList
        items={rows}
        rowHeight={44}
        height={440}
        testId="history"
        rowKey={(event) => String(event.position)}
        renderRow={(event) => (
          <div className="history-row" data-type={event.type}>
            <span className="position">#{event.position}</span>
            <strong>{event.type}</strong> <span className="muted">{formatDate(event.at)}</span>
            <div className="detail">{describeEvent(event)}</div>
          </div>
        )}
      />
    </section>
  )
}
