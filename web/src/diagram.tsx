/**
 * A read-only BPMN diagram (bpmn-js NavigatedViewer) with Baton's markings: elements as CSS
 * markers (active, incident, completed), sequence flows taken, per-element badges, and a
 * heatmap. Loaded lazily: bpmn-js is not in the initial bundle.
 */
import type { ReactNode } from 'react'
import { useEffect, useRef, useState } from 'react'
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer'
import 'bpmn-js/dist/assets/diagram-js.css'
import 'bpmn-js/dist/assets/bpmn-js.css'
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css'

export interface Badge {
  readonly active?: number
  readonly incidents?: number
  readonly completed?: number
  /** Free text instead of counts (heatmap durations). */
  readonly text?: string
}

export interface DiagramProps {
  readonly xml: string
  /** CSS marker classes by element id (baton-active, baton-incident, baton-completed, baton-taken). */
  readonly markers?: Readonly<Record<string, readonly string[]>>
  readonly badges?: Readonly<Record<string, Badge>>
  /** 0..1 by element id: colours elements from cool to hot. */
  readonly heat?: Readonly<Record<string, number>>
  readonly onElementClick?: (elementId: string) => void
  readonly height?: number
}

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
  getAll(): { id: string }[]
}

export function Diagram(props: DiagramProps): ReactNode {
  const container = useRef<HTMLDivElement>(null)
  const viewer = useRef<NavigatedViewer | null>(null)
  const [imported, setImported] = useState(0)
  const [error, setError] = useState('')
  const click = useRef(props.onElementClick)
  click.current = props.onElementClick

  useEffect(() => {
    if (!container.current) return
    const created = new NavigatedViewer({ container: container.current })
    viewer.current = created
    created.on('element.click', (event: { element: { id: string; type: string } }) => {
      if (event.element.type !== 'bpmn:Process') click.current?.(event.element.id)
    })
    return () => {
      created.destroy()
      viewer.current = null
    }
  }, [])

  useEffect(() => {
    const current = viewer.current
    if (!current) return
    let cancelled = false
    current
      .importXML(props.xml)
      .then(() => {
        if (cancelled) return
        current.get<Canvas>('canvas', true).zoom('fit-viewport')
        setError('')
        setImported((n) => n + 1)
      })
      .catch((failure: unknown) => setError(`The diagram cannot be shown: ${String(failure)}`))
    return () => {
      cancelled = true
    }
  }, [props.xml])

  const { markers, badges, heat } = props
  useEffect(() => {
    const current = viewer.current
    if (!current || imported === 0) return
    const canvas = current.get<Canvas>('canvas', true)
    const overlays = current.get<Overlays>('overlays', true)
    const registry = current.get<ElementRegistry>('elementRegistry', true)
    const added: [string, string][] = []
    for (const [id, classes] of Object.entries(markers ?? {})) {
      if (!registry.get(id)) continue
      for (const marker of classes) {
        canvas.addMarker(id, marker)
        added.push([id, marker])
      }
    }
    for (const [id, value] of Object.entries(heat ?? {})) {
      if (!registry.get(id)) continue
      const level = Math.min(4, Math.max(0, Math.round(value * 4)))
      canvas.addMarker(id, `baton-heat-${level}`)
      added.push([id, `baton-heat-${level}`])
    }
    for (const [id, badge] of Object.entries(badges ?? {})) {
      if (!registry.get(id)) continue
      const html = document.createElement('div')
      html.className = 'baton-badges'
      html.dataset['elementId'] = id
      const pill = (value: number | undefined, kind: string, title: string): void => {
        if (!value) return
        const span = document.createElement('span')
        span.className = `baton-badge ${kind}`
        span.title = title
        span.textContent = String(value)
        html.append(span)
      }
      pill(badge.active, 'active', 'active')
      pill(badge.incidents, 'incident', 'incidents')
      pill(badge.completed, 'completed', 'completed')
      if (badge.text) {
        const span = document.createElement('span')
        span.className = 'baton-badge text'
        span.textContent = badge.text
        html.append(span)
      }
      if (html.childElementCount > 0) {
        overlays.add(id, 'baton', { position: { bottom: 12, left: -8 }, html })
      }
    }
    return () => {
      for (const [id, marker] of added) canvas.removeMarker(id, marker)
      overlays.remove({ type: 'baton' })
    }
  }, [imported, markers, badges, heat])

  return (
    <div className="diagram-wrap">
      <div
        ref={container}
        className="diagram"
        data-testid="diagram"
        style={{ height: props.height ?? 420 }}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
