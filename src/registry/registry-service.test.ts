import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeKinds } from '../../test/support/stores.ts';
import type { Store } from '../store/index.ts';
import { LocalArtifactStore } from '../artifacts/index.ts';
import { AuditLog } from '../governance/index.ts';
import { TrackingService } from '../tracking/index.ts';
import { PharosError } from '../core/errors.ts';
import { RegistryService } from './registry-service.ts';

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof PharosError, `expected PharosError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

for (const kind of storeKinds()) {
  describe(`RegistryService (${kind.name})`, () => {
    let store: Store;
    let registry: RegistryService;
    let audit: AuditLog;
    let artifacts: LocalArtifactStore;
    const runId = 'a'.repeat(32);
    const modelId = 'm-' + 'b'.repeat(32);

    before(async () => {
      store = await kind.open();
      artifacts = new LocalArtifactStore(mkdtempSync(join(tmpdir(), 'pharos-reg-art-')));
      audit = new AuditLog(store);
      const tracking = new TrackingService({ store, artifacts, audit });
      registry = new RegistryService({ store, artifacts, audit, tracking });
      // The tracking side as the mlflow client leaves it after `log_model`: a run, and a logged model it produced.
      const now = Date.now();
      const exp = await store.db
        .insertInto('experiments')
        .values({ name: 'e', artifact_location: 'mlflow-artifacts:/1', lifecycle_stage: 'active', creation_time: now, last_update_time: now })
        .returning('experiment_id')
        .executeTakeFirstOrThrow();
      await store.db
        .insertInto('runs')
        .values({
          run_uuid: runId,
          experiment_id: Number(exp.experiment_id),
          name: 'r',
          user_id: 'u',
          status: 'FINISHED',
          start_time: now,
          end_time: now,
          deleted_time: null,
          lifecycle_stage: 'active',
          artifact_uri: `mlflow-artifacts:/1/${runId}/artifacts`,
        })
        .execute();
      await store.db
        .insertInto('logged_models')
        .values({
          model_id: modelId,
          experiment_id: Number(exp.experiment_id),
          name: 'model',
          artifact_location: `mlflow-artifacts:/1/models/${modelId}/artifacts`,
          creation_timestamp_ms: now,
          last_updated_timestamp_ms: now,
          status: 'LOGGED_MODEL_READY',
          status_message: null,
          lifecycle_stage: 'active',
          model_type: null,
          source_run_id: runId,
        })
        .execute();
      // An MLflow 2 style model kept in the run's own artifacts.
      await artifacts.write(`1/${runId}/artifacts/legacy/MLmodel`, Buffer.from('flavors: {}\n'));
    });
    after(async () => store.close());

    it('creates, reads, updates, tags and refuses duplicates of registered models', async () => {
      const m = await registry.createRegisteredModel({ name: 'iris', description: 'd1', tags: [{ key: 'team', value: 'a' }] });
      assert.equal(m.name, 'iris');
      assert.equal(m.description, 'd1');
      assert.deepEqual(m.tags, { team: 'a' });
      assert.deepEqual(m.latestVersions, []);
      await rejectsWith(registry.createRegisteredModel({ name: 'iris' }), 'RESOURCE_ALREADY_EXISTS', /Registered Model \(name=iris\) already exists/);
      await rejectsWith(registry.createRegisteredModel({ name: 'a/b' }), 'INVALID_PARAMETER_VALUE', /cannot contain/);
      await rejectsWith(registry.createRegisteredModel({ name: '' }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST', /Registered Model with name=nope not found/);

      const u = await registry.updateRegisteredModel('iris', 'd2');
      assert.equal(u.description, 'd2');
      assert.ok(u.lastUpdatedTimestamp >= m.lastUpdatedTimestamp);
      await registry.setRegisteredModelTag('iris', 'team', 'b');
      await registry.setRegisteredModelTag('iris', 'owner', 'x');
      await registry.deleteRegisteredModelTag('iris', 'owner');
      assert.deepEqual((await registry.getRegisteredModel('iris')).tags, { team: 'b' });
      await rejectsWith(registry.setRegisteredModelTag('iris', '../x', 'v'), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.setRegisteredModelTag('missing', 'k', 'v'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('registers a logged model, resolving where its files are, and is READY at once', async () => {
      await registry.createRegisteredModel({ name: 'clf' });
      const v1 = await registry.createModelVersion({ name: 'clf', source: `models:/${modelId}`, modelId, tags: { k: 'v' } });
      assert.equal(v1.version, 1);
      assert.equal(v1.status, 'READY');
      assert.equal(v1.currentStage, 'None');
      assert.equal(v1.source, `models:/${modelId}`);
      assert.equal(v1.modelId, modelId);
      assert.equal(v1.runId, runId, 'run id comes from the logged model');
      assert.equal(v1.storageLocation, `mlflow-artifacts:/1/models/${modelId}/artifacts`);
      assert.deepEqual(v1.tags, { k: 'v' });
      assert.equal(await registry.getModelVersionDownloadUri('clf', '1'), v1.storageLocation);

      // runs:/ to an MLflow 2 style model in the run's artifacts, and to an MLflow 3 logged model named like the path.
      const v2 = await registry.createModelVersion({ name: 'clf', source: `runs:/${runId}/legacy`, runId });
      assert.equal(v2.storageLocation, `mlflow-artifacts:/1/${runId}/artifacts/legacy`);
      const v3 = await registry.createModelVersion({ name: 'clf', source: `runs:/${runId}/model`, runId });
      assert.equal(v3.storageLocation, `mlflow-artifacts:/1/models/${modelId}/artifacts`);
      const v4 = await registry.createModelVersion({ name: 'clf', source: `mlflow-artifacts:/1/${runId}/artifacts/legacy`, runId });
      assert.equal(v4.version, 4);
      // A registered version as the source: pinned to its number, lineage inherited.
      const v5 = await registry.createModelVersion({ name: 'clf', source: 'models:/clf/1' });
      assert.equal(v5.storageLocation, v1.storageLocation);
      assert.equal(v5.modelId, modelId);
    });

    it('refuses sources outside the run or logged model they name', async () => {
      await rejectsWith(registry.createModelVersion({ name: 'clf', source: '/etc/passwd' }), 'INVALID_PARAMETER_VALUE', /local path/);
      await rejectsWith(registry.createModelVersion({ name: 'clf', source: `runs:/${runId}/model` }), 'INVALID_PARAMETER_VALUE', /run_id request parameter/);
      await rejectsWith(
        registry.createModelVersion({ name: 'clf', source: `mlflow-artifacts:/1/other/artifacts`, runId }),
        'INVALID_PARAMETER_VALUE',
        /run_id request parameter/,
      );
      await rejectsWith(registry.createModelVersion({ name: 'clf', source: `mlflow-artifacts:/1/${runId}/artifacts/../../x`, runId }), 'INVALID_PARAMETER_VALUE', /relative path/);
      await rejectsWith(registry.createModelVersion({ name: 'clf', source: 'models:/m-nope' }), 'INVALID_PARAMETER_VALUE', /model_id/);
      await rejectsWith(registry.createModelVersion({ name: 'clf', source: `models:/${modelId}`, modelId: 'm-other' }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.createModelVersion({ name: 'nope', source: 's3://bucket/model' }), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(registry.getModelVersion('clf', 'x'), 'INVALID_PARAMETER_VALUE', /must be an integer/);
      await rejectsWith(registry.getModelVersion('clf', 99), 'RESOURCE_DOES_NOT_EXIST', /Model Version \(name=clf, version=99\) not found/);
    });

    it('keeps overlong input a 400 on every engine and numbers concurrent registrations without gaps or clashes', async () => {
      await registry.createRegisteredModel({ name: 'limits' });
      await rejectsWith(registry.createModelVersion({ name: 'limits', source: 's3://b/' + 'x'.repeat(1000) }), 'INVALID_PARAMETER_VALUE', /maximum length/);
      await rejectsWith(registry.createModelVersion({ name: 'limits', source: 's3://b/m', runId: 'r'.repeat(33) }), 'INVALID_PARAMETER_VALUE', /run ID/);
      await rejectsWith(registry.createModelVersion({ name: 'limits', source: 's3://b/m', runLink: 'h'.repeat(501) }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.createRegisteredModel({ name: 'n'.repeat(257) }), 'INVALID_PARAMETER_VALUE', /maximum length/);
      await rejectsWith(registry.setRegisteredModelTag('limits', 'k', 'v'.repeat(100_001)), 'INVALID_PARAMETER_VALUE', /maximum length/);
      await rejectsWith(registry.setRegisteredModelAlias('limits', 'a'.repeat(256), 1), 'INVALID_PARAMETER_VALUE', /maximum length/);

      await rejectsWith(registry.createRegisteredModel({ name: 'nul\0name' }), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(registry.updateRegisteredModel('limits', 'a\0b'), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(registry.setRegisteredModelTag('limits', 'k', 'v\0'), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(registry.createModelVersion({ name: 'limits', source: 's3://b/m', description: '\0' }), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(registry.createModelVersion({ name: 'limits', source: 's3://b/\0' }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.getModelVersion('limits', '3000000000'), 'INVALID_PARAMETER_VALUE', /out of range/);
      await rejectsWith(registry.getModelVersion('limits', '-1'), 'RESOURCE_DOES_NOT_EXIST');

      const created = await Promise.all(Array.from({ length: 12 }, (_, i) => registry.createModelVersion({ name: 'limits', source: `s3://b/m${i}` })));
      assert.deepEqual(created.map((v) => v.version).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
      const racers = await Promise.allSettled(Array.from({ length: 4 }, () => registry.createRegisteredModel({ name: 'race' })));
      assert.equal(racers.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of racers) if (r.status === 'rejected') assert.equal((r.reason as PharosError).code, 'RESOURCE_ALREADY_EXISTS');
    });

    it('accepts prompt versions only with the MLflow placeholder source', async () => {
      await registry.createRegisteredModel({ name: 'prompt', tags: { 'mlflow.prompt.is_prompt': 'true' } });
      const pv = await registry.createModelVersion({ name: 'prompt', source: 'prompt-template', tags: { 'mlflow.prompt.is_prompt': 'true', 'mlflow.prompt.text': 'Hi {{x}}' } });
      assert.equal(pv.source, 'prompt-template');
      await rejectsWith(
        registry.createModelVersion({ name: 'prompt', source: 's3://b/x', tags: { 'mlflow.prompt.is_prompt': 'true' } }),
        'INVALID_PARAMETER_VALUE',
        /Invalid prompt source/,
      );
      await rejectsWith(registry.createModelVersion({ name: 'prompt', source: 'dummy-source' }), 'INVALID_PARAMETER_VALUE', /local path/);
    });

    it('moves versions through stages, archiving the previous holder on request', async () => {
      await registry.createRegisteredModel({ name: 'staged' });
      for (let i = 0; i < 3; i++) await registry.createModelVersion({ name: 'staged', source: `models:/${modelId}` });
      assert.equal((await registry.transitionModelVersionStage('staged', 1, 'production')).currentStage, 'Production');
      assert.equal((await registry.transitionModelVersionStage('staged', '2', 'STAGING')).currentStage, 'Staging');
      const p3 = await registry.transitionModelVersionStage('staged', 3, 'Production', true);
      assert.equal(p3.currentStage, 'Production');
      assert.equal((await registry.getModelVersion('staged', 1)).currentStage, 'Archived');
      assert.equal((await registry.getModelVersion('staged', 2)).currentStage, 'Staging', 'other stages untouched');
      await rejectsWith(registry.transitionModelVersionStage('staged', 1, 'Limbo'), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Limbo/);
      await rejectsWith(registry.transitionModelVersionStage('staged', 1, 'Archived', true), 'INVALID_PARAMETER_VALUE', /not an Active stage/);

      const latest = await registry.getLatestVersions('staged');
      assert.deepEqual(latest.map((v) => [v.version, v.currentStage]), [[1, 'Archived'], [2, 'Staging'], [3, 'Production']]);
      assert.deepEqual((await registry.getLatestVersions('staged', ['production'])).map((v) => v.version), [3]);
      const model = await registry.getRegisteredModel('staged');
      assert.deepEqual(model.latestVersions.map((v) => v.version), [1, 2, 3]);
      const resolved = await registry.resolveModelUri('models:/staged/Production');
      assert.equal(resolved.version, 3);
      assert.equal(resolved.artifactPath, `1/models/${modelId}/artifacts`);
    });

    it('keeps one version per alias, drops aliases with their version, and never reuses numbers', async () => {
      await registry.createRegisteredModel({ name: 'aliased' });
      for (let i = 0; i < 2; i++) await registry.createModelVersion({ name: 'aliased', source: `models:/${modelId}` });
      await registry.setRegisteredModelAlias('aliased', 'champion', '1');
      await registry.setRegisteredModelAlias('aliased', 'champion', 2);
      await registry.setRegisteredModelAlias('aliased', 'challenger', 1);
      assert.equal((await registry.getModelVersionByAlias('aliased', 'champion')).version, 2);
      assert.deepEqual((await registry.getModelVersion('aliased', 2)).aliases, ['champion']);
      assert.deepEqual((await registry.getRegisteredModel('aliased')).aliases, [
        { alias: 'challenger', version: 1 },
        { alias: 'champion', version: 2 },
      ]);
      await rejectsWith(registry.setRegisteredModelAlias('aliased', 'latest', 1), 'INVALID_PARAMETER_VALUE', /reserved/);
      await rejectsWith(registry.setRegisteredModelAlias('aliased', 'v3', 1), 'INVALID_PARAMETER_VALUE', /reserved/);
      await rejectsWith(registry.setRegisteredModelAlias('aliased', 'bad alias', 1), 'INVALID_PARAMETER_VALUE', /Invalid alias name/);
      await rejectsWith(registry.setRegisteredModelAlias('aliased', 'x', 9), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(registry.getModelVersionByAlias('aliased', 'nobody'), 'INVALID_PARAMETER_VALUE', /alias nobody not found/);
      assert.equal((await registry.getModelVersionByAlias('aliased', 'latest')).version, 2);
      const byAlias = await registry.resolveModelUri('models:/aliased@champion');
      assert.equal(byAlias.version, 2);
      assert.equal(byAlias.modelVersion?.name, 'aliased');

      await registry.deleteModelVersion('aliased', 2);
      await rejectsWith(registry.getModelVersionByAlias('aliased', 'champion'), 'INVALID_PARAMETER_VALUE');
      assert.deepEqual((await registry.getRegisteredModel('aliased')).aliases, [{ alias: 'challenger', version: 1 }]);
      await rejectsWith(registry.deleteModelVersion('aliased', 2), 'RESOURCE_DOES_NOT_EXIST');
      const v3 = await registry.createModelVersion({ name: 'aliased', source: `models:/${modelId}` });
      assert.equal(v3.version, 3, 'number 2 is not handed out again');
      await registry.deleteRegisteredModelAlias('aliased', 'challenger');
      await registry.deleteRegisteredModelAlias('aliased', 'challenger');
      assert.deepEqual((await registry.getRegisteredModel('aliased')).aliases, []);
    });

    it('renames with versions, tags and aliases following, and deletes everything with the model', async () => {
      await registry.createRegisteredModel({ name: 'old', tags: { t: '1' } });
      await registry.createModelVersion({ name: 'old', source: `models:/${modelId}`, tags: { vt: 'x' } });
      await registry.setRegisteredModelAlias('old', 'prod', 1);
      await registry.createRegisteredModel({ name: 'taken' });
      await rejectsWith(registry.renameRegisteredModel('old', 'taken'), 'RESOURCE_ALREADY_EXISTS');
      await rejectsWith(registry.renameRegisteredModel('old', ''), 'INVALID_PARAMETER_VALUE', /new_name/);
      const renamed = await registry.renameRegisteredModel('old', 'new');
      assert.equal(renamed.name, 'new');
      assert.deepEqual(renamed.tags, { t: '1' });
      assert.deepEqual(renamed.aliases, [{ alias: 'prod', version: 1 }]);
      const v = await registry.getModelVersion('new', 1);
      assert.deepEqual(v.tags, { vt: 'x' });
      assert.deepEqual(v.aliases, ['prod']);
      await rejectsWith(registry.getRegisteredModel('old'), 'RESOURCE_DOES_NOT_EXIST');
      assert.equal((await registry.createModelVersion({ name: 'new', source: `models:/${modelId}` })).version, 2);

      await registry.deleteRegisteredModel('new');
      await rejectsWith(registry.getRegisteredModel('new'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(registry.deleteRegisteredModel('new'), 'RESOURCE_DOES_NOT_EXIST');
      for (const table of ['model_versions', 'model_version_tags', 'registered_model_aliases', 'registered_model_tags'] as const) {
        const left = await store.db.selectFrom(table).select('name').where('name', '=', 'new').execute();
        assert.equal(left.length, 0, table);
      }
      // The name is free again and numbering restarts for the new model.
      await registry.createRegisteredModel({ name: 'new' });
      assert.equal((await registry.createModelVersion({ name: 'new', source: `models:/${modelId}` })).version, 1);
    });

    it('resolves every kind of model URI to a path in the artifact store', async () => {
      await registry.createRegisteredModel({ name: 'uris' });
      await registry.createModelVersion({ name: 'uris', source: `runs:/${runId}/legacy`, runId });
      await registry.createModelVersion({ name: 'uris', source: `models:/${modelId}` });
      assert.equal((await registry.resolveModelUri('models:/uris/1')).artifactPath, `1/${runId}/artifacts/legacy`);
      const latest = await registry.resolveModelUri('models:/uris/latest');
      assert.equal(latest.version, 2);
      assert.equal(latest.artifactPath, `1/models/${modelId}/artifacts`);
      assert.deepEqual(await registry.resolveModelUri(`models:/${modelId}`), { artifactPath: `1/models/${modelId}/artifacts` });
      assert.equal((await registry.resolveModelUri(`runs:/${runId}/model`)).artifactPath, `1/models/${modelId}/artifacts`);
      assert.equal((await registry.resolveModelUri(`runs:/${runId}/legacy`)).artifactPath, `1/${runId}/artifacts/legacy`);
      assert.equal((await registry.resolveModelUri('mlflow-artifacts:/1/x/y')).artifactPath, '1/x/y');
      await rejectsWith(registry.resolveModelUri('models:/uris/Staging'), 'RESOURCE_DOES_NOT_EXIST', /stage 'Staging'/);
      await rejectsWith(registry.resolveModelUri('models:/uris/7'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(registry.resolveModelUri('models:/a/b/c'), 'INVALID_PARAMETER_VALUE', /Not a proper models/);
      await rejectsWith(registry.resolveModelUri('models:/uris@'), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.resolveModelUri('s3://bucket/m'), 'INVALID_PARAMETER_VALUE', /not in this server's artifact store/);
      await rejectsWith(registry.resolveModelUri('mlflow-artifacts:/1/../../etc'), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(registry.resolveModelUri('models:/m-\0'), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(registry.resolveModelUri(`runs:/${'f'.repeat(32)}/model`), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('writes every state change to the audit trail', async () => {
      await registry.createRegisteredModel({ name: 'audited' });
      await registry.createModelVersion({ name: 'audited', source: `models:/${modelId}` });
      await registry.transitionModelVersionStage('audited', 1, 'Production');
      await registry.setRegisteredModelAlias('audited', 'champ', 1);
      await registry.deleteRegisteredModelAlias('audited', 'champ');
      await registry.renameRegisteredModel('audited', 'audited2');
      await registry.deleteModelVersion('audited2', 1);
      await registry.deleteRegisteredModel('audited2');
      const events = (await audit.list({ limit: 10000 })).filter((e) => /^audited/.test(e.entityId));
      assert.deepEqual(
        events.map((e) => `${e.entityType}:${e.entityId}:${e.action}`),
        [
          'registered_model:audited:create',
          'model_version:audited/1:create',
          'model_version:audited/1:transition_stage',
          'registered_model:audited:set_alias',
          'registered_model:audited:delete_alias',
          'registered_model:audited2:rename',
          'model_version:audited2/1:delete',
          'registered_model:audited2:delete',
        ],
      );
      assert.deepEqual(events[2].details, { from: 'None', to: 'Production', archived_versions: [] });
      // A failed change leaves no trace.
      await rejectsWith(registry.createRegisteredModel({ name: 'clf' }), 'RESOURCE_ALREADY_EXISTS');
      assert.equal((await audit.list({ entityId: 'clf', entityType: 'registered_model' })).length, 1);
    });
  });
}
