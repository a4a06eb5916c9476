/** The `baton` command. */
import { Command, Option } from 'commander'
import { isRole, openFileTokenStore, tokenFilePath } from '../server/index.ts'
import { deployCommand } from './deploy-command.ts'
import { runDemo } from './demo.ts'
import { incidentsCommand, instancesCommand, tasksCommand } from './list-commands.ts'
import { ProgressBar } from './progress-bar.ts'
import type { RemoteOptions } from './remote.ts'
import { CliError, DEFAULT_URL } from './remote.ts'
import { runModel } from './run-command.ts'
import { startServer } from './server-command.ts'
import { DEFAULT_CONFIG_FILE, defaultOf, readConfigFile, resolveStartSettings } from './config.ts'
import { validateCommand } from './validate.ts'

const program = new Command()
program
  .name('baton')
  .description('Baton: BPMN process orchestration, embedded or as a server')
  .version('0.1.0')

program
  .command('start')
  .description(
    'run the Baton server (REST API) on the embedded SQLite store, with the examples; each setting comes from its flag, else its BATON_* variable, else the config file, else its default',
  )
  .option(
    '--db <url>',
    `sqlite:PATH, a file path, :memory:, or postgres://... [BATON_DB] (default: ${defaultOf('db')})`,
  )
  .option('--port <port>', `port to listen on [BATON_PORT] (default: ${defaultOf('port')})`)
  .option('--host <host>', `address to listen on [BATON_HOST] (default: ${defaultOf('host')})`)
  .option(
    '--data-dir <dir>',
    `where API tokens are kept [BATON_DATA_DIR] (default: ${defaultOf('dataDir')})`,
  )
  .option('--no-auth', 'no API tokens, local development only [BATON_AUTH=false]')
  .option(
    '--no-examples',
    'do not deploy the example processes and their demo workers [BATON_EXAMPLES=false]',
  )
  .option(
    '--config <file>',
    `a JSON file of settings (db, port, host, dataDir, auth, examples) [BATON_CONFIG] (default: ${DEFAULT_CONFIG_FILE} if it exists)`,
  )
  .option(
    '--schema <name>',
    `PostgreSQL: the schema holding the tables, the same for every node of a cluster [BATON_PG_SCHEMA] (default: ${defaultOf('schema')})`,
  )
  .option(
    '--lease-ms <ms>',
    `PostgreSQL: how long a node's job leases and timer claims outlive it; other nodes take a dead node's work over after about this long [BATON_LEASE_MS] (default: ${defaultOf('leaseMs')})`,
  )
  .option(
    '--retention-days <days>',
    'delete the data of instances that ended more than this many days ago, hourly, in batches [BATON_RETENTION_DAYS] (default: keep all)',
  )
  .action(
    async (
      options: {
        db?: string
        port?: string
        host?: string
        dataDir?: string
        auth: boolean
        examples: boolean
        config?: string
        schema?: string
        leaseMs?: string
        retentionDays?: string
      },
      command: Command,
    ) => {
      const given = (name: string): boolean => command.getOptionValueSource(name) === 'cli'
      const flags = {
        ...(options.db === undefined ? {} : { db: options.db }),
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        ...(given('auth') ? { auth: options.auth } : {}),
        ...(given('examples') ? { examples: options.examples } : {}),
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
        ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
      }
      const file = readConfigFile(options.config ?? emptyToUndefined(process.env['BATON_CONFIG']))
      const { settings } = resolveStartSettings(flags, process.env, file)
      const stop = await startServer(settings)
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          void stop().then(() => process.exit(0))
        })
      }
    },
  )

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

program
  .command('demo')
  .description('run the example processes end to end on a SQLite file and print what happened')
  .option('--db <path>', 'SQLite file, or :memory:', './.baton/demo.db')
  .action(async (options: { db: string }) => {
    await runDemo({ db: options.db })
  })

const token = program
  .command('token')
  .description('manage API tokens (stored hashed under --data-dir)')
token
  .command('create')
  .argument('<role>', 'admin | operator | worker | task-user')
  .option('--user <user>', 'the user a task-user token acts as')
  .option('--groups <groups>', 'comma-separated candidate groups of a task-user')
  .option('--label <label>', 'a note for whoever lists tokens later')
  .option(
    '--data-dir <dir>',
    'where API tokens are kept',
    process.env['BATON_DATA_DIR'] ?? './.baton',
  )
  .action(
    async (
      role: string,
      options: { user?: string; groups?: string; label?: string; dataDir: string },
    ) => {
      if (!isRole(role))
        throw new Error(`unknown role '${role}'; use admin, operator, worker or task-user`)
      const tokens = await openFileTokenStore(tokenFilePath(options.dataDir))
      const created = await tokens.create(role, {
        ...(options.user === undefined ? {} : { user: options.user }),
        ...(options.groups === undefined
          ? {}
          : {
              groups: options.groups
                .split(',')
                .map((g) => g.trim())
                .filter(Boolean),
            }),
        ...(options.label === undefined ? {} : { label: options.label }),
      })
      console.log(created)
    },
  )
token
  .command('list')
  .option(
    '--data-dir <dir>',
    'where API tokens are kept',
    process.env['BATON_DATA_DIR'] ?? './.baton',
  )
  .action(async (options: { dataDir: string }) => {
    const tokens = await openFileTokenStore(tokenFilePath(options.dataDir))
    for (const grant of await tokens.list()) {
      console.log(
        `${grant.id}  ${grant.role}${grant.user ? ` user=${grant.user}` : ''}${grant.groups.length ? ` groups=${grant.groups.join(',')}` : ''}  ${grant.createdAt}${grant.label ? `  ${grant.label}` : ''}`,
      )
    }
  })
