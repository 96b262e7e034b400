import type { Command } from 'commander';
import { TrackingClient, type RunInfo } from '../client/index.ts';
import { output, printJson, printTable, serverUrl } from './output.ts';

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

function duration(r: RunInfo): string {
  if (!r.start_time || !r.end_time) return '';
  const s = (r.end_time - r.start_time) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${(s / 60).toFixed(1)}m` : `${(s / 3600).toFixed(1)}h`;
}

const runRow = (r: RunInfo, metricCols: string[]) => ({
  run_id: r.run_id,
  name: r.run_name,
  status: r.status,
  started: iso(r.start_time),
  duration: duration(r),
  ...Object.fromEntries(metricCols.map((k) => [k, r.metrics[k] === undefined ? '' : r.metrics[k] === null ? 'NaN' : r.metrics[k]])),
});

/** The metric keys shown as columns: the ones named in the filter/order-by first, then the most common, at most 4. */
function metricColumns(runs: RunInfo[], hints: string[]): string[] {
  const mentioned = hints.flatMap((h) => [...h.matchAll(/metrics\.(?:`([^`]+)`|"([^"]+)"|([\w.\-/:]+))/g)].map((m) => m[1] ?? m[2] ?? m[3]));
  const counts = new Map<string, number>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  return [...new Set([...mentioned.filter((k) => counts.has(k)), ...common])].slice(0, 4);
}

