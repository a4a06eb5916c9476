/**
 * The task list: open tasks by filter, sorted by due date, follow-up date, priority or age;
 * claim/unclaim; the task's form (form-js) or a variable editor; complete. A completed task
 * leaves the list at once; the list follows the server's event stream.
 */
import type { ReactNode } from 'react'
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react'
import type { FormResponse, Task, Variables } from '../api.ts'
import { claimTask, completeTask, request, searchAll, taskForm, unclaimTask } from '../api.ts'
import { errorText, formatDate } from '../format.ts'
import { useLive } from '../live.ts'
import { linkProps, navigate, useLocation } from '../router.ts'
import { isOperator, useSession } from '../session.ts'
import { VariablesEditor } from '../variables-editor.tsx'
import { VirtualList } from '../virtual-list.tsx'

const FormView = lazy(() => import('../form-view.tsx').then((m) => ({ default: m.FormView })))

type Filter = 'mine' | 'unassigned' | 'group' | 'open' | 'completed'
type Sort = 'created' | 'due' | 'followUp' | 'priority'

const filters: [Filter, string][] = [
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
  ['group', 'Candidate group'],
  ['open', 'All open'],
  ['completed', 'Completed'],
]
const sorts: [Sort, string][] = [
  ['created', 'Newest'],
  ['due', 'Due date'],
  ['followUp', 'Follow-up date'],
  ['priority', 'Priority'],
]

function compareDates(a: string | undefined, b: string | undefined): number {
  // Tasks without a date go last.
  if (a === b) return 0
  if (a === undefined) return 1
  if (b === undefined) return -1
  return Date.parse(a) - Date.parse(b)
}

export function sortTasks(tasks: readonly Task[], sort: Sort): Task[] {
  const sorted = [...tasks]
  switch (sort) {
    case 'due':
      return sorted.sort((a, b) => compareDates(a.dueDate, b.dueDate))
    case 'followUp':
      return sorted.sort((a, b) => compareDates(a.followUpDate, b.followUpDate))
    case 'priority':
      return sorted.sort((a, b) => b.priority - a.priority)
    case 'created':
      return sorted.sort((a, b) => (BigInt(b.userTaskKey) > BigInt(a.userTaskKey) ? 1 : -1))
  }
}

