import { invalidParameter } from '../../core/errors.ts';
import type { ColumnSpec } from '../model/mlmodel.ts';
import type { OipDatatype, TensorSpec } from '../onnx/onnx-graph.ts';
import { INTEGER_DATATYPES, NUMERIC_DATATYPES, makeTensorData, type Tensor } from '../onnx/tensor.ts';
import type { NamedTensor, PredictionRequest } from './request-formats.ts';

/** What a model accepts: its ONNX inputs, and the MLflow column signature when it has one. */
export interface ModelInterface {
  inputs: TensorSpec[];
  columns: ColumnSpec[] | null;
}

export interface Feeds {
  feeds: Record<string, Tensor>;
  /** Rows in the request (the first axis of every feed): the unit of dynamic batching and of the inference log. */
  rows: number;
}

type ValueKind = 'number' | 'integer' | 'string' | 'boolean';

const KIND_BY_SIGNATURE: Record<string, ValueKind> = { double: 'number', float: 'number', long: 'integer', integer: 'integer', string: 'string', boolean: 'boolean', binary: 'string', datetime: 'string' };

function kindOf(datatype: OipDatatype): ValueKind {
  if (datatype === 'BYTES') return 'string';
  if (datatype === 'BOOL') return 'boolean';
  return INTEGER_DATATYPES.has(datatype) ? 'integer' : 'number';
}

const kindLabel: Record<ValueKind, string> = { number: 'a number', integer: 'an integer', string: 'a string', boolean: 'a boolean' };

/** Checks each value is of the expected kind; null is accepted as NaN for floating-point columns (as pandas does). */
function checkValues(values: unknown[], kind: ValueKind, what: string, typeName: string): unknown[] {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const ok =
      kind === 'number' ? typeof v === 'number' || v === null
      : kind === 'integer' ? typeof v === 'number' && Number.isInteger(v)
      : kind === 'string' ? typeof v === 'string'
      : typeof v === 'boolean';
    if (!ok) throw invalidParameter(`${what}: expected ${kindLabel[kind]} (${typeName}), got ${JSON.stringify(v) ?? 'undefined'} at position ${i}`);
  }
  return kind === 'number' ? values.map((v) => (v === null ? NaN : v)) : values;
}

const fmtShape = (s: number[]) => `[${s.join(', ')}]`;

/** Shape and flat values of a nested JSON array. Ragged nesting is a user error. */
function flattenNested(data: unknown, what: string): { shape: number[]; values: unknown[] } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const values = Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw invalidParameter(`${what}: ragged nested lists (shape ${fmtShape(shape)} implies ${expected} values, got ${values.length})`);
  return { shape, values };
}

/** Reconciles a request shape with the model's: same rank (a trailing 1 may be added or dropped) and equal fixed dims. */
function fitShape(given: number[], spec: TensorSpec, what: string): number[] {
  let shape = given;
  if (shape.length === spec.shape.length - 1 && spec.shape[spec.shape.length - 1] === 1) shape = [...shape, 1];
  else if (shape.length === spec.shape.length + 1 && shape[shape.length - 1] === 1) shape = shape.slice(0, -1);
  const fits = shape.length === spec.shape.length && spec.shape.every((d, i) => d < 0 || d === shape[i]);
  if (!fits) throw invalidParameter(`${what}: expected shape ${fmtShape(spec.shape)} (-1 = any), got ${fmtShape(given)}`);
  return shape;
}

function tensorFor(spec: TensorSpec, shape: number[], values: unknown[], what: string, typeName = spec.datatype): Tensor {
  const kind = kindOf(spec.datatype);
  const checked = checkValues(values, kind, what, typeName);
  return { datatype: spec.datatype, shape, data: makeTensorData(spec.datatype, checked) };
}

function datatypeCompatible(given: string, expected: OipDatatype): boolean {
  if (given === expected) return true;
  if (NUMERIC_DATATYPES.has(expected)) return NUMERIC_DATATYPES.has(given as OipDatatype);
  return false;
}

