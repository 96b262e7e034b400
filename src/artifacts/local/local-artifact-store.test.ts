import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalArtifactStore } from './local-artifact-store.ts';

const fresh = () => new LocalArtifactStore(mkdtempSync(join(tmpdir(), 'pharos-art-')));

test('writes, lists, reads and deletes', async () => {
  const s = fresh();
  await s.write('1/run/artifacts/a.txt', Buffer.from('hello'));
  await s.write('1/run/artifacts/sub/b.txt', Readable.from([Buffer.from('wor'), Buffer.from('ld')]));
  assert.equal(await text(await s.read('1/run/artifacts/sub/b.txt')), 'world');
  assert.deepEqual(await s.list('1/run/artifacts'), [
    { path: '1/run/artifacts/a.txt', isDir: false, fileSize: 5 },
    { path: '1/run/artifacts/sub', isDir: true },
  ]);
  await s.delete('1/run/artifacts/sub');
  assert.deepEqual((await s.list('1/run/artifacts')).map((x) => x.path), ['1/run/artifacts/a.txt']);
  await assert.rejects(s.read('nope.txt'), /does not exist/);
});

test('refuses paths outside the root', async () => {
  const s = fresh();
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a\\..\\b', 'C:/x', 'a/\0b']) {
    await assert.rejects(s.write(bad, Buffer.from('x')), /invalid artifact path|NUL/, bad);
    await assert.rejects(s.read(bad), /invalid artifact path|NUL/, bad);
  }
});

test('refuses to follow a symlink out of the root', async () => {
  const s = fresh();
  const outside = mkdtempSync(join(tmpdir(), 'pharos-outside-'));
  writeFileSync(join(outside, 'secret'), 'x');
  symlinkSync(outside, join(s.root, 'link'));
  await assert.rejects(s.read('link/secret'), /escapes/);
  await assert.rejects(s.write('link/new', Buffer.from('x')), /escapes/);
});

test('filesystem refusals caused by the chosen path are 400s, not raw errors', async () => {
  const s = fresh();
  await s.write('a/file.txt', Buffer.from('x'));
  // A file used as a folder.
  await assert.rejects(s.write('a/file.txt/child', Buffer.from('x')), (e: any) => e.code === 'INVALID_PARAMETER_VALUE' && /not a directory/.test(e.message));
  // A folder used as a file.
  await assert.rejects(s.write('a', Buffer.from('x')), (e: any) => e.code === 'INVALID_PARAMETER_VALUE');
  // A name longer than the file system allows.
  const long = 'n'.repeat(300);
  await assert.rejects(s.write(`a/${long}`, Buffer.from('x')), (e: any) => e.code === 'INVALID_PARAMETER_VALUE' && /too long/.test(e.message));
  await assert.rejects(s.read(`a/${long}`), (e: any) => e.code === 'INVALID_PARAMETER_VALUE');
});
