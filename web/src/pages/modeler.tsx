/**
 * The modeler (its own chunk, loaded only on this route): bpmn-js with the zeebe properties
 * panel, open and save .bpmn files, lint on the fly (the engine's own checks), Deploy and Run.
 * A rejected deploy marks the offending elements with the engine's messages.
 */
import { OpenFileButton } from '../open-file-button.tsx'
import type { ReactNode } from 'react'
import { useCallback, useEffect, useRef, useState } from 'react'
import BpmnModeler from 'bpmn-js/lib/Modeler'
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  ZeebePropertiesProviderModule,
} from 'bpmn-js-properties-panel'
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud'
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json'
import 'bpmn-js/dist/assets/diagram-js.css'
import 'bpmn-js/dist/assets/bpmn-js.css'
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css'
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css'
import type { DeployProblem } from '../api.ts'
import { ApiError, definitionXml, deploy, deployProblems, validate } from '../api.ts'
import { errorText } from '../format.ts'
import { linkProps, navigate, useLocation } from '../router.ts'

export const NEW_DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_new" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Baton" exporterVersion="0.1.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">
  <bpmn:process id="new-process" name="New process" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="new-process">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`

interface Canvas {
  addMarker(id: string, marker: string): void
  removeMarker(id: string, marker: string): void
  zoom(level: string): void
}
interface Overlays {
  add(id: string, type: string, overlay: object): string
  remove(filter: { type: string }): void
}
interface ElementRegistry {
  get(id: string): unknown
}
interface EventBus {
  on(event: string, callback: () => void): void
}

const LINT_DELAY_MS = 400

export function ModelerPage(): ReactNode {
  const { query } = useLocation()
  const canvasRef = useRef<HTMLDivElement>(null)
  const panelRef = useRef<HTMLDivElement>(null)
  const modeler = useRef<BpmnModeler | null>(null)
  const marked = useRef<string[]>([])
  const [fileName, setFileName] = useState('diagram.bpmn')
  const [problems, setProblems] = useState<readonly DeployProblem[]>([])
  const [problemSource, setProblemSource] = useState<'lint' | 'deploy'>('lint')
  const [message, setMessage] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const lintTimer = useRef<number | undefined>(undefined)
  const deployedRef = useRef(false)

  /** Marks each problem's element on the canvas, with the message next to it. */
  const showProblems = useCallback((found: readonly DeployProblem[], source: 'lint' | 'deploy') => {
    const current = modeler.current
    if (!current) return
    const canvas = current.get<Canvas>('canvas', true)
    const overlays = current.get<Overlays>('overlays', true)
    const registry = current.get<ElementRegistry>('elementRegistry', true)
    for (const id of marked.current) canvas.removeMarker(id, 'baton-problem')
    overlays.remove({ type: 'baton-problem' })
    marked.current = []
    for (const problem of found) {
      const id = problem.elementId
      if (!id || !registry.get(id)) continue
      if (!marked.current.includes(id)) {
        canvas.addMarker(id, 'baton-problem')
        marked.current.push(id)
      }
      const html = document.createElement('div')
      html.className = 'baton-problem-note'
      html.dataset['elementId'] = id
      html.textContent = problem.message
      overlays.add(id, 'baton-problem', { position: { bottom: 4, left: 0 }, html })
    }
    setProblems(found)
    setProblemSource(source)
  }, [])

  const lint = useCallback(async () => {
    const current = modeler.current
    if (!current) return
    try {
      const { xml } = await current.saveXML({ format: false })
      if (xml === undefined) return
      const result = await validate(xml)
      showProblems([...result.errors], 'lint')
    } catch {
      // Linting is advice: a failed check leaves the last result.
    }
  }, [showProblems])

  const open = useCallback(
    async (xml: string, name: string) => {
      const current = modeler.current
      if (!current) return
      try {
        await current.importXML(xml)
        current.get<Canvas>('canvas', true).zoom('fit-viewport')
        setFileName(name)
        setError('')
        setMessage('')
        void lint()
      } catch (failure) {
        setError(`This file is not a BPMN diagram bpmn-js can open: ${errorText(failure)}`)
      }
    },
    [lint],
  )

  useEffect(() => {
    if (!canvasRef.current || !panelRef.current) return
    const created = new BpmnModeler({
      container: canvasRef.current,
      propertiesPanel: { parent: panelRef.current },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        ZeebePropertiesProviderModule,
        ZeebeBehaviorsModule,
      ],
      moddleExtensions: { zeebe: zeebeModdle },
    })
    modeler.current = created
    created.get<EventBus>('eventBus', true).on('commandStack.changed', () => {
      window.clearTimeout(lintTimer.current)
      lintTimer.current = window.setTimeout(() => void lint(), LINT_DELAY_MS)
    })
    const definition = new URLSearchParams(window.location.search).get('definition')
    if (definition) {
      definitionXml(definition)
        .then((xml) => open(xml, `${definition}.bpmn`))
        .catch((failure: unknown) => setError(errorText(failure)))
    } else void open(NEW_DIAGRAM, 'diagram.bpmn')
    return () => {
      window.clearTimeout(lintTimer.current)
      created.destroy()
      modeler.current = null
    }
  }, [lint, open])
  void query

  const currentXml = async (): Promise<string> => {
    const current = modeler.current
    if (!current) throw new Error('the modeler is not ready')
    const { xml } = await current.saveXML({ format: true })
    if (xml === undefined) throw new Error('the diagram could not be saved')
    return xml
  }

  const save = async (): Promise<void> => {
    const xml = await currentXml()
    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }))
    link.download = fileName.endsWith('.bpmn') ? fileName : `${fileName}.bpmn`
    link.click()
    URL.revokeObjectURL(link.href)
  }

  const doDeploy = async (run: boolean): Promise<void> => {
    setBusy(true)
    setError('')
    setMessage('')
    try {
      const xml = await currentXml()
      const result = await deploy([{ name: fileName, content: xml }])
      showProblems([], 'deploy')
      deployedRef.current = true
      const first = result.deployments.find((d) => d.processDefinition)?.processDefinition
      if (!first) {
        setMessage('Deployed (no process in this file).')
        return
      }
      if (run) {
        navigate(`/start/${first.processDefinitionKey}`)
        return
      }
      setMessage(`Deployed ${first.processDefinitionId}.`)
      setDeployedKey(first.processDefinitionKey)
    } catch (failure) {
      const found = deployProblems(failure)
      if (found.length > 0) {
        showProblems(found, 'deploy')
        setError(
          `The engine rejected the deployment: ${found.length} problem${found.length === 1 ? '' : 's'} (marked on the diagram).`,
        )
      } else {
        setError(failure instanceof ApiError ? failure.message : errorText(failure))
      }
    } finally {
      setBusy(false)
    }
  }
  const [deployedKey, setDeployedKey] = useState<string | null>(null)

  return (
    <div className="modeler">
      <div className="toolbar">
        <button type="button" onClick={() => void open(NEW_DIAGRAM, 'diagram.bpmn')}>
          New
        </button>
        <OpenFileButton
          accept=".bpmn,.xml"
          label="Open a BPMN file"
          onOpen={(text, name) => void open(text, name)}
        />
        <button type="button" onClick={() => void save()}>
          Save .bpmn
        </button>
        <span className="file-name">{fileName}</span>
        <span className="spacer" />
        <button type="button" disabled={busy} onClick={() => void doDeploy(false)}>
          Deploy
        </button>
        <button type="button" disabled={busy} onClick={() => void doDeploy(true)}>
          Deploy and run
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
      <div className="modeler-body">
        <div ref={canvasRef} className="modeler-canvas" data-testid="modeler-canvas" />
        <div ref={panelRef} className="properties-panel" />
      </div>
      <section className="problems" aria-label="Problems" data-testid="problems">
        {problems.length === 0 ? (
          <p className="muted">No problems found.</p>
        ) : (
          <ul>
            {problems.map((problem, index) => (
              <li key={index} data-element-id={problem.elementId ?? ''}>
                <strong>{problem.elementId ?? 'file'}</strong> [{problem.rule}] {problem.message}
                {problemSource === 'lint' ? ' (lint)' : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
