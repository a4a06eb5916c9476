/**
 * A virtualized list: only the rows in view (plus a few) are in the DOM, so 10,000 rows scroll
 * as fast as 10. Rows have one fixed height. `onEndReached` asks for the next server page.
 */
import type { ReactNode } from 'react'
import { useEffect, useRef, useState } from 'react'

export interface VirtualListProps<T> {
  readonly items: readonly T[]
  readonly rowHeight: number
  readonly height: number | string
  readonly renderRow: (item: T, index: number) => ReactNode
  readonly rowKey: (item: T) => string
  readonly onEndReached?: () => void
  readonly testId?: string
}

const OVERSCAN = 8

export function VirtualList<T>(props: VirtualListProps<T>): ReactNode {
  const { items, rowHeight, renderRow, rowKey, onEndReached } = props
  const ref = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [viewport, setViewport] = useState(600)
  useEffect(() => {
    const element = ref.current
    if (!element) return
    const observer = new ResizeObserver(() => setViewport(element.clientHeight))
    observer.observe(element)
    setViewport(element.clientHeight)
    return () => observer.disconnect()
  }, [])
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN)
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN)
  useEffect(() => {
    if (onEndReached && last >= items.length - OVERSCAN && items.length > 0) onEndReached()
  }, [last, items.length, onEndReached])
  const rows: ReactNode[] = []
  for (let index = first; index < last; index++) {
    const item = items[index] as T
    rows.push(
      <div
        key={rowKey(item)}
        className="vrow"
        style={{
          position: 'absolute',
          top: index * rowHeight,
          height: rowHeight,
          left: 0,
          right: 0,
        }}
      >
        {renderRow(item, index)}
      </div>,
    )
  }
  return (
    <div
      ref={ref}
      className="vlist"
      data-testid={props.testId}
      style={{ height: props.height, overflowY: 'auto', position: 'relative' }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  )
}