/**
 * Turns a parsed request into onnxruntime feeds, validating it against the model's signature (MLflow
 * column signature when present, ONNX input metadata otherwise). Every mismatch is a 400 that names
 * the column or input and says what was expected.
 */
export function buildFeeds(model: ModelInterface, req: PredictionRequest): Feeds {
  if (req.kind === 'columns') return feedsFromColumns(model, req.columns, req.rows);
  if (req.kind === 'tensor') {
    if (model.inputs.length !== 1) throw invalidParameter(`model has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}): send named inputs or columns`);
    return feedsFromNamed(model, { [model.inputs[0].name]: { data: req.data } });
  }
  const names = Object.keys(req.tensors);
  const inputNames = new Set(model.inputs.map((i) => i.name));
  // Per-column OIP inputs for a model whose ONNX graph takes one stacked tensor: treat them as columns.
  if (model.columns && names.length > 0 && names.every((n) => !inputNames.has(n) && model.columns!.some((c) => c.name === n))) {
    const cols = names.map((n) => flattenNested(req.tensors[n].data, `column '${n}'`).values);
    const rows = cols[0].length;
    cols.forEach((c, i) => {
      if (c.length !== rows) throw invalidParameter(`column '${names[i]}' has ${c.length} values; column '${names[0]}' has ${rows}`);
    });
    return feedsFromColumns(model, names, Array.from({ length: rows }, (_, r) => cols.map((c) => c[r])));
  }
  return feedsFromNamed(model, req.tensors);
}

function feedsFromNamed(model: ModelInterface, tensors: Record<string, NamedTensor>): Feeds {
  const expected = model.inputs.map((i) => i.name).join(', ');
  for (const name of Object.keys(tensors)) {
    if (!model.inputs.some((i) => i.name === name)) throw invalidParameter(`unexpected input '${name}'; the model's inputs are: ${expected}`);
  }
  const feeds: Record<string, Tensor> = {};
  let rows = -1;
  for (const spec of model.inputs) {
    const t = tensors[spec.name];
    const what = `input '${spec.name}'`;
    if (!t) throw invalidParameter(`missing input '${spec.name}'; the model's inputs are: ${expected}`);
    if (t.datatype !== undefined && !datatypeCompatible(t.datatype, spec.datatype)) throw invalidParameter(`${what}: expected datatype ${spec.datatype}, got ${t.datatype}`);
    const flat = flattenNested(t.data, what);
    let shape = t.shape ?? flat.shape;
    if (t.shape) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (n !== flat.values.length) throw invalidParameter(`${what}: shape ${fmtShape(t.shape)} needs ${n} values, got ${flat.values.length}`);
    }
    shape = fitShape(shape, spec, what);
    feeds[spec.name] = tensorFor(spec, shape, flat.values, what);
    const r = shape[0] ?? 1;
    if (rows >= 0 && r !== rows) throw invalidParameter(`${what} has ${r} rows; other inputs have ${rows}`);
    rows = r;
  }
  return { feeds, rows: Math.max(rows, 0) };
}

