import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../../test/support/stores.ts';

for (const kind of storeKinds()) {
  test(`${kind.name}: migrations create the schema and the Default experiment`, async () => {
    const store = await kind.open();
    try {
      const exp = await store.db.selectFrom('experiments').selectAll().where('experiment_id', '=', 0).executeTakeFirstOrThrow();
      assert.equal(exp.name, 'Default');
      assert.equal(exp.lifecycle_stage, 'active');
      assert.equal(typeof exp.creation_time, 'number');
      // Auto-increment ids continue after the fixed Default id.
      const { experiment_id } = await store.db
        .insertInto('experiments')
        .values({ name: 'x', artifact_location: 'a', lifecycle_stage: 'active', creation_time: 1, last_update_time: 1 })
        .returning('experiment_id')
        .executeTakeFirstOrThrow();
      assert.ok(Number(experiment_id) >= 1);
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: a failed transaction leaves nothing behind`, async () => {
    const store = await kind.open();
    try {
      await assert.rejects(
        store.transaction(async (trx) => {
          await trx.insertInto('registered_models').values({ name: 'm', creation_time: 1, last_updated_time: 1, description: null }).execute();
          await trx.insertInto('registered_models').values({ name: 'm', creation_time: 1, last_updated_time: 1, description: null }).execute();
        }),
      );
      const rows = await store.db.selectFrom('registered_models').selectAll().execute();
      assert.equal(rows.length, 0);
    } finally {
      await store.close();
    }
  });
}
