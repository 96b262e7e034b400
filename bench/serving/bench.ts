/**
 * Serving benchmark driver (bench/serving/run.sh prepares the model and calls this).
 *
 * The same scikit-learn RandomForest (100 trees, 20 features) behind `mlflow models serve` (pyfunc) and Pharos
 * (ONNX), next to two floors: a bare Node HTTP server that only echoes, and onnxruntime called in a loop with no
 * HTTP at all. Each HTTP system gets the same one-row request from wrk (or autocannon) at each connection count.
 * `pharos-cluster` is Pharos with `--processes auto`: one process a core, each running the model in its own loop.
 * `pharos-nobatch` is Pharos with the same flags plus `--max-batch-size 1`: the gain of dynamic batching.
 * Besides req/s and latency, each HTTP cell records the server's CPU time a request (its whole process group,
 * from /proc): on a shared 2-core machine req/s move with whatever else runs, CPU a request much less.
 *
 *   node --import tsx bench/serving/bench.ts --model-dir DIR --python PY [--duration 5] [--connections 1,8,32,128]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';

const repoRoot = resolve(import.meta.dirname, '..', '..');

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    python: { type: 'string' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,8,32,128' },
    systems: { type: 'string', default: 'mlflow,pharos,pharos-cluster,pharos-nobatch,bare-http,onnxruntime' },
    out: { type: 'string' },
    'pharos-main': { type: 'string', default: join(repoRoot, 'bin/pharos.js') },
    /** Extra `pharos serve` flags, e.g. "--workers 1 --max-wait-ms 0", to explore its settings. */
    'pharos-args': { type: 'string', default: '' },
    /**
     * The load generator: wrk (C; about 3 us of CPU a request, so the server under test keeps most of this
     * machine's two cores) or autocannon (Node, in this process; about as much CPU a request as the echo server).
     */
    load: { type: 'string', default: 'wrk' },
  },
});
if (!args['model-dir'] || !args.python) throw new Error('--model-dir and --python are required (run bench/serving/run.sh)');
const modelDir = resolve(args['model-dir']);
const python = args.python;
const duration = Number(args.duration);
const connectionCounts = args.connections!.split(',').map(Number);
const wanted = new Set(args.systems!.split(','));
const pharosExtraArgs = args['pharos-args']!.split(' ').filter(Boolean);
const loadTool = args.load!;
if (loadTool !== 'wrk' && loadTool !== 'autocannon') throw new Error(`--load must be wrk or autocannon, got '${loadTool}'`);
const sample = JSON.parse(readFileSync(join(modelDir, 'sample.json'), 'utf8')) as { columns: string[]; row: number[]; onnx_input: string };

interface Cell {
  system: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU (user + system, all its processes and threads) a request, in microseconds. */
  cpuUs?: number;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}: not up after ${timeoutMs} ms\n${log()}`);
}

interface RunningSystem {
  url: string;
  body: string;
  /** CPU seconds used so far by the server's processes. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** CPU seconds (user + system) of every live process in a process group, from /proc (Linux). */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after "pid (comm)": state ppid pgrp ... utime (14th field) stime (15th).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100; // USER_HZ
}

function startProcess(cmd: string, argv: string[], env: Record<string, string> = {}): { child: ChildProcess; log: () => string } {
  // Its own process group, so stopping it also stops what it forks (uvicorn workers).
  const child = spawn(cmd, argv, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, log: () => out };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid!, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

const dataframeBody = JSON.stringify({ dataframe_split: { columns: sample.columns, data: [sample.row] } });

async function startMlflow(): Promise<RunningSystem> {
  const port = await freePort();
  const bin = dirname(python);
  // --env-manager local: the venv already has the model's dependencies, and nothing is downloaded.
  const { child, log } = startProcess(join(bin, 'mlflow'), ['models', 'serve', '-m', join(modelDir, 'mlflow-model'), '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port)], {
    PATH: `${bin}:${process.env.PATH}`,
    GIT_PYTHON_REFRESH: 'quiet',
  });
  await waitFor(`http://127.0.0.1:${port}/ping`, child, log);
  return { url: `http://127.0.0.1:${port}/invocations`, body: dataframeBody, cpuSeconds: () => groupCpuSeconds(child.pid!), stop: () => stopProcess(child) };
}

