import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../../../test/support/stores.ts';
import type { Store } from '../../store/index.ts';
import { LabelStore, validateLabels } from './label-store.ts';
import { PharosError } from '../../core/errors.ts';

for (const kind of storeKinds()) {
  describe(`LabelStore (${kind.name})`, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
    });
    after(async () => {
      await store.close();
    });

    test('stores labels in batches, later labels replace earlier ones, lookups return only known ids', async () => {
      const labels = new LabelStore(store);
      const many = Array.from({ length: 1203 }, (_, i) => ({ request_id: `r${i}`, label: i % 3 === 0 ? 'spam' : 'ham' }));
      assert.deepEqual(await labels.put(many), { stored: 1203 });
      await labels.put([{ request_id: 'r1', label: 'spam' }, { request_id: 'r1', label: 7 }, { request_id: 'x', label: true }]);
      assert.equal(await labels.count(), 1204);
      const got = await labels.get(['r0', 'r1', 'r2', 'x', 'nope', ...many.map((m) => m.request_id)]);
      assert.equal(got.get('r0'), 'spam');
      assert.equal(got.get('r1'), 7);
      assert.equal(got.get('r2'), 'ham');
      assert.equal(got.get('x'), true);
      assert.equal(got.has('nope'), false);
      assert.equal(got.size, 1204);
    });
  });
}

test('validateLabels names the first bad entry', () => {
  const bad = (v: unknown, re: RegExp) => assert.throws(() => validateLabels(v), (e: unknown) => e instanceof PharosError && e.status === 400 && re.test(e.message));
  bad({ request_id: 'a' }, /JSON array/);
  bad([], /empty/);
  bad([{ request_id: 'a', label: 1 }, { label: 1 }], /labels\[1\]\.request_id/);
  bad([{ request_id: 'a', label: null }], /labels\[0\]\.label/);
  bad([{ request_id: 'a', label: Number.NaN }], /finite/);
  assert.deepEqual(validateLabels([{ request_id: 'a', label: 0 }]), [{ request_id: 'a', label: 0 }]);
});
