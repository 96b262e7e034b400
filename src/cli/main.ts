import { Command } from 'commander';
import { VERSION } from '../version.ts';
import { registerServerCommand } from './server-command.ts';
import { registerTrackingCommands } from './tracking-commands.ts';
import { registerRegistryCommands } from './registry-commands.ts';
import { registerServingCommands } from './serving-commands.ts';
import { registerLabelsCommands } from './labels-commands.ts';
import { registerMonitoringCommands } from './monitoring-commands.ts';
import { registerPredictCommands } from './predict-commands.ts';
import { registerQuickstartCommand } from './quickstart-command.ts';
import { cliErrorMessage } from './output.ts';

const program = new Command();
program.name('pharos').description('Pharos: MLOps from notebook to production').version(VERSION);
registerServerCommand(program);
registerTrackingCommands(program);
registerRegistryCommands(program);
registerServingCommands(program);
registerLabelsCommands(program);
registerMonitoringCommands(program);
// Last: `deploy export` joins the `deploy` command if the serving commands made one.
registerPredictCommands(program);
registerQuickstartCommand(program);

program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`error: ${cliErrorMessage(e)}\n`);
  process.exit(1);
});
