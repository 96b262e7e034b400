import protobuf from 'protobufjs';
import { ONNX_SUBSET_PROTO } from './onnx-schema.ts';

/**
 * Tiny ONNX models built in code for the serving tests (no Python needed): weight-free graphs whose answers
 * are easy to compute by hand. The Python interop suite covers real skl2onnx models.
 */
const ModelProto = protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root.lookupType('pharos.onnx.ModelProto');

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

const tensorType = (elem: number, dims: Array<number | string>) => ({
  tensor_type: { elem_type: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } },
});

function encode(graph: Record<string, unknown>, opset = 13): Uint8Array {
  return ModelProto.encode({
    ir_version: 7,
    producer_name: 'pharos-tests',
    opset_import: [
      { domain: '', version: opset },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    graph,
  }).finish();
}

/**
 * A classifier shaped like skl2onnx's default output: `label` = argmax, `output_probability` = ZipMap over
 * softmax(X) with labels `classLabels` (int64 or string). Features: `features` floats a row.
 */
export function zipMapClassifier(opts: { features?: number; classLabels?: Array<number | string>; inputName?: string } = {}): Uint8Array {
  const features = opts.features ?? 2;
  const labels = opts.classLabels ?? [0, 1];
  const input = opts.inputName ?? 'X';
  const stringLabels = typeof labels[0] === 'string';
  return encode({
    name: 'zipmap_classifier',
    node: [
      { op_type: 'Softmax', input: [input], output: ['probabilities'], attribute: [{ name: 'axis', type: ATTR_INT, i: 1 }] },
      { op_type: 'ArgMax', input: ['probabilities'], output: ['label'], attribute: [{ name: 'axis', type: ATTR_INT, i: 1 }, { name: 'keepdims', type: ATTR_INT, i: 0 }] },
      {
        op_type: 'ZipMap',
        domain: 'ai.onnx.ml',
        input: ['probabilities'],
        output: ['output_probability'],
        attribute: [
          stringLabels
            ? { name: 'classlabels_strings', type: 8, strings: labels.map((l) => Buffer.from(String(l))) }
            : { name: 'classlabels_int64s', type: ATTR_INTS, ints: labels as number[] },
        ],
      },
    ],
    input: [{ name: input, type: tensorType(FLOAT, ['N', features]) }],
    output: [
      { name: 'label', type: tensorType(INT64, ['N']) },
      { name: 'output_probability', type: { sequence_type: { elem_type: { map_type: { key_type: stringLabels ? 8 : INT64, value_type: { tensor_type: { elem_type: FLOAT } } } } } } },
    ],
  });
}

/** `y = scale * sum(X, axis=1)`: a regressor whose answer is checked by hand. `inputName` changes its interface. */
export function sumRegressor(opts: { features?: number; inputName?: string; scale?: number } = {}): Uint8Array {
  const features = opts.features ?? 2;
  const input = opts.inputName ?? 'X';
  const scale = opts.scale ?? 1;
  // The scale enters as a Constant node (a tensor attribute), so models with different scales differ in their answers.
  const scaleTensor = encodeTensor(scale);
  return encode(
    {
      name: 'sum_regressor',
      node: [
        { op_type: 'ReduceSum', input: [input], output: ['sum'], attribute: [{ name: 'axes', type: ATTR_INTS, ints: [1] }, { name: 'keepdims', type: ATTR_INT, i: 0 }] },
        { op_type: 'Constant', input: [], output: ['scale'], attribute: [{ name: 'value', type: 4, t: scaleTensor }] },
        { op_type: 'Mul', input: ['sum', 'scale'], output: ['variable'] },
      ],
      input: [{ name: input, type: tensorType(FLOAT, ['N', features]) }],
      output: [{ name: 'variable', type: tensorType(FLOAT, ['N']) }],
    },
    11,
  );
}

/** A scalar float TensorProto (dims none, data_type FLOAT, float_data [v]) written field by field. */
function encodeTensor(v: number): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((2 << 3) | 0).int32(FLOAT); // data_type
  w.uint32((4 << 3) | 2).fork().float(v).ldelim(); // float_data, packed
  return w.finish();
}
