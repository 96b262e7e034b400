import { invalidParameter } from '../core/errors.ts';

/** One model a serving target runs: its URI for `pharos serve`, and where its files are for KServe. */
export interface ServedModel {
  /** `models:/churn@champion`, `models:/churn/3` or a path: what `pharos serve` resolves itself. */
  uri: string;
  /** A location KServe's storage initializer can fetch (s3://, gs://, pvc://, https://...), when known. */
  storageUri?: string;
}

/** What is being exported: a Pharos deployment (with its canary, if any) or a single model. */
export interface ServingTarget {
  /** Deployment or model name; becomes the Kubernetes resource name after DNS-1123 sanitising. */
  name: string;
  kind: 'deployment' | 'model';
  /** Arguments after `pharos serve` that make the container serve this target (e.g. the deployment name). */
  serveArgs: string[];
  primary: ServedModel;
  canary?: ServedModel & { trafficPercent: number };
}

/** How the exported workload runs; every field has a production-sane default (see `defaultExportOptions`). */
export interface ExportOptions {
  image: string;
  namespace?: string;
  /** Port `pharos serve` listens on inside the container. */
  port: number;
  minReplicas: number;
  maxReplicas: number;
  /** HPA target: average CPU utilisation (percent of the CPU request). */
  targetCpuUtilization: number;
  resources: { cpuRequest: string; memoryRequest: string; cpuLimit?: string; memoryLimit: string };
  /** Extra container environment, e.g. `PHAROS_STORE_URI` so the pod can resolve `models:/` URIs. */
  env: Record<string, string>;
}

export function defaultExportOptions(image: string): ExportOptions {
  return {
    image,
    port: 8080,
    minReplicas: 1,
    maxReplicas: 5,
    targetCpuUtilization: 70,
    resources: { cpuRequest: '500m', memoryRequest: '512Mi', memoryLimit: '1Gi' },
    env: {},
  };
}

/**
 * A DNS-1123 label (what Kubernetes demands of Deployment/Service names): lower case alphanumerics and '-',
 * starting and ending alphanumeric, at most 63 characters. Registry names allow far more, so they are mapped.
 */
export function kubernetesName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  if (label === '') throw invalidParameter(`'${name}' has no characters usable in a Kubernetes name (a-z, 0-9, '-')`);
  return label;
}

/** Schemes KServe's storage initializer downloads from; anything else (a local path, mlflow-artifacts:/) it cannot reach. */
const KSERVE_SCHEMES = ['s3', 'gs', 'pvc', 'http', 'https', 'hdfs', 'webhdfs', 'oci', 'hf'];

export function isKServeStorageUri(uri: string): boolean {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  return !!m && KSERVE_SCHEMES.includes(m[1].toLowerCase());
}

export function validateTarget(target: ServingTarget): void {
  if (target.canary) {
    const p = target.canary.trafficPercent;
    if (!Number.isInteger(p) || p < 0 || p > 100) {
      throw invalidParameter(`canary traffic percent must be an integer from 0 to 100, got ${p}`);
    }
  }
}

export function validateOptions(o: ExportOptions): void {
  if (!o.image.trim()) throw invalidParameter('--image must name a container image');
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw invalidParameter(`--port must be 1-65535, got ${o.port}`);
  if (!Number.isInteger(o.minReplicas) || o.minReplicas < 1) throw invalidParameter(`--min-replicas must be an integer >= 1, got ${o.minReplicas}`);
  if (!Number.isInteger(o.maxReplicas) || o.maxReplicas < o.minReplicas) {
    throw invalidParameter(`--max-replicas must be an integer >= --min-replicas (${o.minReplicas}), got ${o.maxReplicas}`);
  }
  if (!Number.isInteger(o.targetCpuUtilization) || o.targetCpuUtilization < 1 || o.targetCpuUtilization > 100) {
    throw invalidParameter(`--target-cpu must be a percentage from 1 to 100, got ${o.targetCpuUtilization}`);
  }
  for (const key of Object.keys(o.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw invalidParameter(`'${key}' is not a valid environment variable name`);
  }
}