token
  .command('revoke')
  .argument('<id>')
  .option(
    '--data-dir <dir>',
    'where API tokens are kept',
    process.env['BATON_DATA_DIR'] ?? './.baton',
  )
  .action(async (id: string, options: { dataDir: string }) => {
    const tokens = await openFileTokenStore(tokenFilePath(options.dataDir))
    if (!(await tokens.revoke(id))) throw new Error(`no token with id '${id}'`)
    console.log(`revoked ${id}`)
  })

program
  .command('validate')
  .description('check BPMN files without deploying them; exit code 1 if any is invalid')
  .argument('<files...>', 'BPMN files')
  .action(async (files: string[]) => {
    process.exitCode = await validateCommand(files)
  })

// ---------------------------------------------------------------------------------------------
// Commands that talk to a running server

interface RemoteFlags {
  readonly url: string
  readonly token?: string
  readonly json: boolean
  readonly limit?: string
}

/** Adds --url, --token and --json. The token has no shown default: help must not print it. */
function remote(command: Command): Command {
  return command
    .option('--url <url>', 'the server (env BATON_URL)', process.env['BATON_URL'] ?? DEFAULT_URL)
    .option('--token <token>', 'an API token (default: env BATON_TOKEN)')
    .option('--json', 'print one JSON document instead of a table', false)
}

function remoteOptions(flags: RemoteFlags): RemoteOptions & { json: boolean } {
  const token = flags.token ?? process.env['BATON_TOKEN']
  return { url: flags.url, json: flags.json, ...(token ? { token } : {}) }
}

function limitOf(flags: RemoteFlags): number {
  const limit = Number(flags.limit ?? '100')
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliError(`--limit must be a whole number of at least 1, got '${flags.limit}'`)
  return limit
}

const limitOption = (): Option => new Option('--limit <n>', 'show at most this many').default('100')

remote(
  program
    .command('deploy')
    .description(
      'deploy BPMN and DMN files (folders: every *.bpmn and *.dmn inside, recursively) to a running server; exit code 1 if any is rejected',
    )
    .argument('<paths...>', 'files or folders'),
).action(async (paths: string[], flags: RemoteFlags) => {
  const options = remoteOptions(flags)
  process.exitCode = await deployCommand(paths, {
    ...options,
    progress: new ProgressBar(process.stdout),
  })
})

remote(
  program
    .command('instances')
    .description('list process instances on a running server')
    .addOption(
      new Option('--state <state>', 'only these').choices(['active', 'completed', 'terminated']),
    )
    .option('--process <id>', 'only instances of this BPMN process id')
    .addOption(limitOption()),
).action(
  async (
    flags: RemoteFlags & { state?: 'active' | 'completed' | 'terminated'; process?: string },
  ) => {
    await instancesCommand({
      ...remoteOptions(flags),
      limit: limitOf(flags),
      ...(flags.state === undefined ? {} : { state: flags.state }),
      ...(flags.process === undefined ? {} : { process: flags.process }),
    })
  },
)

remote(
  program
    .command('tasks')
    .description('list user tasks on a running server')
    .option('--assignee <user>', 'only tasks assigned to this user')
    .option('--group <group>', 'only tasks for this candidate group')
    .addOption(
      new Option('--state <state>', 'only these').choices(['created', 'completed', 'canceled']),
    )
    .addOption(limitOption()),
).action(
  async (
    flags: RemoteFlags & {
      assignee?: string
      group?: string
      state?: 'created' | 'completed' | 'canceled'
    },
  ) => {
    await tasksCommand({
      ...remoteOptions(flags),
      limit: limitOf(flags),
      ...(flags.assignee === undefined ? {} : { assignee: flags.assignee }),
      ...(flags.group === undefined ? {} : { group: flags.group }),
      ...(flags.state === undefined ? {} : { state: flags.state }),
    })
  },
)

remote(
  program
    .command('incidents')
    .description('list incidents on a running server (open ones unless --state)')
    .addOption(
      new Option('--state <state>', 'which incidents')
        .choices(['active', 'resolved', 'all'])
        .default('active'),
    )
    .option('--process <id>', 'only incidents of this BPMN process id')
    .addOption(limitOption()),
).action(
  async (flags: RemoteFlags & { state: 'active' | 'resolved' | 'all'; process?: string }) => {
    await incidentsCommand({
      ...remoteOptions(flags),
      limit: limitOf(flags),
      ...(flags.state === 'all' ? {} : { state: flags.state }),
      ...(flags.process === undefined ? {} : { process: flags.process }),
    })
  },
)

// ---------------------------------------------------------------------------------------------
// Running a model without a server

program
  .command('run')
  .description(
    'run a process on an in-memory engine and print what happened: jobs and user tasks are completed at once with no variables (an auto worker); exit code 2 if it gets stuck',
  )
  .argument('<model>', 'a BPMN file')
  .option('--vars <json>', 'the start variables, a JSON object')
  .option('--process <id>', 'which process of the file (default: the first)')
  .option('--json', "print the engine's events as JSON lines", false)
  .action(async (model: string, flags: { vars?: string; process?: string; json: boolean }) => {
    const outcome = await runModel(model, {
      json: flags.json,
      ...(flags.vars === undefined ? {} : { vars: flags.vars }),
      ...(flags.process === undefined ? {} : { process: flags.process }),
    })
    if (outcome === 'stuck') process.exitCode = 2
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = error instanceof CliError ? error.exitCode : 1
})