function feedsFromColumns(model: ModelInterface, columns: string[], rows: unknown[][]): Feeds {
  const sig = model.columns;
  // The columns a request must carry: the signature's, else one per ONNX input when the graph takes one tensor a column.
  const expectedColumns = sig ? sig.map((c) => c.name) : model.inputs.length > 1 ? model.inputs.map((i) => i.name) : null;
  if (expectedColumns) {
    const given = new Set(columns);
    const required = sig ? sig.filter((c) => c.required).map((c) => c.name) : expectedColumns;
    for (const c of required) if (!given.has(c)) throw invalidParameter(`missing column '${c}'; expected columns: ${expectedColumns.join(', ')}`);
    for (const c of columns) if (!expectedColumns.includes(c)) throw invalidParameter(`unexpected column '${c}'; expected columns: ${expectedColumns.join(', ')}`);
  }
  const n = rows.length;
  const columnValues = (name: string) => {
    const idx = columns.indexOf(name);
    return idx < 0 ? new Array(n).fill(null) : rows.map((r) => r[idx]);
  };
  // Signature types are checked first so the message names the column and its declared type.
  if (sig) {
    for (const c of sig) {
      const kind = KIND_BY_SIGNATURE[c.type];
      if (!kind) continue;
      const idx = columns.indexOf(c.name);
      // Checked in place; only a bad column is copied out, to say where and what.
      if (idx >= 0 && !columnOk(rows, idx, kind)) checkValues(columnValues(c.name), kind, `column '${c.name}'`, c.type);
    }
  }
  const feeds: Record<string, Tensor> = {};
  const inputNames = new Set(model.inputs.map((i) => i.name));
  const oneInputPerColumn = model.inputs.length > 1 || (model.inputs.length === 1 && columns.length === 1 && inputNames.has(columns[0]));
  if (oneInputPerColumn) {
    for (const spec of model.inputs) {
      if (!columns.includes(spec.name)) throw invalidParameter(`missing column '${spec.name}'; the model's inputs are: ${[...inputNames].join(', ')}`);
      const shape = fitShape([n], spec, `column '${spec.name}'`);
      feeds[spec.name] = tensorFor(spec, shape, columnValues(spec.name), `column '${spec.name}'`);
    }
    return { feeds, rows: n };
  }
  if (model.inputs.length !== 1) throw invalidParameter('the model has no inputs');
  const spec = model.inputs[0];
  const order = expectedColumns ?? columns;
  if (spec.shape.length !== 2) throw invalidParameter(`input '${spec.name}' has shape ${fmtShape(spec.shape)}; it cannot be fed from a table of columns`);
  const width = spec.shape[1];
  if (width >= 0 && width !== order.length) throw invalidParameter(`input '${spec.name}' expects ${width} features per row, got ${order.length} columns (${order.join(', ')})`);
  const kind = kindOf(spec.datatype);
  const idx = order.map((c) => columns.indexOf(c));
  // The common case, a float tensor from numbers: straight into the typed array, no intermediate copies.
  if (spec.datatype === 'FP32' || spec.datatype === 'FP64') {
    const data = floatTable(rows, idx, spec.datatype);
    if (data) return { feeds: { [spec.name]: { datatype: spec.datatype, shape: [n, order.length], data } }, rows: n };
    // A value that is not a number: the general path below names it.
  }
  const values: unknown[] = new Array(n * order.length);
  for (let r = 0; r < n; r++) for (let c = 0; c < idx.length; c++) values[r * idx.length + c] = idx[c] < 0 ? null : rows[r][idx[c]];
  for (let c = 0; c < order.length; c++) {
    checkValues(rows.map((row) => (idx[c] < 0 ? null : row[idx[c]])), kind, `column '${order[c]}'`, spec.datatype);
  }
  feeds[spec.name] = { datatype: spec.datatype, shape: [n, order.length], data: makeTensorData(spec.datatype, values.map((v) => (v === null ? NaN : v))) };
  return { feeds, rows: n };
}

/** True when every value of column `idx` is of `kind` (as checkValues accepts), without copying the column. */
function columnOk(rows: unknown[][], idx: number, kind: ValueKind): boolean {
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r][idx];
    const ok =
      kind === 'number' ? typeof v === 'number' || v === null
      : kind === 'integer' ? typeof v === 'number' && Number.isInteger(v)
      : kind === 'string' ? typeof v === 'string'
      : typeof v === 'boolean';
    if (!ok) return false;
  }
  return true;
}

/** Rows of numbers (null and absent columns as NaN) as one row-major float array; null when a value is not a number. */
function floatTable(rows: unknown[][], idx: number[], datatype: 'FP32' | 'FP64'): Float32Array | Float64Array | null {
  const width = idx.length;
  const out = datatype === 'FP32' ? new Float32Array(rows.length * width) : new Float64Array(rows.length * width);
  let o = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < width; c++) {
      const i = idx[c];
      const v = i < 0 ? null : row[i];
      if (typeof v === 'number') out[o++] = v;
      else if (v === null) out[o++] = NaN;
      else return null;
    }
  }
  return out;
}
