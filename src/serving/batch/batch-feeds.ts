import { invalidParameter } from '../../core/errors.ts';
import type { ColumnKind, DataColumn, DataTable } from '../../data/index.ts';
import type { ColumnSpec, OipDatatype, Tensor, TensorData, TensorSpec } from '../index.ts';

/**
 * How the columns of a table become the model's input tensors, decided once for the whole file
 * (per row, only typed-array copies happen):
 * - `stacked`: one [rows, features] input filled from `columns` in that order (skl2onnx's default `X`);
 * - `per-column`: one input a column, matched by name (skl2onnx with a list of initial types).
 */
export type InputPlan =
  | { kind: 'stacked'; input: TensorSpec; columns: string[] }
  | { kind: 'per-column'; inputs: Array<{ input: TensorSpec; column: string }> };

const fmtShape = (s: number[]) => `[${s.join(', ')}]`;

/**
 * Chooses the feature columns: `--columns` when given, else the MLflow signature's columns, else (one input a
 * column) the input names, else every column of the file when their count is the input's width.
 */
export function planInputs(
  inputs: TensorSpec[],
  signature: ColumnSpec[] | null,
  fileColumns: readonly string[],
  chosen: readonly string[] | undefined,
): InputPlan {
  const missing = (names: readonly string[]) => names.filter((n) => !fileColumns.includes(n));
  if (inputs.length === 0) throw invalidParameter('the model has no inputs');
  const columnShaped = (i: TensorSpec) => i.shape.length === 1 || (i.shape.length === 2 && i.shape[1] === 1);
  if (inputs.length > 1 || (fileColumns.includes(inputs[0].name) && columnShaped(inputs[0]) && !chosen && !signature)) {
    const absent = missing(inputs.map((i) => i.name));
    if (absent.length > 0) {
      throw invalidParameter(`the model takes one input a column (${inputs.map((i) => i.name).join(', ')}); the file has no column ${absent.map((a) => `'${a}'`).join(', ')} (columns: ${fileColumns.join(', ')})`);
    }
    for (const input of inputs) {
      if (input.shape.length > 2 || (input.shape.length === 2 && input.shape[1] !== 1 && input.shape[1] !== -1)) {
        throw invalidParameter(`input '${input.name}' has shape ${fmtShape(input.shape)}; a single column can only feed a [-1] or [-1, 1] input`);
      }
    }
    return { kind: 'per-column', inputs: inputs.map((input) => ({ input, column: input.name })) };
  }
  const input = inputs[0];
  if (input.shape.length !== 2) throw invalidParameter(`input '${input.name}' has shape ${fmtShape(input.shape)}; it cannot be fed from a table of columns`);
  const width = input.shape[1];
  let columns: string[];
  if (chosen) columns = [...chosen];
  else if (signature) columns = signature.map((c) => c.name);
  else if (width < 0 || width === fileColumns.length) columns = [...fileColumns];
  else {
    throw invalidParameter(
      `input '${input.name}' takes ${width} features but the file has ${fileColumns.length} columns (${fileColumns.join(', ')}) ` +
        `and the model has no MLflow signature naming them; choose them in order with --columns`,
    );
  }
  const absent = missing(columns);
  if (absent.length > 0) throw invalidParameter(`the file has no column ${absent.map((a) => `'${a}'`).join(', ')} (columns: ${fileColumns.join(', ')})`);
  if (width >= 0 && width !== columns.length) {
    throw invalidParameter(`input '${input.name}' takes ${width} features per row; ${columns.length} columns were given (${columns.join(', ')})`);
  }
  return { kind: 'stacked', input, columns };
}

/** Columns the plan reads, and the kind each must be read as (text for string inputs, whatever a CSV looks like). */
export function plannedColumns(plan: InputPlan): { names: string[]; kinds: Record<string, ColumnKind> } {
  const pairs = plan.kind === 'stacked' ? plan.columns.map((c) => [c, plan.input.datatype] as const) : plan.inputs.map((i) => [i.column, i.input.datatype] as const);
  const kinds: Record<string, ColumnKind> = {};
  for (const [name, datatype] of pairs) kinds[name] = datatype === 'BYTES' ? 'categorical' : 'numerical';
  return { names: pairs.map(([n]) => n), kinds };
}

