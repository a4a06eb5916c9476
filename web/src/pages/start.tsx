/** Starts an instance of a process definition from its start form (or with variables). */
import type { ReactNode } from 'react'
import { Suspense, lazy, useEffect, useState } from 'react'
import type { FormResponse, ProcessDefinitionWire, Variables } from '../api.ts'
import { definitions, startForm, startInstance } from '../api.ts'
import { errorText } from '../format.ts'
import { linkProps, navigate } from '../router.ts'
import { VariablesEditor } from '../variables-editor.tsx'

const FormView = lazy(() => import('../form-view.tsx').then((m) => ({ default: m.FormView })))
const noData: Variables = {}

export function StartPage(props: { definitionKey: string }): ReactNode {
  const [definition, setDefinition] = useState<ProcessDefinitionWire | null>(null)
  const [form, setForm] = useState<FormResponse | null>(null)
  const [businessKey, setBusinessKey] = useState('')
  const [error, setError] = useState('')

  useEffect(() => {
    Promise.all([definitions(), startForm(props.definitionKey)])
      .then(([all, loaded]) => {
        const found = all.find((d) => d.processDefinitionKey === props.definitionKey)
        if (!found) throw new Error(`no process definition with key ${props.definitionKey}`)
        setDefinition(found)
        setForm(loaded)
      })
      .catch((failure: unknown) => setError(errorText(failure)))
  }, [props.definitionKey])

  const start = async (variables: Variables): Promise<void> => {
    const created = await startInstance(props.definitionKey, variables, businessKey.trim())
    navigate(`/instances/${created.processInstanceKey}`)
  }

  if (error) {
    return (
      <p className="error" role="alert">
        {error}
      </p>
    )
  }
  if (!definition || !form) return <p className="empty">Loading…</p>
  return (
    <div className="start page">
      <h1>
        Start{' '}
        <a {...linkProps(`/processes/${definition.processDefinitionKey}`)}>
          {definition.name ?? definition.processDefinitionId}
        </a>{' '}
        <span className="muted">version {definition.processDefinitionVersion}</span>
      </h1>
      <label className="inline">
        Business key
        <input
          aria-label="Business key"
          value={businessKey}
          onChange={(event) => setBusinessKey(event.target.value)}
        />
      </label>
      {form.schema ? (
        <Suspense fallback={<p className="empty">Loading the form…</p>}>
          <FormView schema={form.schema} data={noData} submitLabel="Start" onSubmit={start} />
        </Suspense>
      ) : (
        <VariablesEditor submitLabel="Start" onSubmit={start} />
      )}
    </div>
  )
}
