import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** What the server printed on stderr so far (its log): attach it to failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a real `pharos server` process on a free port with a fresh data folder. */
export async function startPharosServer(opts: { dataDir?: string; args?: string[]; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pharos-server-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'server', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])],
    { cwd: repoRoot, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pharos server did not start in 60s: ${stderr}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pharos server exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    process: child,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** The interop venv's python (scripts/pyenv.sh makes it; scripts/test.sh exports PHAROS_PYTHON). */
export function pythonPath(): string {
  const p = process.env.PHAROS_PYTHON;
  if (!p) throw new Error('PHAROS_PYTHON is not set: run the tests with `npm test` (scripts/test.sh creates the Python venv)');
  return p;
}

/**
 * Runs a Python script with the real mlflow client pointed at `trackingUri`. The script's last stdout line,
 * if JSON, is parsed and returned. Fails with the script's stderr on a non-zero exit.
 */
export async function runPython(code: string, env: Record<string, string> = {}, timeoutMs = 300_000): Promise<any> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-py-'));
  const file = join(dir, 'script.py');
  writeFileSync(file, code);
  return new Promise((resolveRun, reject) => {
    const child = spawn(pythonPath(), [file], {
      cwd: dir,
      env: { ...process.env, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', GIT_PYTHON_REFRESH: 'quiet', PYTHONUNBUFFERED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python exited with ${code}\n--- stdout\n${out}\n--- stderr\n${err.slice(-8000)}`));
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolveRun(JSON.parse(last));
      } catch {
        resolveRun(out);
      }
    });
  });
}
