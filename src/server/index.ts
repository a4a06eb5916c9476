/**
 * Baton's HTTP server and its API tokens.
 *
 * @example
 * import { createServer, openFileTokenStore, tokenFilePath } from 'baton/server'
 */
export { createServer } from './create-server.ts'
export type { ServerOptions } from './create-server.ts'
export type { AuthOptions, Principal } from './auth.ts'
export {
  createMemoryTokenStore,
  isRole,
  openFileTokenStore,
  Roles,
  tokenFilePath,
} from './tokens.ts'
export type { CreateTokenOptions, Role, TokenGrant, TokenStore } from './tokens.ts'