export function TaskList(props: { selected: string | null }): ReactNode {
  const session = useSession()
  const { query } = useLocation()
  const filter = (query.get('filter') as Filter | null) ?? (isOperator(session) ? 'open' : 'mine')
  const sort = (query.get('sort') as Sort | null) ?? 'created'
  const group = query.get('group') ?? session.groups[0] ?? ''
  const [tasks, setTasks] = useState<Task[]>([])
  const [error, setError] = useState('')
  const [loading, setLoading] = useState(true)
  const [done, setDone] = useState<ReadonlySet<string>>(new Set())

  const setQuery = (changes: Record<string, string>): void => {
    const next = new URLSearchParams(query)
    for (const [name, value] of Object.entries(changes)) next.set(name, value)
    navigate(`${window.location.pathname}?${next.toString()}`, { replace: true })
  }

  const load = useCallback(async () => {
    const serverFilter: Record<string, string> = {
      state: filter === 'completed' ? 'COMPLETED' : 'CREATED',
    }
    if (filter === 'mine') serverFilter['assignee'] = session.assignee
    if (filter === 'group' && group) serverFilter['candidateGroup'] = group
    try {
      let found = await searchAll<Task>(
        '/v2/user-tasks/search',
        serverFilter,
        filter === 'completed' ? 1000 : 10_000,
      )
      if (filter === 'unassigned') found = found.filter((task) => task.assignee === undefined)
      setTasks(found)
      setError('')
    } catch (failure) {
      setError(errorText(failure))
    } finally {
      setLoading(false)
    }
  }, [filter, group, session.assignee])

  useEffect(() => {
    setLoading(true)
    void load()
  }, [load])
  // Only task events change the list (an empty batch: a deployment or a poll, refetch).
  useLive(
    (events) => {
      if (events.length === 0 || events.some((event) => event.type.startsWith('UserTask'))) {
        void load()
      }
    },
    { delayMs: 250 },
  )

  const visible = useMemo(
    () =>
      sortTasks(
        tasks.filter((task) => !done.has(task.userTaskKey)),
        sort,
      ),
    [tasks, sort, done],
  )

  const onCompleted = (key: string): void => {
    setDone((previous) => new Set([...previous, key]))
    navigate(`/tasks${window.location.search}`)
    void load()
  }

  return (
    <div className="tasks">
      <section className="task-list" aria-label="Tasks">
        <div className="toolbar">
          <select
            aria-label="Filter"
            value={filter}
            onChange={(event) => setQuery({ filter: event.target.value })}
          >
            {filters.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {filter === 'group' && (
            <input
              aria-label="Candidate group"
              placeholder="group"
              defaultValue={group}
              onBlur={(event) => setQuery({ group: event.target.value })}
            />
          )}
          <select
            aria-label="Sort"
            value={sort}
            onChange={(event) => setQuery({ sort: event.target.value })}
          >
            {sorts.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <span className="count" data-testid="task-count">
            {loading ? '…' : `${visible.length} tasks`}
          </span>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <VirtualList
          items={visible}
          rowHeight={58}
          height="calc(100vh - 150px)"
          testId="task-rows"
          rowKey={(task) => task.userTaskKey}
          renderRow={(task) => (
            <a
              {...linkProps(`/tasks/${task.userTaskKey}${window.location.search}`)}
              className={task.userTaskKey === props.selected ? 'task-row selected' : 'task-row'}
              data-task-key={task.userTaskKey}
            >
              <strong>{task.name ?? task.elementId}</strong>
              <span className="muted">
                {task.processDefinitionId} · {task.assignee ? `@${task.assignee}` : 'unassigned'}
                {task.dueDate ? ` · due ${formatDate(task.dueDate)}` : ''}
                {task.priority !== 50 ? ` · priority ${task.priority}` : ''}
              </span>
            </a>
          )}
        />
        {!loading && visible.length === 0 && <p className="empty">No tasks here.</p>}
      </section>
      <section className="task-detail" aria-label="Task">
        {props.selected ? (
          <TaskDetail key={props.selected} taskKey={props.selected} onCompleted={onCompleted} />
        ) : (
          <p className="empty">Pick a task.</p>
        )}
      </section>
    </div>
  )
}

function TaskDetail(props: { taskKey: string; onCompleted: (key: string) => void }): ReactNode {
  const session = useSession()
  const [task, setTask] = useState<Task | null>(null)
  const [form, setForm] = useState<FormResponse | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      const [loaded, loadedForm] = await Promise.all([
        request<Task>(`/v2/user-tasks/${props.taskKey}`),
        taskForm(props.taskKey),
      ])
      setTask(loaded)
      setForm(loadedForm)
    } catch (failure) {
      setError(errorText(failure))
    }
  }, [props.taskKey])
  useEffect(() => void load(), [load])

  const act = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError('')
    try {
      await action()
      await load()
    } catch (failure) {
      setError(errorText(failure))
    } finally {
      setBusy(false)
    }
  }
  const data = useMemoData(form)
  const complete = async (variables: Variables): Promise<void> => {
    await completeTask(props.taskKey, variables)
    props.onCompleted(props.taskKey)
  }

  if (!task) {
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty">Loading…</p>
    )
  }
  const mine = task.assignee === session.assignee
  const open = task.state === 'CREATED'
  return (
    <div className="task">
      <h2>{task.name ?? task.elementId}</h2>
      <p className="muted">
        {task.processDefinitionId} ·{' '}
        {isOperator(session) ? (
          <a {...linkProps(`/instances/${task.processInstanceKey}`)}>
            instance {task.processInstanceKey}
          </a>
        ) : (
          `instance ${task.processInstanceKey}`
        )}{' '}
        · created {formatDate(task.creationDate)}
        {task.dueDate ? ` · due ${formatDate(task.dueDate)}` : ''}
        {task.followUpDate ? ` · follow up ${formatDate(task.followUpDate)}` : ''}
      </p>
      <p>
        <span data-testid="assignee">
          {task.assignee ? `Assigned to ${task.assignee}` : 'Unassigned'}
        </span>{' '}
        {open && !mine && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => claimTask(task.userTaskKey, session.assignee))}
          >
            Claim
          </button>
        )}
        {open && task.assignee !== undefined && (mine || isOperator(session)) && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => unclaimTask(task.userTaskKey))}
          >
            Unclaim
          </button>
        )}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!open && <p className="muted">This task is {task.state.toLowerCase()}.</p>}
      {open && !mine && <p className="muted">Claim the task to work on it.</p>}
      {open && mine && form?.schema && (
        <Suspense fallback={<p className="empty">Loading the form…</p>}>
          <FormView schema={form.schema} data={data} submitLabel="Complete" onSubmit={complete} />
        </Suspense>
      )}
      {open && mine && form && !form.schema && (
        <>
          {form.formId && (
            <p className="muted">
              The task links form {form.formId}, which is not deployed to Baton: complete it with
              variables.
            </p>
          )}
          <VariablesEditor submitLabel="Complete" onSubmit={complete} />
        </>
      )}
    </div>
  )
}

const emptyData: Variables = {}
function useMemoData(form: FormResponse | null): Variables {
  return useMemo(() => form?.variables ?? emptyData, [form])
}
