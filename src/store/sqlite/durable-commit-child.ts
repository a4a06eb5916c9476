/**
 * Child process of the crash test in sqlite-store.test.ts: commits one batch to the file named by
 * argv[2] (on the commit thread with argv[3] `thread`), prints `committed` once commit()
 * returned, then waits to be killed with SIGKILL.
 */
import { openSqliteStore } from './sqlite-store.ts'

const path = process.argv[2]
if (path === undefined) throw new Error('usage: durable-commit-child.ts <database file>')

// argv[3] `thread`: the commit is written on the commit thread (see commit-thread.ts).
const store = await openSqliteStore({
  path,
  durable: true,
  ...(process.argv[3] === 'thread' ? { commitThreadMinRows: 0 } : {}),
})
const key = '4242'
await store.commit({
  instances: [
    {
      expectedStateVersion: null,
      record: {
        key,
        processDefinitionKey: '1',
        bpmnProcessId: 'order',
        version: 1,
        status: 'active',
        startedAt: 1000,
        endedAt: null,
        parentKey: null,
        businessKey: 'crash-test',
        hasIncident: false,
        stateVersion: 1,
        state: {
          key,
          processDefinitionKey: '1',
          bpmnProcessId: 'order',
          version: 1,
          status: 'active',
          startedAt: 1000,
          elements: {},
          variables: {},
          joins: {},
          jobs: {},
          userTasks: {},
          incidents: {},
          position: 1,
        },
      },
    },
  ],
  events: [
    {
      instanceKey: key,
      fromPosition: 0,
      events: [{ type: 'ProcessInstanceCompleted', position: 0, at: 1000 }],
    },
  ],
  jobPuts: [],
  jobDeletes: [],
  userTaskPuts: [],
  incidentPuts: [],
})
process.stdout.write('committed\n')
// Keep the process (and its open database) alive until the parent kills it.
setInterval(() => {}, 60_000)