function positiveInt(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new Error(`expected a positive integer, got '${s}'`);
  return Number(s);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `pharos experiments ...` and `pharos runs ...`: tracking through the TypeScript client, so the CLI sees exactly what the API serves. */
export function registerTrackingCommands(program: Command): void {
  const common = (c: Command) => c.option('--url <url>', 'Pharos server URL (default $PHAROS_URL, $MLFLOW_TRACKING_URI, http://127.0.0.1:5000)').option('--json', 'print JSON');
  const client = (opts: { url?: string }) => new TrackingClient(serverUrl(opts));

  const experiments = program.command('experiments').description('Experiments: list, create, delete, restore');

  common(
    experiments
      .command('list')
      .description('List experiments')
      .option('--filter <filter>', "MLflow filter, e.g. \"name LIKE 'iris%'\"")
      .option('--all', 'include deleted experiments')
      .option('--max-results <n>', 'page size', '100')
      .option('--page-token <token>', 'continue a previous listing'),
  ).action(async (opts) => {
    const page = await client(opts).listExperiments({
      filter: opts.filter,
      viewType: opts.all ? 'ALL' : 'ACTIVE_ONLY',
      maxResults: positiveInt(opts.maxResults),
      pageToken: opts.pageToken,
    });
    output(
      opts,
      { experiments: page.items, next_page_token: page.nextPageToken },
      page.items.map((e) => ({ id: e.experiment_id, name: e.name, stage: e.lifecycle_stage, created: iso(e.creation_time), artifact_location: e.artifact_location })),
    );
    if (!opts.json && page.nextPageToken) process.stdout.write(`more: --page-token ${page.nextPageToken}\n`);
  });

  common(
    experiments
      .command('create <name>')
      .description('Create an experiment')
      .option('--artifact-location <uri>', 'where its runs store artifacts (default: the server\'s proxied store)')
      .option('--tag <key=value>', 'experiment tag (repeatable)', collect),
  ).action(async (name: string, opts) => {
    const tags = Object.fromEntries(
      ((opts.tag as string[] | undefined) ?? []).map((t) => {
        const at = t.indexOf('=');
        if (at < 1) throw new Error(`--tag must be key=value, got '${t}'`);
        return [t.slice(0, at), t.slice(at + 1)];
      }),
    );
    const exp = await client(opts).createExperiment(name, { artifactLocation: opts.artifactLocation, tags });
    if (opts.json) printJson(exp);
    else process.stdout.write(`created experiment ${exp.experiment_id} '${exp.name}' (${exp.artifact_location})\n`);
  });

  common(experiments.command('delete <name-or-id>').description('Delete an experiment (its runs are marked deleted; restorable)')).action(async (nameOrId: string, opts) => {
    const c = client(opts);
    const exp = await c.findExperiment(nameOrId);
    await c.deleteExperiment(exp.experiment_id);
    if (opts.json) printJson({ deleted: exp.experiment_id });
    else process.stdout.write(`deleted experiment ${exp.experiment_id} '${exp.name}'\n`);
  });

  common(experiments.command('restore <name-or-id>').description('Restore a deleted experiment and its runs')).action(async (nameOrId: string, opts) => {
    const c = client(opts);
    const exp = await c.restoreExperiment((await c.findExperiment(nameOrId)).experiment_id);
    if (opts.json) printJson(exp);
    else process.stdout.write(`restored experiment ${exp.experiment_id} '${exp.name}'\n`);
  });

  const runs = program.command('runs').description('Runs: list, search, inspect');

  const searchAction = async (opts: any) => {
    const c = client(opts);
    const experimentIds: string[] = [];
    for (const e of (opts.experiment as string[] | undefined) ?? ['0']) experimentIds.push((await c.findExperiment(e)).experiment_id);
    const page = await c.searchRuns({
      experimentIds,
      filter: opts.filter,
      orderBy: opts.orderBy,
      maxResults: positiveInt(opts.maxResults),
      pageToken: opts.pageToken,
      viewType: opts.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
    });
    const cols = metricColumns(page.items, [opts.filter ?? '', ...((opts.orderBy as string[] | undefined) ?? [])]);
    output(opts, { runs: page.items, next_page_token: page.nextPageToken }, page.items.map((r) => runRow(r, cols)), ['run_id', 'name', 'status', 'started', 'duration', ...cols]);
    if (!opts.json && page.nextPageToken) process.stdout.write(`more: --page-token ${page.nextPageToken}\n`);
  };
  const searchOptions = (c: Command) =>
    common(
      c
        .option('-e, --experiment <name-or-id>', 'experiment (repeatable; default the Default experiment)', collect)
        .option('--order-by <clause>', "e.g. 'metrics.acc DESC' (repeatable)", collect)
        .option('--max-results <n>', 'page size', '100')
        .option('--page-token <token>', 'continue a previous listing')
        .option('--deleted', 'show deleted runs instead of active ones'),
    );

  searchOptions(runs.command('list').description('List the runs of an experiment, newest first')).action(searchAction);
  searchOptions(
    runs
      .command('search')
      .description('Search runs with an MLflow filter')
      .option('--filter <filter>', "e.g. \"metrics.acc > 0.9 and params.model = 'rf'\""),
  ).action(searchAction);

  common(runs.command('get <run-id>').description('Show one run: info, params, latest metrics, tags')).action(async (runId: string, opts) => {
    const run = await client(opts).getRun(runId);
    if (opts.json) return printJson(run);
    const w = (s: string) => process.stdout.write(s);
    w(`run ${run.run_id}  '${run.run_name}'  ${run.status}  (${run.lifecycle_stage})\n`);
    w(`experiment ${run.experiment_id}  user ${run.user_id || '-'}  started ${iso(run.start_time)}  ended ${iso(run.end_time)}\n`);
    w(`artifacts ${run.artifact_uri}\n`);
    const section = (title: string, rows: Array<Record<string, unknown>>, cols: string[]) => {
      w(`\n${title}\n`);
      printTable(rows, cols);
    };
    section('params', Object.entries(run.params).map(([key, value]) => ({ key, value })), ['key', 'value']);
    section('metrics (latest)', Object.entries(run.metrics).map(([key, value]) => ({ key, value: value ?? 'NaN' })), ['key', 'value']);
    section('tags', Object.entries(run.tags).map(([key, value]) => ({ key, value })), ['key', 'value']);
    if (run.datasets.length) section('datasets', run.datasets.map((d) => ({ ...d })), ['name', 'digest', 'context']);
  });
}
