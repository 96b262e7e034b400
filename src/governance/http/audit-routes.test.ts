import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPharos } from '../../app.ts';
import { buildServer } from '../../server/index.ts';

test('GET /api/v1/audit lists registry changes in order, filtered by entity, and validates its query', async () => {
  const pharos = await createPharos({ dataDir: mkdtempSync(join(tmpdir(), 'pharos-audit-')) });
  const app = await buildServer(pharos);
  try {
    const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
    assert.equal((await post('/api/2.0/mlflow/registered-models/create', { name: 'churn' })).statusCode, 200);
    assert.equal((await post('/api/2.0/mlflow/registered-models/create', { name: 'fraud' })).statusCode, 200);
    assert.equal((await post('/api/2.0/mlflow/registered-models/rename', { name: 'churn', new_name: 'churn2' })).statusCode, 200);

    const all = (await app.inject({ method: 'GET', url: '/api/v1/audit' })).json().events;
    assert.ok(all.length >= 3);
    const seqs = all.map((e: { seq: number }) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'oldest first');
    assert.ok(all.every((e: { entityType: string; timestamp: number }) => typeof e.entityType === 'string' && e.timestamp > 0));

    const fraud = (await app.inject({ method: 'GET', url: '/api/v1/audit?entity_type=registered_model&entity_id=fraud' })).json().events;
    assert.equal(fraud.length, 1);
    assert.equal(fraud[0].entityId, 'fraud');

    const bad = await app.inject({ method: 'GET', url: '/api/v1/audit?limit=0' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error_code, 'INVALID_PARAMETER_VALUE');
    const nul = await app.inject({ method: 'GET', url: '/api/v1/audit?entity_type=registered_model&entity_id=fr%00aud' });
    assert.equal(nul.statusCode, 400);
    assert.match(nul.json().message, /entity_id: NUL characters are not allowed/);
    // The audit trail has no write route.
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/audit' })).statusCode, 404);
  } finally {
    await app.close();
    await pharos.close();
  }
});
