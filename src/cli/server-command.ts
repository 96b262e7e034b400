import type { Command } from 'commander';
import { createPharos } from '../app.ts';
import { buildServer } from '../server/index.ts';

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('Run the Pharos server (tracking, registry, serving, monitoring) with an embedded store by default')
    .option('-h, --host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port (0 picks a free one)', '5000')
    .option('--data-dir <dir>', 'folder for the embedded SQLite database and artifacts', process.env.PHAROS_DATA_DIR ?? 'pharos-data')
    .option('--backend-store-uri <uri>', 'store URI: postgresql://... or a SQLite file (default <data-dir>/pharos.db)', process.env.PHAROS_STORE_URI)
    .option('--artifacts-destination <dir>', 'artifact folder (default <data-dir>/artifacts)')
    .option('--log-level <level>', 'pino log level', 'warn')
    .action(async (opts) => {
      const pharos = await createPharos({ dataDir: opts.dataDir, storeUri: opts.backendStoreUri, artifactRoot: opts.artifactsDestination });
      const app = await buildServer(pharos, { logger: { level: opts.logLevel } });
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port '${opts.port}'`);
      const address = await app.listen({ host: opts.host, port });
      process.stdout.write(`Pharos server listening on ${address}\n`);
      const shutdown = async () => {
        await app.close();
        await pharos.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
