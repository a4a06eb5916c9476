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
 * Calls `onChange` when the server commits events (of one instance, when `processInstanceKey`
 * is given) or deploys: at most once per `delayMs`, with the events since the last call (empty
 * for a deployment or a poll: refetch everything).
 */
export function useLive(
  onChange: (events: readonly StreamEvent[]) => void,
  options: { processInstanceKey?: string; enabled?: boolean; delayMs?: number } = {},
): void {
  const callback = useRef(onChange)
  callback.current = onChange
  const { processInstanceKey, enabled = true, delayMs = 100 } = options
  useEffect(() => {
    if (!enabled) return
    let closed = false
    let pending: StreamEvent[] = []
    let everything = false
    let timer: number | undefined
    const flush = (): void => {
      timer = undefined
      const events = everything ? [] : pending
      pending = []
      everything = false
      if (!closed) callback.current(events)
    }
    const schedule = (events: readonly StreamEvent[]): void => {
      if (events.length === 0) everything = true
      else pending.push(...events)
      timer ??= window.setTimeout(flush, delayMs)
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
  }, [processInstanceKey, enabled, delayMs])
}
