/**
 * The form editor (its own chunk): form-js's editor, open and save .form files, and deploy a
 * form by embedding it on a user task or start event of a deployed process (a new version).
 */
import { OpenFileButton } from '../open-file-button.tsx'
import type { ReactNode } from 'react'
import { useEffect, useMemo, useRef, useState } from 'react'
import { FormEditor } from '@bpmn-io/form-js-editor'
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css'
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css'
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css'
import type { ProcessDefinitionWire } from '../api.ts'
import { definitionXml, definitions, deploy, deployProblems } from '../api.ts'
import { embedForm, formTargets } from '../embed-form.ts'
import { errorText } from '../format.ts'
import { linkProps } from '../router.ts'

const NEW_FORM = {
  type: 'default',
  id: 'new-form',
  components: [{ type: 'textfield', key: 'name', label: 'Name', validate: { required: true } }],
}

export function FormEditorPage(): ReactNode {
  const host = useRef<HTMLDivElement>(null)
  const editor = useRef<FormEditor | null>(null)
  const [fileName, setFileName] = useState('form.form')
  const [processes, setProcesses] = useState<ProcessDefinitionWire[]>([])
  const [processKey, setProcessKey] = useState('')
  const [xml, setXml] = useState<string | null>(null)
  const [target, setTarget] = useState('')
  const [message, setMessage] = useState('')
  const [deployedKey, setDeployedKey] = useState<string | null>(null)
  const [error, setError] = useState('')

  useEffect(() => {
    if (!host.current) return
    const created = new FormEditor({ container: host.current })
    editor.current = created
    created.importSchema(NEW_FORM).catch((failure: unknown) => setError(errorText(failure)))
    return () => {
      created.destroy()
      editor.current = null
    }
  }, [])

  useEffect(() => {
    definitions()
      .then((all) => {
        // The latest version of each process.
        const latest = new Map<string, ProcessDefinitionWire>()
        for (const d of all) {
          const seen = latest.get(d.processDefinitionId)
          if (!seen || seen.processDefinitionVersion < d.processDefinitionVersion) {
            latest.set(d.processDefinitionId, d)
          }
        }
        setProcesses([...latest.values()])
      })
      .catch((failure: unknown) => setError(errorText(failure)))
  }, [deployedKey])

  const chosen = processes.find((p) => p.processDefinitionKey === processKey)
  useEffect(() => {
    setXml(null)
    setTarget('')
    if (!processKey) return
    definitionXml(processKey)
      .then(setXml)
      .catch((failure: unknown) => setError(errorText(failure)))
  }, [processKey])
  const targets = useMemo(
    () => (xml && chosen ? formTargets(xml, chosen.processDefinitionId) : []),
    [xml, chosen],
  )

  const open = async (text: string, name: string): Promise<void> => {
    try {
      const schema = JSON.parse(text) as object
      await editor.current?.importSchema(schema)
      setFileName(name)
      setError('')
    } catch (failure) {
      setError(`This file is not a form-js form: ${errorText(failure)}`)
    }
  }
  const save = (): void => {
    const schema = editor.current?.saveSchema()
    const link = document.createElement('a')
    link.href = URL.createObjectURL(
      new Blob([JSON.stringify(schema, null, 2)], { type: 'application/json' }),
    )
    link.download = fileName.endsWith('.form') ? fileName : `${fileName}.form`
    link.click()
    URL.revokeObjectURL(link.href)
  }
  const deployForm = async (): Promise<void> => {
    setMessage('')
    setError('')
    try {
      if (!chosen || !xml || !target) throw new Error('choose a process and one of its user tasks')
      const schema = editor.current?.saveSchema() as object
      const embedded = embedForm(xml, chosen.processDefinitionId, target, schema)
      const result = await deploy([{ name: chosen.resourceName, content: embedded }])
      const process = result.deployments.find((d) => d.processDefinition)?.processDefinition
      setDeployedKey(process?.processDefinitionKey ?? null)
      setMessage(`Deployed ${chosen.processDefinitionId} with the form on ${target}.`)
    } catch (failure) {
      const problems = deployProblems(failure)
      setError(
        problems.length > 0
          ? problems.map((p) => `${p.elementId ?? ''}: ${p.message}`).join('\n')
          : errorText(failure),
      )
    }
  }

  return (
    <div className="form-editor">
      <div className="toolbar">
        <button type="button" onClick={() => void editor.current?.importSchema(NEW_FORM)}>
          New
        </button>
        <OpenFileButton
          accept=".form,.json"
          label="Open a form file"
          onOpen={(text, name) => void open(text, name)}
        />
        <button type="button" onClick={save}>
          Save .form
        </button>
        <span className="file-name">{fileName}</span>
        <span className="spacer" />
        <select
          aria-label="Process"
          value={processKey}
          onChange={(e) => setProcessKey(e.target.value)}
        >
          <option value="">process…</option>
          {processes.map((p) => (
            <option key={p.processDefinitionKey} value={p.processDefinitionKey}>
              {p.name ?? p.processDefinitionId} (v{p.processDefinitionVersion})
            </option>
          ))}
        </select>
        <select aria-label="Element" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">user task or start event…</option>
          {targets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.type === 'userTask' ? 'user task' : 'start event'})
            </option>
          ))}
        </select>
        <button type="button" disabled={!target} onClick={() => void deployForm()}>
          Deploy with the process
        </button>
      </div>
      {message && (
        <p className="notice" data-testid="deploy-message">
          {message}{' '}
          {deployedKey && <a {...linkProps(`/processes/${deployedKey}`)}>Open the process</a>}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div ref={host} className="editor-host" data-testid="form-editor" />
    </div>
  )
}
