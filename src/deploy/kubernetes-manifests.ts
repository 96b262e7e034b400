import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Service } from 'kubernetes-models/v1';
import { VERSION } from '../version.ts';
import { kubernetesName, validateOptions, validateTarget, type ExportOptions, type ServingTarget } from './serving-target.ts';

/** The health endpoints every OIP v2 server (and so `pharos serve`) answers. */
export const READY_PATH = '/v2/health/ready';
export const LIVE_PATH = '/v2/health/live';

export type KubernetesObject = Deployment | Service | HorizontalPodAutoscaler;

export function commonLabels(target: ServingTarget): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'pharos-model-server',
    'app.kubernetes.io/instance': kubernetesName(target.name),
    'app.kubernetes.io/component': 'inference',
    'app.kubernetes.io/managed-by': 'pharos',
    'app.kubernetes.io/version': VERSION,
  };
}

/** Annotations record what was exported, so `kubectl describe` leads back to the registry. */
export function targetAnnotations(target: ServingTarget): Record<string, string> {
  const a: Record<string, string> = { [`pharos.dev/${target.kind}`]: target.name, 'pharos.dev/model-uri': target.primary.uri };
  if (target.canary) {
    a['pharos.dev/canary-model-uri'] = target.canary.uri;
    a['pharos.dev/canary-traffic-percent'] = String(target.canary.trafficPercent);
  }
  return a;
}

/**
 * A Deployment running `pharos serve`, a ClusterIP Service in front of it and a CPU-based HorizontalPodAutoscaler.
 * Canary and shadow traffic of a Pharos deployment are split inside `pharos serve` itself, so one Deployment
 * carries both models and the split survives scaling. Every object is validated against the Kubernetes
 * OpenAPI schema (kubernetes-models) before it is returned, so a bad option fails here, not at `kubectl apply`.
 */
export function kubernetesManifests(target: ServingTarget, options: ExportOptions): KubernetesObject[] {
  validateTarget(target);
  validateOptions(options);
  const name = kubernetesName(target.name);
  const labels = commonLabels(target);
  const selector = { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': name };
  const metadata = { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels, annotations: targetAnnotations(target) };
  const { resources } = options;

  const deployment = new Deployment({
    metadata,
    spec: {
      replicas: options.minReplicas,
      selector: { matchLabels: selector },
      // Never drop below the current capacity while a new model version rolls out.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: targetAnnotations(target) },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: 'model-server',
              image: options.image,
              args: ['serve', ...target.serveArgs, '--host', '0.0.0.0', '--port', String(options.port)],
              ports: [{ name: 'http', containerPort: options.port, protocol: 'TCP' }],
              env: Object.entries(options.env).map(([envName, value]) => ({ name: envName, value })),
              resources: {
                requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
                limits: { memory: resources.memoryLimit, ...(resources.cpuLimit ? { cpu: resources.cpuLimit } : {}) },
              },
              // Loading a large model can take a while: the startup probe holds off liveness until it is up.
              startupProbe: { httpGet: { path: LIVE_PATH, port: 'http' }, periodSeconds: 5, failureThreshold: 60 },
              readinessProbe: { httpGet: { path: READY_PATH, port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: LIVE_PATH, port: 'http' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  });

  const service = new Service({
    metadata,
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  });

  const autoscaler = new HorizontalPodAutoscaler({
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: options.minReplicas,
      maxReplicas: options.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: options.targetCpuUtilization } } }],
    },
  });

  const objects = [deployment, service, autoscaler];
  for (const o of objects) o.validate();
  return objects;
}
