import { invalidParameter } from '../core/errors.ts';
import { commonLabels, targetAnnotations } from './kubernetes-manifests.ts';
import {
  isKServeStorageUri,
  kubernetesName,
  validateOptions,
  validateTarget,
  type ExportOptions,
  type ServedModel,
  type ServingTarget,
} from './serving-target.ts';

/** The fields of KServe's `serving.kserve.io/v1beta1` InferenceService that Pharos writes. */
export interface InferenceService {
  apiVersion: 'serving.kserve.io/v1beta1';
  kind: 'InferenceService';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    predictor: {
      minReplicas: number;
      maxReplicas: number;
      /** Share of traffic for the latest revision; the previously rolled-out revision takes the rest. */
      canaryTrafficPercent?: number;
      model: {
        modelFormat: { name: 'onnx' };
        protocolVersion: 'v2';
        storageUri: string;
        resources: { requests: Record<string, string>; limits: Record<string, string> };
      };
    };
  };
}

function storageUriOf(model: ServedModel, role: string): string {
  const uri = model.storageUri;
  if (!uri) {
    throw invalidParameter(
      `the ${role} model ${model.uri} has no storage location KServe can fetch; pass ${role === 'canary' ? '--canary-storage-uri' : '--storage-uri'} ` +
        `(s3://, gs://, pvc://claim/path or https://) pointing at the folder holding its model.onnx`,
    );
  }
  if (!isKServeStorageUri(uri)) {
    throw invalidParameter(
      `the ${role} model's files are at '${uri}', which KServe's storage initializer cannot fetch; pass ` +
        `${role === 'canary' ? '--canary-storage-uri' : '--storage-uri'} with an s3://, gs://, pvc:// or https:// location`,
    );
  }
  return uri;
}

function inferenceService(target: ServingTarget, options: ExportOptions, model: ServedModel, role: string, canaryTrafficPercent?: number): InferenceService {
  const { resources } = options;
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: kubernetesName(target.name),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: commonLabels(target),
      annotations: targetAnnotations(target),
    },
    spec: {
      predictor: {
        minReplicas: options.minReplicas,
        maxReplicas: options.maxReplicas,
        ...(canaryTrafficPercent !== undefined ? { canaryTrafficPercent } : {}),
        model: {
          modelFormat: { name: 'onnx' },
          protocolVersion: 'v2',
          storageUri: storageUriOf(model, role),
          resources: {
            requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
            limits: { memory: resources.memoryLimit, ...(resources.cpuLimit ? { cpu: resources.cpuLimit } : {}) },
          },
        },
      },
    },
  };
}

/**
 * KServe InferenceService(s) for a target, served by KServe's ONNX runtime over OIP v2.
 *
 * KServe's canary is a rollout between revisions of one InferenceService: the *latest* spec receives
 * `canaryTrafficPercent` and the previously rolled-out revision keeps the rest. So a Pharos canary becomes
 * two documents to apply in order: `stable` (the champion, 100%) and then `canary` (the challenger's
 * storageUri with the Pharos split). Without a canary there is only `stable`.
 */
export function kserveInferenceServices(target: ServingTarget, options: ExportOptions): { stable: InferenceService; canary?: InferenceService } {
  validateTarget(target);
  validateOptions(options);
  // The stable document describes the champion alone; the canary's annotations belong to step 2.
  const stable = inferenceService({ ...target, canary: undefined }, options, target.primary, 'primary');
  if (!target.canary) return { stable };
  return { stable, canary: inferenceService(target, options, target.canary, 'canary', target.canary.trafficPercent) };
}
