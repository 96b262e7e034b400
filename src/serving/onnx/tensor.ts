import type { OipDatatype } from './onnx-graph.ts';

/** Tensor data as it crosses Pharos: flat, row-major, in the typed array onnxruntime uses for its type. */
export type TensorData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | string[];

export interface Tensor {
  datatype: OipDatatype;
  shape: number[];
  data: TensorData;
}

/** onnxruntime's type names. */
export const ORT_TYPE: Record<OipDatatype, string> = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64', INT8: 'int8', INT16: 'int16', INT32: 'int32',
  INT64: 'int64', FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
};

export const OIP_BY_ORT: Record<string, OipDatatype> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, k as OipDatatype]));

export const NUMERIC_DATATYPES = new Set<OipDatatype>(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);
export const INTEGER_DATATYPES = new Set<OipDatatype>(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64']);

/** Allocates the typed array for `datatype` filled from already-validated values. */
export function makeTensorData(datatype: OipDatatype, values: ArrayLike<unknown>): TensorData {
  const n = values.length;
  switch (datatype) {
    case 'BYTES':
      return Array.from(values as ArrayLike<string>, String);
    case 'BOOL':
      return Uint8Array.from(values as ArrayLike<unknown>, (v) => (v ? 1 : 0));
    case 'INT64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(Number(values[i])));
      return out;
    }
    case 'UINT64': {
      const out = new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(Number(values[i])));
      return out;
    }
    case 'FP16':
      throw new Error('FP16 inputs are not supported');
    default: {
      const Ctor = { FP32: Float32Array, FP64: Float64Array, INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array }[datatype];
      return (Ctor as { from(v: ArrayLike<unknown>, f: (x: unknown) => number): TensorData }).from(values, Number);
    }
  }
}

/** JSON-safe plain values: int64 arrive from onnxruntime as BigInt, answered as JSON numbers. */
export function toPlainArray(data: TensorData, datatype?: OipDatatype): Array<number | string | boolean> {
  if (Array.isArray(data)) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  return Array.from(data as ArrayLike<number>);
}

/** Concatenates tensors along the first axis (dynamic batching). */
export function concatRows(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  const rows = parts.reduce((s, p) => s + (p.shape[0] ?? 0), 0);
  const total = parts.reduce((s, p) => s + p.data.length, 0);
  let data: TensorData;
  if (Array.isArray(first.data)) data = parts.flatMap((p) => p.data as string[]);
  else {
    const Ctor = (first.data as any).constructor as { new (n: number): Exclude<TensorData, string[]> };
    const out = new Ctor(total);
    let offset = 0;
    for (const p of parts) {
      (out as any).set(p.data, offset);
      offset += p.data.length;
    }
    data = out;
  }
  return { datatype: first.datatype, shape: [rows, ...first.shape.slice(1)], data };
}

/** Splits a tensor along the first axis into chunks of `rowCounts` rows. */
export function splitRows(t: Tensor, rowCounts: number[]): Tensor[] {
  const total = t.shape[0] ?? 0;
  const rowSize = total === 0 ? 0 : t.data.length / total;
  let offset = 0;
  return rowCounts.map((rows) => {
    const start = offset * rowSize;
    const end = (offset + rows) * rowSize;
    offset += rows;
    const data = Array.isArray(t.data) ? t.data.slice(start, end) : (t.data as any).slice(start, end);
    return { datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data };
  });
}
