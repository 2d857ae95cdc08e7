import { Command, CommanderError } from 'commander';
import { TributaryError } from '../errors.ts';
import { stackCommand } from './commands/stackCommand.ts';
import { schemasCommand } from './commands/schemasCommand.ts';
import { describeCommand } from './commands/describeCommand.ts';
import { demoCommand } from './commands/demoCommand.ts';
import { runCommand } from './commands/runCommand.ts';
import { dlqCommand } from './commands/dlqCommand.ts';
import { lagCommand } from './commands/lagCommand.ts';
import { replayCommand } from './commands/replayCommand.ts';

const program = new Command('tributary')
  .description('Kafka Streams-style stream processing for TypeScript')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(stackCommand());
program.addCommand(schemasCommand());
program.addCommand(describeCommand());
program.addCommand(demoCommand());
program.addCommand(runCommand());
program.addCommand(dlqCommand());
program.addCommand(lagCommand());
program.addCommand(replayCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  const message = error instanceof TributaryError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message.split('\n')[0]}\n`);
  return 1;
}
