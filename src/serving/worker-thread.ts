import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a module beside the caller. Run from source (tsx), a worker does not inherit the
 * TypeScript loader, so it is registered first; compiled, the `.js` file is started directly.
 */
export function spawnModuleWorker(callerUrl: string, baseName: string, workerData: unknown): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const file = new URL(`./${baseName}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(file, { workerData });
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
