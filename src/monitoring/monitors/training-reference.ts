import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { invalidState } from '../../core/errors.ts';
import { readTable, type DataTable } from '../../data/index.ts';
import type { TrainingReferenceResolver } from './monitor-runner.ts';

/** The three services the lineage walk needs, structurally (so monitoring imports none of them). */
export interface LineageServices {
  serving: { getDeployment(name: string): Promise<{ stable: { modelName: string | null; modelVersion: string | null } }> };
  registry: { getModelVersion(name: string, version: string): Promise<{ runId?: string }> };
  tracking: { getRun(runId: string): Promise<{ inputs: { dataset_inputs: Array<{ tags: Array<{ key: string; value: string }>; dataset: { name: string; digest: string; source_type: string; source: string } }> } }> };
}

/** Reference rows are capped: drift tests gain nothing from more, and monitors hold the reference in memory. */
export const MAX_TRAINING_ROWS = 200_000;

/** MLflow dataset sources are JSON (`{"uri": ...}`, `{"url": ...}`, `{"path": ...}`); only local files can be read here. */
export function localDatasetPath(source: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    parsed = source;
  }
  const raw = typeof parsed === 'string' ? parsed : ((parsed as Record<string, unknown>)?.uri ?? (parsed as Record<string, unknown>)?.url ?? (parsed as Record<string, unknown>)?.path);
  if (typeof raw !== 'string' || raw === '') return null;
  if (raw.startsWith('file://')) return fileURLToPath(raw);
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) return null;
  return raw;
}

export function tableRows(table: DataTable, limit = MAX_TRAINING_ROWS): Array<Record<string, unknown>> {
  const n = Math.min(table.rowCount, limit);
  const rows: Array<Record<string, unknown>> = Array.from({ length: n }, () => ({}));
  for (const [name, col] of table.columns) {
    for (let i = 0; i < n; i++) {
      const v = col.values[i];
      rows[i][name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    }
  }
  return rows;
}

/**
 * The default reference of a monitor: the data the served model was trained on, found through its
 * lineage — deployment → stable model version → the registered version's source run → that run's
 * dataset inputs (the one tagged `mlflow.data.context=training` when several are logged) → the file.
 */
export function lineageTrainingReference(services: LineageServices): TrainingReferenceResolver {
  // Scheduled monitors re-resolve every run; the file is re-read only when it changed (path, size, mtime).
  const cache = new Map<string, Array<Record<string, unknown>>>();
  const readRows = async (path: string) => {
    const s = await stat(path).catch(() => null);
    if (!s) throw invalidState(`training dataset file ${path} does not exist (any more); use a window or uploaded reference`);
    const key = `${path}\0${s.size}\0${s.mtimeMs}`;
    let rows = cache.get(key);
    if (!rows) {
      rows = tableRows(await readTable(path));
      if (cache.size >= 4) cache.delete(cache.keys().next().value!);
      cache.set(key, rows);
    }
    return rows;
  };
  return {
    async resolve(deployment: string) {
      const d = await services.serving.getDeployment(deployment);
      const { modelName, modelVersion } = d.stable;
      if (!modelName || !modelVersion) throw invalidState(`deployment "${deployment}" does not serve a registered model version, so it has no training lineage; use a window or uploaded reference`);
      const mv = await services.registry.getModelVersion(modelName, modelVersion);
      if (!mv.runId) throw invalidState(`model ${modelName} version ${modelVersion} has no source run; use a window or uploaded reference`);
      const run = await services.tracking.getRun(mv.runId);
      const inputs = run.inputs.dataset_inputs;
      const chosen = inputs.find((i) => i.tags.some((t) => t.key === 'mlflow.data.context' && t.value === 'training')) ?? inputs[0];
      if (!chosen) throw invalidState(`run ${mv.runId} (model ${modelName} v${modelVersion}) logged no dataset inputs (mlflow.log_input); use a window or uploaded reference`);
      const path = localDatasetPath(chosen.dataset.source);
      if (!path) throw invalidState(`training dataset "${chosen.dataset.name}" of run ${mv.runId} has a source Pharos cannot read (${chosen.dataset.source_type}: ${chosen.dataset.source}); use a window or uploaded reference`);
      return { source: `training dataset ${chosen.dataset.name}@${chosen.dataset.digest} of ${modelName} v${modelVersion} (run ${mv.runId}): ${path}`, rows: await readRows(path) };
    },
  };
}
