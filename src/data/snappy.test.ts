import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snappyUncompress } from 'hyparquet';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { snappyDecompress } from './snappy.ts';

function inputs(): Uint8Array[] {
  let state = 7;
  const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const random = Uint8Array.from({ length: 200_000 }, rand);
  const doubles = new Uint8Array(Float64Array.from({ length: 30_000 }, (_, i) => (i % 5 === 0 ? NaN : Math.sin(i) * 1000)).buffer);
  const text = new TextEncoder().encode('category_a,category_b,category_a,'.repeat(5000));
  const runs = Uint8Array.from({ length: 100_000 }, (_, i) => (i % 3000 < 1500 ? 0 : i % 7));
  return [new Uint8Array(0), Uint8Array.of(42), random, doubles, text, runs];
}

test('decompresses what a Snappy compressor wrote, byte for byte, as hyparquet does', () => {
  for (const data of inputs()) {
    const compressed = snappyCompress(data);
    const ours = snappyDecompress(compressed, data.length);
    assert.deepEqual(ours, data);
    const theirs = new Uint8Array(data.length);
    snappyUncompress(compressed, theirs);
    assert.deepEqual(ours, theirs);
  }
});

test('hand-made blocks: overlapping copies repeat the pattern, 2- and 4-byte offsets, long literal lengths', () => {
  // 'ab' then copy(offset 2, length 10) with a 1-byte offset element: ababababababab
  assert.equal(new TextDecoder().decode(snappyDecompress(Uint8Array.of(12, 0b000100, 97, 98, (2 << 2) | 1 | (6 << 2) & 0x1c, 2), 12)), 'abababababab');
  // 70-byte literal (length in one extra byte), then copy 20 bytes from offset 70 with 2- and 4-byte offsets
  const literal = Uint8Array.from({ length: 70 }, (_, i) => i);
  const block = [110, 60 << 2, 69, ...literal, (19 << 2) | 2, 70, 0, (19 << 2) | 3, 90, 0, 0, 0];
  const out = snappyDecompress(Uint8Array.from(block), 110);
  assert.deepEqual(out.subarray(0, 70), literal);
  assert.deepEqual(out.subarray(70, 90), literal.subarray(0, 20));
  assert.deepEqual(out.subarray(90, 110), literal.subarray(0, 20));
});

test('corrupt blocks are errors, not wrong bytes', () => {
  const good = snappyCompress(new TextEncoder().encode('hello hello hello hello'));
  assert.throws(() => snappyDecompress(good, 22), /page header says 22/);
  assert.throws(() => snappyDecompress(good.subarray(0, good.length - 2), 23), /past the end|ended after|truncated/);
  assert.throws(() => snappyDecompress(Uint8Array.of(8, 1, 5), 8), /copy offset 5 at output byte 0/);
});