type NumericArray = Exclude<TensorData, string[]>;

function allocate(datatype: OipDatatype, n: number): TensorData {
  switch (datatype) {
    case 'FP32': return new Float32Array(n);
    case 'FP64': return new Float64Array(n);
    case 'INT8': return new Int8Array(n);
    case 'INT16': return new Int16Array(n);
    case 'INT32': return new Int32Array(n);
    case 'INT64': return new BigInt64Array(n);
    case 'UINT8': case 'BOOL': return new Uint8Array(n);
    case 'UINT16': return new Uint16Array(n);
    case 'UINT32': return new Uint32Array(n);
    case 'UINT64': return new BigUint64Array(n);
    case 'BYTES': return new Array<string>(n);
    case 'FP16': throw invalidParameter('FP16 model inputs are not supported for batch scoring');
  }
}

const FLOAT = new Set<OipDatatype>(['FP32', 'FP64']);

/**
 * Copies rows [from, to) of `column` into `out` at `out[offset + k * stride]`. Missing numbers stay NaN for
 * float inputs; for an integer or string input a missing or fractional value is an error naming the row.
 */
function copyColumn(column: DataColumn, name: string, datatype: OipDatatype, from: number, to: number, out: TensorData, offset: number, stride: number, firstRow: number): void {
  if (datatype === 'BYTES') {
    if (column.kind !== 'categorical') throw invalidParameter(`column '${name}' must be text for string input`);
    const dst = out as string[];
    for (let r = from; r < to; r++) {
      const v = column.values[r];
      if (v === null) throw invalidParameter(`column '${name}', row ${firstRow + r}: missing value for a string input`);
      dst[offset + (r - from) * stride] = v;
    }
    return;
  }
  if (column.kind !== 'numerical') throw invalidParameter(`column '${name}' holds text, but the model's input is ${datatype}`);
  const src = column.values;
  if (FLOAT.has(datatype)) {
    const dst = out as Float32Array | Float64Array;
    for (let r = from; r < to; r++) dst[offset + (r - from) * stride] = src[r];
    return;
  }
  const big = datatype === 'INT64' || datatype === 'UINT64';
  for (let r = from; r < to; r++) {
    const v = src[r];
    if (!Number.isInteger(v)) {
      throw invalidParameter(`column '${name}', row ${firstRow + r}: ${Number.isNaN(v) ? 'missing value' : String(v)} is not an integer, but the model's input is ${datatype}`);
    }
    if (big) (out as BigInt64Array)[offset + (r - from) * stride] = BigInt(v) as never;
    else (out as NumericArray)[offset + (r - from) * stride] = v as never;
  }
}

/** The feeds for rows [from, to) of a chunk; `firstRow` is the chunk's first row in the file (for messages). */
export function batchFeeds(plan: InputPlan, chunk: DataTable, from: number, to: number, firstRow: number): Record<string, Tensor> {
  const n = to - from;
  if (plan.kind === 'stacked') {
    const width = plan.columns.length;
    const data = allocate(plan.input.datatype, n * width);
    plan.columns.forEach((name, c) => copyColumn(chunk.columns.get(name)!, name, plan.input.datatype, from, to, data, c, width, firstRow));
    return { [plan.input.name]: { datatype: plan.input.datatype, shape: [n, width], data } };
  }
  const feeds: Record<string, Tensor> = {};
  for (const { input, column } of plan.inputs) {
    const data = allocate(input.datatype, n);
    copyColumn(chunk.columns.get(column)!, column, input.datatype, from, to, data, 0, 1, firstRow);
    feeds[input.name] = { datatype: input.datatype, shape: input.shape.length === 2 ? [n, 1] : [n], data };
  }
  return feeds;
}
