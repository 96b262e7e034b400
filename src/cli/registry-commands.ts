import type { Command } from 'commander';
import { RegistryClient, type ModelVersionInfo } from '../client/index.ts';
import { output, printJson, serverUrl } from './output.ts';

const versionRow = (v: ModelVersionInfo) => ({
  version: v.version,
  stage: v.current_stage,
  aliases: v.aliases.join(','),
  status: v.status,
  run_id: v.run_id ?? '',
  source: v.source,
  created: new Date(v.creation_timestamp).toISOString(),
});

function parseVersionArg(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`version must be a positive integer, got '${s}'`);
  return Number(s);
}

/** `pharos models ...`: the registry through the TypeScript client (so the CLI sees exactly what the API serves). */
export function registerRegistryCommands(program: Command): void {
  const models = program.command('models').description('Registered models: list, inspect, alias and promote versions');
  const common = (c: Command) => c.option('--url <url>', 'Pharos server URL (default $PHAROS_URL, $MLFLOW_TRACKING_URI, http://127.0.0.1:5000)').option('--json', 'print JSON');
  const client = (opts: { url?: string }) => new RegistryClient(serverUrl(opts));

  common(
    models
      .command('list')
      .description('List registered models')
      .option('--filter <filter>', "MLflow filter, e.g. \"name LIKE 'iris%'\"")
      .option('--max-results <n>', 'page size', '100')
      .option('--page-token <token>', 'continue a previous listing'),
  ).action(async (opts) => {
    const page = await client(opts).listModels({ filter: opts.filter, maxResults: Number(opts.maxResults), pageToken: opts.pageToken });
    output(
      opts,
      page,
      page.models.map((m) => ({
        name: m.name,
        latest: m.latest_versions.map((v) => `${v.version}:${v.current_stage}`).join(' '),
        aliases: Object.entries(m.aliases).map(([a, v]) => `${a}=${v}`).join(' '),
        updated: new Date(m.last_updated_timestamp).toISOString(),
        description: m.description ?? '',
      })),
    );
    if (!opts.json && page.next_page_token) process.stdout.write(`next page: --page-token ${page.next_page_token}\n`);
  });

  common(models.command('get <name>').description('Show a registered model')).action(async (name: string, opts) => {
    const m = await client(opts).getModel(name);
    if (opts.json) return printJson(m);
    output(opts, m, [
      { field: 'name', value: m.name },
      { field: 'description', value: m.description ?? '' },
      { field: 'created', value: new Date(m.creation_timestamp).toISOString() },
      { field: 'updated', value: new Date(m.last_updated_timestamp).toISOString() },
      { field: 'tags', value: Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join(' ') },
      { field: 'aliases', value: Object.entries(m.aliases).map(([a, v]) => `${a}=${v}`).join(' ') },
      { field: 'latest', value: m.latest_versions.map((v) => `${v.version}:${v.current_stage}`).join(' ') },
    ]);
  });

  common(models.command('versions <name>').description('List the versions of a model, newest first')).action(async (name: string, opts) => {
    const versions = await client(opts).listVersions(name);
    output(opts, versions, versions.map(versionRow));
  });

  common(models.command('set-alias <name> <alias> <version>').description('Point an alias (e.g. champion) at a version')).action(
    async (name: string, alias: string, version: string, opts) => {
      const v = await client(opts).setAlias(name, alias, parseVersionArg(version));
      output(opts, v, [versionRow(v)]);
    },
  );

  common(models.command('delete-alias <name> <alias>').description('Remove an alias')).action(async (name: string, alias: string, opts) => {
    await client(opts).deleteAlias(name, alias);
    if (opts.json) printJson({ deleted: { name, alias } });
    else process.stdout.write(`alias '${alias}' removed from '${name}'\n`);
  });

  common(
    models
      .command('transition <name> <version> <stage>')
      .description('Move a version to None, Staging, Production or Archived')
      .option('--archive-existing', 'archive the versions currently in that stage', false),
  ).action(async (name: string, version: string, stage: string, opts) => {
    const v = await client(opts).transitionStage(name, parseVersionArg(version), stage, Boolean(opts.archiveExisting));
    output(opts, v, [versionRow(v)]);
  });
}
