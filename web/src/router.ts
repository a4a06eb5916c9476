/** A small history router: the path and query are the app's state, so views survive reloads. */
import { useEffect, useState } from 'react'

export interface Location {
  readonly path: string
  readonly query: URLSearchParams
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) }
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.dispatchEvent(new Event('baton:navigate'))
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current)
  useEffect(() => {
    const update = (): void => setLocation(current())
    window.addEventListener('popstate', update)
    window.addEventListener('baton:navigate', update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener('baton:navigate', update)
    }
  }, [])
  return location
}

/** Matches `/instances/:key` style patterns; the named parts, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/')
  const have = path.replace(/\/+$/, '').split('/')
  if (want.length !== have.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const part = want[i] as string
    const value = have[i] as string
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value)
    else if (part !== value) return null
  }
  return params
}

/** A link that navigates without reloading the page. */
export function linkProps(to: string): {
  href: string
  onClick: (event: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean }) => void
} {
  return {
    href: to,
    onClick: (event) => {
      if (event.metaKey || event.ctrlKey) return
      event.preventDefault()
      navigate(to)
    },
  }
}
