import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { prepareOnnxGraph } from './onnx-graph.ts';
import { loadOnnxModel } from './onnx-model.ts';
import { zipMapClassifier, sumRegressor } from './onnx-test-models.ts';

const softmax = (row: number[]) => {
  const e = row.map((v) => Math.exp(v - Math.max(...row)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test('a ZipMap output is what onnxruntime-node cannot return', async () => {
  const session = await ort.InferenceSession.create(zipMapClassifier());
  await assert.rejects(session.run({ X: new ort.Tensor('float32', Float32Array.of(1, 2), [1, 2]) }), /[Nn]on.?tensor/);
  await session.release();
});

test('prepareOnnxGraph replaces a ZipMap output by its probability tensor and keeps the labels', () => {
  const prepared = prepareOnnxGraph(zipMapClassifier({ classLabels: [3, 7, 9], features: 3 }));
  assert.deepEqual(prepared.zipMaps, [{ output: 'output_probability', tensor: 'probabilities', labels: [3, 7, 9] }]);
  assert.deepEqual(prepared.outputs, [
    { name: 'label', datatype: 'INT64', shape: [-1] },
    { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
  ]);
  assert.deepEqual(prepared.inputs, [{ name: 'X', datatype: 'FP32', shape: [-1, 3] }]);
  // The rewrite keeps everything else: a model without ZipMap comes back byte for byte.
  const plain = sumRegressor();
  assert.equal(prepareOnnxGraph(plain).bytes, plain);
});

test('string class labels survive the rewrite', () => {
  const prepared = prepareOnnxGraph(zipMapClassifier({ classLabels: ['no', 'yes'] }));
  assert.deepEqual(prepared.zipMaps[0].labels, ['no', 'yes']);
});

test('prepareOnnxGraph refuses bytes that are not an ONNX model', () => {
  assert.throws(() => prepareOnnxGraph(new Uint8Array([0xff, 0xff, 0xff, 0xff])), /not a valid ONNX model/);
});

for (const workers of [0, 1]) {
  test(`loadOnnxModel serves ZipMap probabilities under the original output name (workers=${workers})`, async () => {
    const model = await loadOnnxModel(zipMapClassifier(), { workers });
    try {
      assert.deepEqual(
        model.outputs.map((o) => [o.name, o.datatype, o.shape]),
        [
          ['label', 'INT64', [-1]],
          ['output_probability', 'FP32', [-1, 2]],
        ],
      );
      const rows = [
        [0.5, -1],
        [2, 3],
      ];
      const out = await model.run({ X: { datatype: 'FP32', shape: [2, 2], data: Float32Array.from(rows.flat()) } });
      const probs = Array.from(out.output_probability.data as Float32Array);
      rows.forEach((r, i) => softmax(r).forEach((p, j) => assert.ok(Math.abs(probs[i * 2 + j] - p) < 1e-6)));
      assert.ok(out.label.data instanceof BigInt64Array);
      assert.deepEqual(Array.from(out.label.data as BigInt64Array, Number), [0, 1]);
    } finally {
      await model.close();
    }
  });
}

test('the test regressor answers scale * row sum', async () => {
  const model = await loadOnnxModel(sumRegressor({ scale: 2 }));
  const out = await model.run({ X: { datatype: 'FP32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } });
  assert.deepEqual(Array.from(out.variable.data as Float32Array), [6, 14]);
  await model.close();
});
