/** The `baton` command. */
import { Command } from 'commander'
import { runDemo } from './demo.ts'
import { validateCommand } from './validate.ts'

const program = new Command()
program
  .name('baton')
  .description('Baton: BPMN process orchestration, embedded or as a server')
  .version('0.1.0')

program
  .command('start')
  .description('open the embedded engine, deploy the examples and run them end to end')
  .option('--db <path>', 'SQLite file, or :memory:', './.baton/baton.db')
  .action(async (options: { db: string }) => {
    await runDemo({ db: options.db })
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
