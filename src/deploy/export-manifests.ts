import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kserveInferenceServices } from './kserve-manifest.ts';
import { kubernetesManifests } from './kubernetes-manifests.ts';
import type { ExportOptions, ServingTarget } from './serving-target.ts';

export type ExportTarget = 'kubernetes' | 'kserve';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['kubernetes', 'kserve'];

export interface ManifestFile {
  /** File name inside the output folder; apply in the order given. */
  file: string;
  /** The object as JSON (what `kubectl apply` receives). */
  object: Record<string, unknown>;
  /** Said above the document: why it exists or in what order to apply it. */
  comment?: string;
}

export function exportManifests(target: ServingTarget, exportTarget: ExportTarget, options: ExportOptions): ManifestFile[] {
  if (exportTarget === 'kubernetes') {
    return kubernetesManifests(target, options).map((o) => {
      const object = o.toJSON() as Record<string, unknown>;
      return { file: `${String(object.kind).toLowerCase()}.yaml`, object };
    });
  }
  const { stable, canary } = kserveInferenceServices(target, options);
  const files: ManifestFile[] = [{ file: 'inferenceservice.yaml', object: stable as unknown as Record<string, unknown> }];
  if (canary) {
    files[0].comment = 'Step 1: the champion, serving 100% (skip if this revision is already rolled out).';
    files.push({
      file: 'inferenceservice-canary.yaml',
      object: canary as unknown as Record<string, unknown>,
      comment: `Step 2: the canary; KServe sends ${target.canary!.trafficPercent}% to this revision and the rest to the one from step 1.`,
    });
  }
  return files;
}

export function renderYaml(files: ManifestFile[]): string {
  return files
    .map((f) => (f.comment ? `# ${f.comment}\n` : '') + stringify(f.object, { lineWidth: 0 }))
    .join('---\n');
}

/** Writes one YAML file per object into `dir` (created if missing); returns the paths written. */
export async function writeManifests(dir: string, files: ManifestFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const path = join(dir, f.file);
    await writeFile(path, renderYaml([f]));
    paths.push(path);
  }
  return paths;
}
