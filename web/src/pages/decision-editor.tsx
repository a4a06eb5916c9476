/**
 * The decision editor (its own chunk): dmn-js with its decision table, literal expression and
 * DRD editors; open and save .dmn files, deploy, and evaluate the deployed decision. Baton's
 * decisions see only the input data they require (the DMN rule), so the new table requires one.
 */
import { OpenFileButton } from '../open-file-button.tsx'
import type { ReactNode } from 'react'
import { useEffect, useRef, useState } from 'react'
import DmnModeler from 'dmn-js/lib/Modeler'
import 'dmn-js/dist/assets/diagram-js.css'
import 'dmn-js/dist/assets/dmn-js-shared.css'
import 'dmn-js/dist/assets/dmn-js-drd.css'
import 'dmn-js/dist/assets/dmn-js-decision-table.css'
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css'
import 'dmn-js/dist/assets/dmn-js-literal-expression.css'
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css'
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css'
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css'
import { deploy, deployProblems, request } from '../api.ts'
import { errorText } from '../format.ts'
import { parseVariables } from '../variables-editor.tsx'

export const NEW_DECISION = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:di="http://www.omg.org/spec/DMN/20180521/DI/" id="Definitions_discount" name="Discount" namespace="http://camunda.org/schema/1.0/dmn">
  <inputData id="InputData_tier" name="tier">
    <variable id="Variable_tier" name="tier" typeRef="string" />
  </inputData>
  <decision id="discount" name="Discount">
    <informationRequirement id="InformationRequirement_tier">
      <requiredInput href="#InputData_tier" />
    </informationRequirement>
    <decisionTable id="DecisionTable_1" hitPolicy="FIRST">
      <input id="Input_1" label="Customer tier">
        <inputExpression id="InputExpression_1" typeRef="string">
          <text>tier</text>
        </inputExpression>
      </input>
      <output id="Output_1" label="Discount" name="discount" typeRef="number" />
      <rule id="Rule_gold">
        <inputEntry id="UnaryTests_1"><text>"gold"</text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>0.1</text></outputEntry>
      </rule>
      <rule id="Rule_other">
        <inputEntry id="UnaryTests_2"><text>-</text></inputEntry>
        <outputEntry id="LiteralExpression_2"><text>0</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_discount" dmnElementRef="discount">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
      <dmndi:DMNShape id="DMNShape_tier" dmnElementRef="InputData_tier">
        <dc:Bounds height="45" width="125" x="187" y="260" />
      </dmndi:DMNShape>
      <dmndi:DMNEdge id="DMNEdge_tier" dmnElementRef="InformationRequirement_tier">
        <di:waypoint x="250" y="260" />
        <di:waypoint x="250" y="180" />
      </dmndi:DMNEdge>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
`

interface Evaluation {
  readonly decisionDefinitionId: string
  readonly decisionDefinitionVersion: number
  readonly output: string
  readonly evaluatedDecisions: readonly { matchedRules: readonly { ruleId: string }[] }[]
}

export function DecisionEditorPage(): ReactNode {
  const host = useRef<HTMLDivElement>(null)
  const modeler = useRef<DmnModeler | null>(null)
  const [fileName, setFileName] = useState('decision.dmn')
  const [message, setMessage] = useState('')
  const [error, setError] = useState('')
  const [decisionIds, setDecisionIds] = useState<string[]>([])
  const [variables, setVariables] = useState('{"tier": "gold"}')
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null)

  const open = async (xml: string, name: string): Promise<void> => {
    const current = modeler.current
    if (!current) return
    try {
      await current.importXML(xml)
      // A single decision opens as its table (or expression), not as the requirements diagram.
      const views = current.getViews()
      const decisions = views.filter((v) => v.type !== 'drd')
      if (decisions.length === 1 && decisions[0]) await current.open(decisions[0])
      setFileName(name)
      setError('')
      setMessage('')
    } catch (failure) {
      setError(`This file is not a DMN model dmn-js can open: ${errorText(failure)}`)
    }
  }

  useEffect(() => {
    if (!host.current) return
    const created = new DmnModeler({ container: host.current })
    modeler.current = created
    void open(NEW_DECISION, 'decision.dmn')
    return () => {
      created.destroy()
      modeler.current = null
    }
  }, [])

  const currentXml = async (): Promise<string> => {
    const current = modeler.current
    if (!current) throw new Error('the editor is not ready')
    return (await current.saveXML({ format: true })).xml
  }
  const save = async (): Promise<void> => {
    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([await currentXml()], { type: 'application/xml' }))
    link.download = fileName.endsWith('.dmn') ? fileName : `${fileName}.dmn`
    link.click()
    URL.revokeObjectURL(link.href)
  }
  const deployDecision = async (): Promise<void> => {
    setMessage('')
    setError('')
    try {
      const name = fileName.endsWith('.dmn') ? fileName : `${fileName}.dmn`
      const result = await deploy([{ name, content: await currentXml() }])
      const ids = result.deployments.flatMap((d) =>
        d.decisionDefinition ? [d.decisionDefinition.decisionDefinitionId] : [],
      )
      setDecisionIds(ids)
      setMessage(`Deployed ${ids.join(', ')}.`)
    } catch (failure) {
      const problems = deployProblems(failure)
      setError(
        problems.length > 0
          ? problems.map((p) => `${p.elementId ?? 'file'}: ${p.message}`).join('\n')
          : errorText(failure),
      )
    }
  }
  const evaluate = async (): Promise<void> => {
    setError('')
    try {
      setEvaluation(
        await request<Evaluation>('/v2/decision-definitions/evaluation', {
          json: { decisionDefinitionId: decisionIds[0], variables: parseVariables(variables) },
        }),
      )
    } catch (failure) {
      setError(errorText(failure))
    }
  }

  return (
    <div className="decision-editor">
      <div className="toolbar">
        <button type="button" onClick={() => void open(NEW_DECISION, 'decision.dmn')}>
          New
        </button>
        <OpenFileButton
          accept=".dmn,.xml"
          label="Open a DMN file"
          onOpen={(text, name) => void open(text, name)}
        />
        <button type="button" onClick={() => void save()}>
          Save .dmn
        </button>
        <span className="file-name">{fileName}</span>
        <span className="spacer" />
        <button type="button" onClick={() => void deployDecision()}>
          Deploy
        </button>
      </div>
      {message && (
        <p className="notice" data-testid="deploy-message">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div ref={host} className="editor-host" data-testid="decision-editor" />
      {decisionIds.length > 0 && (
        <section className="evaluate" aria-label="Evaluate">
          <h2>Evaluate {decisionIds[0]}</h2>
          <textarea
            aria-label="Evaluation variables"
            rows={3}
            value={variables}
            onChange={(e) => setVariables(e.target.value)}
          />
          <button type="button" onClick={() => void evaluate()}>
            Evaluate
          </button>
          {evaluation && (
            <p data-testid="evaluation">
              Output <code>{evaluation.output}</code> (version{' '}
              {evaluation.decisionDefinitionVersion}, matched{' '}
              {evaluation.evaluatedDecisions
                .flatMap((d) => d.matchedRules.map((r) => r.ruleId))
                .join(', ') || 'no rule'}
              )
            </p>
          )}
        </section>
      )}
    </div>
  )
}
