/**
 * Live views: the server's event stream (`GET /baton/stream`, server-sent events) tells a view
 * that something it shows changed, and the view refetches. Without the stream (an older server,
 * a proxy that buffers), views poll instead.
 */
import { useEffect, useRef } from 'react'
import { storedToken } from './api.ts'

export interface StreamEvent {
  readonly processInstanceKey: string
  readonly processDefinitionKey: string
  readonly bpmnProcessId: string
  readonly type: string
  readonly elementId?: string
  readonly elementInstanceKey?: string
  readonly position: number
  readonly at: number
}

const POLL_MS = 3000

/**
 * Calls `onChange` (debounced to one call per animation frame burst) when the server commits
 * events (of one instance, when `processInstanceKey` is given) or deploys.
 */
export function useLive(
  onChange: (events: readonly StreamEvent[]) => void,
  options: { processInstanceKey?: string; enabled?: boolean } = {},
): void {
  const callback = useRef(onChange)
  callback.current = onChange
  const { processInstanceKey, enabled = true } = options
  useEffect(() => {
    if (!enabled) return
    let closed = false
    let pending: StreamEvent[] = []
    let timer: number | undefined
    const flush = (): void => {
      timer = undefined
      const events = pending
      pending = []
      if (!closed) callback.current(events)
    }
    const schedule = (events: readonly StreamEvent[]): void => {
      pending.push(...events)
      timer ??= window.setTimeout(flush, 50)
    }
    const params = new URLSearchParams()
    const token = storedToken()
    if (token) params.set('access_token', token)
    if (processInstanceKey) params.set('processInstanceKey', processInstanceKey)
    let poll: number | undefined
    const source = new EventSource(`/baton/stream?${params.toString()}`)
    source.addEventListener('events', (message) => {
      try {
        const data = JSON.parse((message as MessageEvent<string>).data) as {
          events: StreamEvent[]
        }
        schedule(data.events)
      } catch {
        schedule([])
      }
    })
    source.addEventListener('deployment', () => schedule([]))
    source.addEventListener('error', () => {
      // A stream the server refused (404, 401) is closed for good: poll instead.
      if (source.readyState === EventSource.CLOSED && poll === undefined && !closed) {
        poll = window.setInterval(() => schedule([]), POLL_MS)
      }
    })
    return () => {
      closed = true
      source.close()
      if (poll !== undefined) window.clearInterval(poll)
      if (timer !== undefined) window.clearTimeout(timer)
    }
  }, [processInstanceKey, enabled])
}
