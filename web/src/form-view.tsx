/** A form-js form: renders a schema with data, validates, and hands the submitted values back. */
import type { ReactNode } from 'react'
import { useEffect, useRef, useState } from 'react'
import { Form } from '@bpmn-io/form-js-viewer'
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css'
import type { Variables } from './api.ts'

export interface FormViewProps {
  readonly schema: Record<string, unknown>
  readonly data: Variables
  readonly submitLabel: string
  readonly disabled?: boolean
  /** Called with the form's values once they validate. */
  readonly onSubmit: (values: Variables) => Promise<void> | void
}

export function FormView(props: FormViewProps): ReactNode {
  const container = useRef<HTMLDivElement>(null)
  const form = useRef<Form | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const { schema, data } = props
  useEffect(() => {
    if (!container.current) return
    // No input debounce: a click on the submit button right after typing must see the value.
    const created = new Form({
      container: container.current,
      debounce: false,
    } as ConstructorParameters<typeof Form>[0])
    form.current = created
    created.importSchema(schema, data).catch((failure: unknown) => {
      setError(`The form cannot be shown: ${String(failure)}`)
    })
    return () => {
      created.destroy()
      form.current = null
    }
  }, [schema, data])
  const submit = async (): Promise<void> => {
    if (!form.current) return
    const result = form.current.submit() as {
      data: Variables
      errors: Record<string, unknown>
    }
    if (Object.keys(result.errors).length > 0) {
      setError('Fix the marked fields first.')
      return
    }
    setError('')
    setBusy(true)
    try {
      await props.onSubmit(result.data)
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="form-view">
      <div ref={container} className="form-container" />
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