async function startBareHttp(): Promise<RunningSystem> {
  const { child, log } = startProcess(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/serving/echo-server.ts')]);
  const url = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', () => {
      const m = /listening on (\S+)/.exec(log());
      if (m) res(m[1]);
    });
    child.once('exit', (code) => rej(new Error(`echo server exited with ${code}: ${log()}`)));
  });
  return { url, body: dataframeBody, cpuSeconds: () => groupCpuSeconds(child.pid!), stop: () => stopProcess(child) };
}

async function startPharos(extra: string[] = []): Promise<RunningSystem> {
  const port = await freePort();
  const { child, log } = startProcess(process.execPath, [resolve(args['pharos-main']!), 'serve', join(modelDir, 'model.onnx'), '--name', 'bench', '--host', '127.0.0.1', '--port', String(port), ...pharosExtraArgs, ...extra]);
  await waitFor(`http://127.0.0.1:${port}/v2/health/ready`, child, log);
  return { url: `http://127.0.0.1:${port}/invocations`, body: dataframeBody, cpuSeconds: () => groupCpuSeconds(child.pid!), stop: () => stopProcess(child) };
}

interface LoadResult {
  rps: number;
  total: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  errors: number;
}

async function autocannonLoad(url: string, body: string, connections: number, seconds: number): Promise<LoadResult> {
  const r = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds });
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** wrk's latency as milliseconds ("355.00us", "1.20ms", "2.01s"). */
function wrkMs(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m) throw new Error(`wrk output has no ${label}% latency:\n${text}`);
  return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
}

