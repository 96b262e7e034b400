import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Service } from 'kubernetes-models/v1';
import { PharosError } from '../core/errors.ts';
import { defaultExportOptions, exportManifests, kubernetesName, writeManifests, type ServingTarget } from './index.ts';

const churnDeployment: ServingTarget = {
  name: 'Churn_Prod',
  kind: 'deployment',
  serveArgs: ['--deployment', 'Churn_Prod'],
  primary: { uri: 'models:/churn/3', storageUri: 's3://models/churn/3' },
  canary: { uri: 'models:/churn/4', storageUri: 's3://models/churn/4', trafficPercent: 10 },
};

const options = { ...defaultExportOptions('ghcr.io/acme/pharos:0.1.0'), namespace: 'ml', minReplicas: 2, maxReplicas: 8, env: { PHAROS_STORE_URI: 'postgresql://db/pharos' } };

/** Reads the folder back the way kubectl would and validates each object against the Kubernetes OpenAPI schema. */
function readBack(dir: string) {
  const objects: Record<string, any> = {};
  for (const file of readdirSync(dir).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const o = doc.toJSON();
      objects[`${file}:${o.kind}`] = o;
    }
  }
  return objects;
}

test('kubernetes export: Deployment + Service + HPA that pass the Kubernetes schemas and fit together', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-k8s-'));
  const written = await writeManifests(dir, exportManifests(churnDeployment, 'kubernetes', options));
  assert.equal(written.length, 3);
  const objs = readBack(dir);
  const dep = new Deployment(objs['deployment.yaml:Deployment']);
  const svc = new Service(objs['service.yaml:Service']);
  const hpa = new HorizontalPodAutoscaler(objs['horizontalpodautoscaler.yaml:HorizontalPodAutoscaler']);
  // validate() throws with the failing JSON pointer when a field breaks the upstream schema.
  dep.validate();
  svc.validate();
  hpa.validate();

  assert.equal(dep.metadata!.name, 'churn-prod');
  assert.equal(dep.metadata!.namespace, 'ml');
  const pod = dep.spec!.template.spec!;
  const container = pod.containers[0];
  assert.equal(container.image, 'ghcr.io/acme/pharos:0.1.0');
  assert.deepEqual(container.args, ['serve', '--deployment', 'Churn_Prod', '--host', '0.0.0.0', '--port', '8080']);
  assert.equal(container.ports![0].containerPort, 8080);
  assert.equal(container.readinessProbe!.httpGet!.path, '/v2/health/ready');
  assert.equal(container.livenessProbe!.httpGet!.path, '/v2/health/live');
  assert.equal(container.readinessProbe!.httpGet!.port, container.ports![0].name);
  assert.deepEqual(container.env, [{ name: 'PHAROS_STORE_URI', value: 'postgresql://db/pharos' }]);
  assert.ok(container.resources!.requests!.cpu, 'a CPU request is needed for a CPU-utilisation HPA');
  assert.equal(pod.securityContext!.runAsNonRoot, true);

  // The Service and the Deployment must select the pods the template creates.
  const podLabels = dep.spec!.template.metadata!.labels!;
  for (const [k, v] of Object.entries(svc.spec!.selector!)) assert.equal(podLabels[k], v);
  for (const [k, v] of Object.entries(dep.spec!.selector.matchLabels!)) assert.equal(podLabels[k], v);
  assert.equal(svc.spec!.ports![0].targetPort, 'http');

  assert.deepEqual(hpa.spec!.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'churn-prod' });
  assert.equal(hpa.spec!.minReplicas, 2);
  assert.equal(hpa.spec!.maxReplicas, 8);
  assert.equal(hpa.spec!.metrics![0].resource!.target.averageUtilization, 70);
  assert.equal(dep.metadata!.annotations!['pharos.dev/canary-traffic-percent'], '10');
});

