import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Service } from 'kubernetes-models/v1';
import { repoRoot, runPython, startPharosServer, type RunningServer } from '../../test/support/server.ts';

/** `pharos deploy export` for a real deployment (stable + 25% canary) created on a running Pharos server. */
const dir = mkdtempSync(join(tmpdir(), 'pharos-export-'));
let server: RunningServer;

before(async () => {
  await runPython(`
import numpy as np
from skl2onnx import to_onnx
from sklearn.linear_model import LogisticRegression
X = np.random.default_rng(0).normal(size=(200, 4)).astype(np.float32)
y = (X[:, 0] > 0).astype(int)
for i, C in enumerate([1.0, 0.1]):
    with open(${JSON.stringify(dir)} + f"/model-v{i + 1}.onnx", "wb") as f:
        f.write(to_onnx(LogisticRegression(C=C).fit(X, y), X[:1]).SerializeToString())
print("{}")
`);
  server = await startPharosServer();
  const res = await fetch(`${server.url}/api/v1/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'churn-prod', model_uri: join(dir, 'model-v1.onnx'), canary_uri: join(dir, 'model-v2.onnx'), canary_percent: 25 }),
  });
  assert.equal(res.status, 201, await res.text());
});

after(() => server?.stop());

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('deploy export --target kubernetes: valid manifests running pharos serve --deployment', async () => {
  const out = join(dir, 'k8s');
  const r = await runCli(['deploy', 'export', 'churn-prod', '--target', 'kubernetes', '--out', out, '--url', server.url, '--image', 'registry.local/pharos:test', '--env', 'PHAROS_STORE_URI=postgresql://db/pharos', '--max-replicas', '6', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).files.length, 3);
  const read = (f: string) => parse(readFileSync(join(out, f), 'utf8'));
  const dep = new Deployment(read('deployment.yaml'));
  const svc = new Service(read('service.yaml'));
  const hpa = new HorizontalPodAutoscaler(read('horizontalpodautoscaler.yaml'));
  dep.validate();
  svc.validate();
  hpa.validate();
  const c = dep.spec!.template.spec!.containers[0];
  assert.equal(c.image, 'registry.local/pharos:test');
  assert.deepEqual(c.args!.slice(0, 3), ['serve', '--deployment', 'churn-prod']);
  assert.equal(c.readinessProbe!.httpGet!.path, '/v2/health/ready');
  assert.equal(c.livenessProbe!.httpGet!.path, '/v2/health/live');
  assert.equal(dep.metadata!.annotations!['pharos.dev/canary-traffic-percent'], '25');
  assert.equal(hpa.spec!.maxReplicas, 6);
  assert.equal(hpa.spec!.scaleTargetRef.name, dep.metadata!.name);
});

test('deploy export --target kserve: champion then a 25% canary, as on the Pharos deployment', async () => {
  const out = join(dir, 'kserve');
  const r = await runCli(['deploy', 'export', 'churn-prod', '--target', 'kserve', '--out', out, '--url', server.url, '--storage-uri', 's3://models/churn/1', '--canary-storage-uri', 's3://models/churn/2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['inferenceservice-canary.yaml', 'inferenceservice.yaml']);
  const canary = parse(readFileSync(join(out, 'inferenceservice-canary.yaml'), 'utf8'));
  assert.equal(canary.kind, 'InferenceService');
  assert.equal(canary.spec.predictor.canaryTrafficPercent, 25);
  assert.equal(canary.spec.predictor.model.storageUri, 's3://models/churn/2');
  assert.deepEqual(canary.spec.predictor.model.modelFormat, { name: 'onnx' });
  const stable = parse(readFileSync(join(out, 'inferenceservice.yaml'), 'utf8'));
  assert.equal(stable.spec.predictor.model.storageUri, 's3://models/churn/1');
  assert.equal(stable.spec.predictor.canaryTrafficPercent, undefined);
});

test('deploy export: unknown deployment, missing KServe storage and bad target are clear errors', async () => {
  const unknown = await runCli(['deploy', 'export', 'nope', '--target', 'kubernetes', '--url', server.url]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /'nope' is neither a model URI, a model path, nor a deployment/);
  const noStorage = await runCli(['deploy', 'export', 'churn-prod', '--target', 'kserve', '--url', server.url]);
  assert.equal(noStorage.code, 1);
  assert.match(noStorage.stderr, /--storage-uri/);
  // `export` lives under the serving commands' `deploy <name>`, whose --model stays required for that command itself.
  const deployWithoutModel = await runCli(['deploy', 'other', '--url', server.url]);
  assert.equal(deployWithoutModel.code, 1);
  assert.match(deployWithoutModel.stderr, /required option '--model <uri>' not specified/);
  const badTarget = await runCli(['deploy', 'export', 'churn-prod', '--target', 'swarm', '--url', server.url]);
  assert.equal(badTarget.code, 1);
  assert.match(badTarget.stderr, /--target must be one of kubernetes, kserve/);
});

test('pharos serve --deployment with a canary refuses several processes (each would judge the canary alone)', async () => {
  const r = await runCli(['serve', '--deployment', 'churn-prod', '--data-dir', server.dataDir, '--processes', '2', '--port', '0']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /deployment 'churn-prod' runs a canary: serve it with --processes 1/);
});