const wrkDir = mkdtempSync(join(tmpdir(), 'pharos-bench-wrk-'));
async function wrkLoad(url: string, body: string, connections: number, seconds: number): Promise<LoadResult> {
  const script = join(wrkDir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  // One wrk thread: it drives all connections from one event loop, and takes at most one core.
  const text = await new Promise<string>((res, rej) =>
    execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? rej(new Error(`wrk failed: ${err.message}\n${stderr}`)) : res(stdout))),
  );
  const total = Number(/^\s*(\d+) requests in ([\d.]+)s/m.exec(text)?.[1] ?? NaN);
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(text)?.[1] ?? NaN);
  if (!Number.isFinite(total) || !Number.isFinite(rps)) throw new Error(`unexpected wrk output:\n${text}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps, total, p50: wrkMs(text, '50'), p99: wrkMs(text, '99'), errors: non2xx + socketErrors };
}

const load = loadTool === 'wrk' ? wrkLoad : autocannonLoad;

async function loadHttp(system: string, running: RunningSystem): Promise<Cell[]> {
  // One response checked by hand: a benchmark of error pages would be worthless.
  const check = await fetch(running.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: running.body });
  if (!check.ok) throw new Error(`${system}: ${check.status} ${await check.text()}`);
  process.stderr.write(`  ${system} answers: ${(await check.text()).slice(0, 160)}\n`);
  await load(running.url, running.body, 8, 1); // warm-up (JIT, lazy imports, every cluster process), not measured
  const cells: Cell[] = [];
  for (const connections of connectionCounts) {
    const cpu0 = running.cpuSeconds();
    const r = await load(running.url, running.body, connections, duration);
    const cpuUs = ((running.cpuSeconds() - cpu0) * 1e6) / Math.max(1, r.total);
    const cell = { system, connections, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, cpuUs };
    process.stderr.write(`  ${system} c=${connections}: ${cell.rps.toFixed(0)} req/s, p50 ${cell.p50.toFixed(2)} ms, p99 ${cell.p99.toFixed(2)} ms, server CPU ${cpuUs.toFixed(0)} us/req${cell.errors ? `, ${cell.errors} errors` : ''}\n`);
    cells.push(cell);
  }
  return cells;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** onnxruntime with no HTTP: `connections` concurrent callers, each running one-row inferences back to back. */
async function loadOnnxruntime(): Promise<Cell[]> {
  const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), { graphOptimizationLevel: 'all' });
  // Only tensor outputs: onnxruntime-node cannot return skl2onnx's ZipMap (a sequence of maps).
  const fetches = session.outputNames.filter((n) => n !== 'output_probability');
  const feeds = { [sample.onnx_input]: new ort.Tensor('float32', Float32Array.from(sample.row), [1, sample.row.length]) };
  const cells: Cell[] = [];
  for (const connections of connectionCounts) {
    const latencies: number[] = [];
    const end = performance.now() + duration * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          await session.run(feeds, fetches);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const sorted = Float64Array.from(latencies).sort();
    const cell = { system: 'onnxruntime', connections, rps: latencies.length / duration, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: 0 };
    process.stderr.write(`  onnxruntime c=${connections}: ${cell.rps.toFixed(0)} calls/s, p50 ${cell.p50.toFixed(3)} ms, p99 ${cell.p99.toFixed(3)} ms\n`);
    cells.push(cell);
  }
  await session.release();
  return cells;
}

const starters: Record<string, () => Promise<RunningSystem>> = {
  mlflow: startMlflow,
  pharos: () => startPharos(),
  // Dynamic batching off: every request is its own onnxruntime run.
  'pharos-nobatch': () => startPharos(['--max-batch-size', '1']),
  // One process a core, each running the model in its event loop (what --processes auto implies).
  'pharos-cluster': () => startPharos(['--processes', 'auto']),
  'bare-http': startBareHttp,
};
const results: Cell[] = [];
for (const system of ['mlflow', 'pharos', 'pharos-cluster', 'pharos-nobatch', 'bare-http', 'onnxruntime']) {
  if (!wanted.has(system)) continue;
  process.stderr.write(`== ${system}\n`);
  if (system === 'onnxruntime') {
    results.push(...(await loadOnnxruntime()));
    continue;
  }
  const running = await starters[system]();
  try {
    results.push(...(await loadHttp(system, running)));
  } finally {
    await running.stop();
  }
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const cellOf = (system: string, c: number) => results.find((r) => r.system === system && r.connections === c);
const systems = [...new Set(results.map((r) => r.system))];
const lines: string[] = [];
lines.push(`Serving benchmark: RandomForest 100 trees x 20 features, one-row requests, ${duration} s a cell, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
lines.push(`pharos serve flags: ${pharosExtraArgs.join(' ') || '(defaults)'}; pharos-cluster adds --processes auto (${Math.min(8, cpus().length)} here); load: ${loadTool === 'wrk' ? 'wrk -t1 (one thread)' : 'autocannon in the driver process'}, same body and settings for every HTTP system`);
lines.push('');
lines.push(`| system | connections | req/s | p50 ms | p99 ms | server CPU us/req | errors |`);
lines.push(`|---|---:|---:|---:|---:|---:|---:|`);
for (const system of systems) {
  for (const c of connectionCounts) {
    const r = cellOf(system, c);
    if (r) lines.push(`| ${system} | ${c} | ${fmt(r.rps)} | ${fmt(r.p50, r.system === 'onnxruntime' ? 3 : 2)} | ${fmt(r.p99, r.system === 'onnxruntime' ? 3 : 2)} | ${fmt(r.cpuUs, 1)} | ${r.errors} |`);
  }
}
for (const pharos of ['pharos', 'pharos-cluster'].filter((x) => systems.includes(x))) {
  lines.push('');
  lines.push(`| ${pharos}: connections | / mlflow req/s (target >= 10x) | / bare-http req/s (target >= 60% at 32) | / onnxruntime loop | batching gain (pharos / pharos-nobatch) |`);
  lines.push(`|---:|---:|---:|---:|---:|`);
  for (const c of connectionCounts) {
    const p = cellOf(pharos, c)?.rps;
    const ratio = (other: string, of = p) => {
      const o = cellOf(other, c)?.rps;
      return of !== undefined && o ? of / o : undefined;
    };
    const bare = ratio('bare-http');
    lines.push(`| ${c} | ${fmt(ratio('mlflow'), 1)}x | ${bare === undefined ? '-' : `${(bare * 100).toFixed(0)}%`} | ${fmt(ratio('onnxruntime'), 2)} | ${fmt(ratio('pharos-nobatch', cellOf('pharos', c)?.rps), 2)}x |`);
  }
}
process.stdout.write(lines.join('\n') + '\n');
if (args.out) writeFileSync(args.out, JSON.stringify({ duration, connections: connectionCounts, results }, null, 2));
