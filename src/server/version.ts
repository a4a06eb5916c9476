/** Versions the server reports. */
import { readFileSync } from 'node:fs'

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

export const BATON_VERSION = packageVersion()
/** The Camunda 8 REST API level whose subset Baton answers under /v2. */
export const CAMUNDA_API_VERSION = '8.7.0'
