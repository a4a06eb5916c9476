/** Variables as JSON text, checked before they are sent: for tasks and starts without a form. */
import type { ReactNode } from 'react'
import { useState } from 'react'
import type { Variables } from './api.ts'

export function parseVariables(text: string): Variables {
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new Error(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('variables are a JSON object: {"name": value, ...}')
  }
  return parsed as Variables
}

export function VariablesEditor(props: {
  readonly initial?: Variables
  readonly submitLabel: string
  readonly disabled?: boolean
  readonly onSubmit: (variables: Variables) => Promise<void> | void
}): ReactNode {
  const [text, setText] = useState(() =>
    props.initial && Object.keys(props.initial).length > 0
      ? JSON.stringify(props.initial, null, 2)
      : '{\n  \n}',
  )
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (): Promise<void> => {
    let variables: Variables
    try {
      variables = parseVariables(text)
    } catch (failure) {
      setError(`Variables: ${failure instanceof Error ? failure.message : String(failure)}`)
      return
    }
    setError('')
    setBusy(true)
    try {
      await props.onSubmit(variables)
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="variables-editor">
      <label>
        Variables (JSON)
        <textarea
          aria-label="Variables (JSON)"
          rows={8}
          value={text}
          spellCheck={false}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="button" disabled={busy || props.disabled} onClick={() => void submit()}>
        {props.submitLabel}
      </button>
    </div>
  )
}
