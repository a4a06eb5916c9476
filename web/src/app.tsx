/** The app shell: sign-in, a role-aware navigation, and the routes (heavy ones load lazily). */
import type { FormEvent, ReactNode } from 'react'
import { Suspense, lazy, useCallback, useEffect, useState } from 'react'
import { ApiError, storeToken, storedToken, whoami } from './api.ts'
import type { WhoAmI } from './api.ts'
import { linkProps, match, navigate, useLocation } from './router.ts'
import type { Session } from './session.ts'
import { SessionContext, isOperator } from './session.ts'
import { Dashboard } from './pages/dashboard.tsx'
import { DefinitionPage } from './pages/definition.tsx'
import { InstancePage } from './pages/instance.tsx'
import { StartPage } from './pages/start.tsx'
import { TaskList } from './pages/tasks.tsx'

const ModelerPage = lazy(() =>
  import('./pages/modeler.tsx').then((m) => ({ default: m.ModelerPage })),
)
const FormEditorPage = lazy(() =>
  import('./pages/form-editor.tsx').then((m) => ({ default: m.FormEditorPage })),
)
const DecisionEditorPage = lazy(() =>
  import('./pages/decision-editor.tsx').then((m) => ({ default: m.DecisionEditorPage })),
)

const ASSIGNEE_KEY = 'baton.assignee'

function Login(props: { onSignedIn: (who: WhoAmI) => void; message?: string }): ReactNode {
  const [token, setToken] = useState('')
  const [error, setError] = useState(props.message ?? '')
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      const who = await whoami(token.trim())
      storeToken(token.trim())
      props.onSignedIn(who)
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'This token is unknown or revoked. Paste the token `baton start` printed, or create one with `baton token create`.'
          : String(failure instanceof Error ? failure.message : failure),
      )
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="login">
      <form onSubmit={(event) => void submit(event)} aria-label="Sign in">
        <h1>Baton</h1>
        <label>
          API token
          <input
            name="token"
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            placeholder="paste the token baton start printed"
          />
        </label>
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  )
}

function Nav(props: { session: Session; path: string }): ReactNode {
  const { session, path } = props
  const items: [string, string][] = isOperator(session)
    ? [
        ['/', 'Dashboard'],
        ['/tasks', 'Tasks'],
        ['/modeler', 'Modeler'],
        ['/forms', 'Forms'],
        ['/decisions', 'Decisions'],
      ]
    : [['/tasks', 'Tasks']]
  return (
    <nav className="nav">
      <span className="brand">Baton</span>
      {items.map(([to, label]) => (
        <a
          key={to}
          {...linkProps(to)}
          className={
            (to === '/' ? path === '/' : path.startsWith(to)) ? 'nav-item active' : 'nav-item'
          }
        >
          {label}
        </a>
      ))}
      <span className="spacer" />
      <span className="who" data-testid="whoami">
        {session.user ?? session.assignee} · {session.role}
      </span>
      <button type="button" className="link" onClick={session.signOut}>
        Sign out
      </button>
    </nav>
  )
}

function Routes(props: { session: Session; path: string }): ReactNode {
  const { session, path } = props
  let params: Record<string, string> | null
  if ((params = match('/tasks/:key', path))) return <TaskList selected={params['key'] ?? null} />
  if (path === '/tasks') return <TaskList selected={null} />
  if (!isOperator(session)) {
    return (
      <p className="empty">
        A {session.role} token sees the task list only. <a {...linkProps('/tasks')}>Open tasks</a>
      </p>
    )
  }
  if (path === '/') return <Dashboard />
  if ((params = match('/processes/:key', path)))
    return <DefinitionPage definitionKey={params['key'] ?? ''} />
  if ((params = match('/instances/:key', path)))
    return <InstancePage instanceKey={params['key'] ?? ''} />
  if ((params = match('/start/:key', path)))
    return <StartPage definitionKey={params['key'] ?? ''} />
  if (path === '/modeler') return <ModelerPage />
  if (path === '/forms') return <FormEditorPage />
  if (path === '/decisions') return <DecisionEditorPage />
  return (
    <p className="empty">
      Nothing here. <a {...linkProps('/')}>Back to the dashboard</a>
    </p>
  )
}

export function App(): ReactNode {
  const location = useLocation()
  const [who, setWho] = useState<WhoAmI | null>(null)
  const [checking, setChecking] = useState(true)
  const [message, setMessage] = useState<string | undefined>()
  const [assignee, setAssignee] = useState(() => localStorage.getItem(ASSIGNEE_KEY) ?? '')

  useEffect(() => {
    // A stored token (or a server with auth off) signs in without asking.
    whoami(storedToken())
      .then(setWho)
      .catch((error: unknown) => {
        if (storedToken() && error instanceof ApiError && error.status === 401) {
          storeToken(null)
          setMessage('Your token is no longer valid: sign in again.')
        }
      })
      .finally(() => setChecking(false))
  }, [])

  const signOut = useCallback(() => {
    storeToken(null)
    setWho(null)
    navigate('/')
  }, [])

  if (checking) return <p className="empty">Loading…</p>
  if (!who) {
    return (
      <Login
        onSignedIn={(signedIn) => {
          setWho(signedIn)
          if (signedIn.role === 'task-user' && !location.path.startsWith('/tasks')) {
            navigate('/tasks', { replace: true })
          }
        }}
        {...(message === undefined ? {} : { message })}
      />
    )
  }
  const session: Session = {
    ...who,
    assignee: who.user ?? (assignee || 'demo'),
    signOut,
  }
  return (
    <SessionContext.Provider value={session}>
      <Nav session={session} path={location.path} />
      {!who.user && location.path.startsWith('/tasks') && (
        <div className="assignee-bar">
          <label className="inline">
            Work tasks as
            <input
              aria-label="Work tasks as"
              value={assignee}
              placeholder="demo"
              onChange={(event) => {
                setAssignee(event.target.value)
                localStorage.setItem(ASSIGNEE_KEY, event.target.value)
              }}
            />
          </label>
        </div>
      )}
      <main>
        <Suspense fallback={<p className="empty">Loading…</p>}>
          <Routes session={session} path={location.path} />
        </Suspense>
      </main>
    </SessionContext.Provider>
  )
}
