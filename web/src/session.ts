/** Who is signed in, shared by every view. */
import { createContext, useContext } from 'react'
import type { WhoAmI } from './api.ts'

export interface Session extends WhoAmI {
  /** The name this user claims tasks as (the token's user, or one the user typed). */
  readonly assignee: string
  readonly signOut: () => void
}

export const SessionContext = createContext<Session | null>(null)

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside a signed-in app')
  return session
}

export const isOperator = (session: WhoAmI): boolean =>
  session.role === 'admin' || session.role === 'operator'
