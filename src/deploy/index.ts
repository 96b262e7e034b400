/** Manifests that run Pharos models outside Pharos: plain Kubernetes (running `pharos serve`) or KServe. */
export {
  defaultExportOptions,
  isKServeStorageUri,
  kubernetesName,
  type ExportOptions,
  type ServedModel,
  type ServingTarget,
} from './serving-target.ts';
export { kubernetesManifests, READY_PATH, LIVE_PATH, type KubernetesObject } from './kubernetes-manifests.ts';
export { kserveInferenceServices, type InferenceService } from './kserve-manifest.ts';
export { exportManifests, renderYaml, writeManifests, EXPORT_TARGETS, type ExportTarget, type ManifestFile } from './export-manifests.ts';