test('kubernetes export: an option the schema rejects fails before anything is written', () => {
  assert.throws(() => exportManifests(churnDeployment, 'kubernetes', { ...options, port: 70000 }), PharosError);
  assert.throws(() => exportManifests(churnDeployment, 'kubernetes', { ...options, minReplicas: 3, maxReplicas: 2 }), /max-replicas/);
  assert.throws(() => exportManifests(churnDeployment, 'kubernetes', { ...options, env: { 'BAD NAME': 'x' } }), /environment variable/);
  // What our checks do not cover, the Kubernetes schema (kubernetes-models) still catches: a quantity must be a string or number.
  assert.throws(
    () => exportManifests(churnDeployment, 'kubernetes', { ...options, resources: { ...options.resources, cpuRequest: {} as unknown as string } }),
    /resources\/requests\/cpu/,
  );
});

test('kserve export: champion then canary InferenceService mirroring the Pharos split', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-kserve-'));
  await writeManifests(dir, exportManifests(churnDeployment, 'kserve', options));
  assert.deepEqual(readdirSync(dir).sort(), ['inferenceservice-canary.yaml', 'inferenceservice.yaml']);
  const objs = readBack(dir);
  const stable = objs['inferenceservice.yaml:InferenceService'];
  const canary = objs['inferenceservice-canary.yaml:InferenceService'];
  // No npm package ships KServe's CRD schema (its published CRD is x-kubernetes-preserve-unknown-fields), so the
  // structure is checked explicitly against the v1beta1 field names.
  for (const isvc of [stable, canary]) {
    assert.equal(isvc.apiVersion, 'serving.kserve.io/v1beta1');
    assert.equal(isvc.kind, 'InferenceService');
    assert.equal(isvc.metadata.name, 'churn-prod');
    assert.equal(isvc.metadata.namespace, 'ml');
    assert.deepEqual(Object.keys(isvc.spec), ['predictor']);
    const p = isvc.spec.predictor;
    assert.equal(p.minReplicas, 2);
    assert.equal(p.maxReplicas, 8);
    assert.deepEqual(p.model.modelFormat, { name: 'onnx' });
    assert.equal(p.model.protocolVersion, 'v2');
    assert.ok(p.model.resources.requests.cpu);
  }
  assert.equal(stable.spec.predictor.model.storageUri, 's3://models/churn/3');
  assert.equal(stable.spec.predictor.canaryTrafficPercent, undefined);
  assert.equal(canary.spec.predictor.model.storageUri, 's3://models/churn/4');
  assert.equal(canary.spec.predictor.canaryTrafficPercent, 10);
  assert.match(readFileSync(join(dir, 'inferenceservice-canary.yaml'), 'utf8'), /^# Step 2/);
});

test('kserve export: a model whose files KServe cannot fetch asks for --storage-uri', () => {
  const local: ServingTarget = { name: 'churn', kind: 'model', serveArgs: ['models:/churn@champion'], primary: { uri: 'models:/churn@champion', storageUri: '/var/pharos/artifacts/1/model' } };
  assert.throws(() => exportManifests(local, 'kserve', options), /--storage-uri/);
  assert.throws(() => exportManifests({ ...local, primary: { uri: local.primary.uri } }, 'kserve', options), /--storage-uri/);
  const files = exportManifests({ ...local, primary: { ...local.primary, storageUri: 'pvc://models/churn/1' } }, 'kserve', options);
  assert.equal(files.length, 1);
  assert.equal((files[0].object as any).spec.predictor.model.storageUri, 'pvc://models/churn/1');
});

test('kubernetesName maps registry names to DNS-1123 labels', () => {
  assert.equal(kubernetesName('Churn Model v2!'), 'churn-model-v2');
  assert.equal(kubernetesName('--a__b--'), 'a-b');
  assert.equal(kubernetesName('x'.repeat(80)).length, 63);
  assert.throws(() => kubernetesName('___'), PharosError);
});
