/** The `baton` command. */
import { Command } from 'commander'
import { isRole, openFileTokenStore, tokenFilePath } from '../server/index.ts'
import { runDemo } from './demo.ts'
import { startServer } from './server-command.ts'
import { validateCommand } from './validate.ts'

const program = new Command()
program
  .name('baton')
  .description('Baton: BPMN process orchestration, embedded or as a server')
  .version('0.1.0')

program
  .command('start')
  .description('run the Baton server (REST API) on the embedded SQLite store, with the examples')
  .option(
    '--db <url>',
    'sqlite:PATH, a file path, :memory:, or postgres://...',
    process.env['BATON_DB'] ?? './.baton/baton.db',
  )
  .option('--port <port>', 'port to listen on', process.env['BATON_PORT'] ?? '8080')
  .option('--host <host>', 'address to listen on', process.env['BATON_HOST'] ?? '127.0.0.1')
  .option(
    '--data-dir <dir>',
    'where API tokens are kept',
    process.env['BATON_DATA_DIR'] ?? './.baton',
  )
  .option('--no-auth', 'no API tokens (local development only)')
  .option('--no-examples', 'do not deploy the example processes and their demo workers')
  .action(
    async (options: {
      db: string
      port: string
      host: string
      dataDir: string
      auth: boolean
      examples: boolean
    }) => {
      const port = Number(options.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`--port must be a whole number from 0 to 65535, got '${options.port}'`)
      }
      const stop = await startServer({
        db: options.db,
        port,
        host: options.host,
        auth: options.auth,
        examples: options.examples,
        dataDir: options.dataDir,
      })
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          void stop().then(() => process.exit(0))
        })
      }
    },
  )

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

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
