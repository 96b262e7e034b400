import { invalidParameter } from '../../core/errors.ts';

/**
 * A prediction request, whatever protocol carried it:
 * - `columns`: a table (MLflow `dataframe_split` / `dataframe_records`, or `instances`/`inputs` given as records);
 * - `named`: one tensor a model input (Open Inference Protocol `inputs`, or MLflow `inputs`/`instances` as a dict);
 * - `tensor`: one unnamed tensor (MLflow `instances`/`inputs` as a list of lists).
 */
export type PredictionRequest =
  | { kind: 'columns'; columns: string[]; rows: unknown[][] }
  | { kind: 'named'; tensors: Record<string, NamedTensor> }
  | { kind: 'tensor'; data: unknown[] };

export interface NamedTensor {
  data: unknown;
  /** Given by OIP clients; inferred from nesting otherwise. */
  shape?: number[];
  /** OIP datatype (FP32, INT64, BYTES, ...). */
  datatype?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** MLflow scoring protocol body (what `mlflow models serve` accepts as JSON). */
export function parseMlflowScoringBody(body: unknown): PredictionRequest {
  if (!isRecord(body)) throw invalidParameter('Request body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs');
  const keys = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'].filter((k) => k in body);
  if (keys.length !== 1) {
    throw invalidParameter(
      keys.length === 0
        ? `Request body must have one of dataframe_split, dataframe_records, instances, inputs; got keys: ${Object.keys(body).join(', ') || '(none)'}`
        : `Request body must have exactly one of dataframe_split, dataframe_records, instances, inputs; got ${keys.join(', ')}`,
    );
  }
  const key = keys[0];
  const value = body[key];
  if (key === 'dataframe_split') {
    if (!isRecord(value) || !Array.isArray(value.data)) throw invalidParameter("dataframe_split must be an object with 'columns' and 'data' arrays");
    const data = value.data as unknown[];
    const columns = Array.isArray(value.columns) ? value.columns.map(String) : null;
    if (!columns) throw invalidParameter("dataframe_split needs 'columns' naming the features");
    data.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== columns.length) throw invalidParameter(`dataframe_split row ${i} has ${Array.isArray(row) ? row.length : 'no'} values; expected ${columns.length} (one a column)`);
    });
    return { kind: 'columns', columns, rows: data as unknown[][] };
  }
  if (key === 'dataframe_records') {
    if (!Array.isArray(value)) throw invalidParameter('dataframe_records must be a list of {column: value} objects');
    return recordsToColumns(value, 'dataframe_records');
  }
  // instances / inputs (TF-serving style)
  if (isRecord(value)) {
    const tensors: Record<string, NamedTensor> = {};
    for (const [name, data] of Object.entries(value)) tensors[name] = { data };
    return { kind: 'named', tensors };
  }
  if (!Array.isArray(value)) throw invalidParameter(`${key} must be a list of rows, a list of records, or an object of named tensors`);
  if (value.length > 0 && value.every(isRecord)) return recordsToColumns(value, key);
  return { kind: 'tensor', data: value };
}

function recordsToColumns(records: unknown[], what: string): PredictionRequest {
  const columns: string[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    if (!isRecord(r)) throw invalidParameter(`${what}[${i}] must be an object of column values`);
    for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), columns.push(k));
  });
  const rows = records.map((r) => columns.map((c) => (r as Record<string, unknown>)[c]));
  return { kind: 'columns', columns, rows };
}

/** Open Inference Protocol v2 request body: `{inputs: [{name, shape, datatype, data}], ...}`. */
export function parseOipBody(body: unknown): PredictionRequest {
  if (!isRecord(body) || !Array.isArray(body.inputs)) throw invalidParameter("Request body must be an object with an 'inputs' list of {name, shape, datatype, data}");
  const tensors: Record<string, NamedTensor> = {};
  body.inputs.forEach((inp, i) => {
    if (!isRecord(inp) || typeof inp.name !== 'string') throw invalidParameter(`inputs[${i}] must have a string 'name'`);
    if (!Array.isArray(inp.shape) || !inp.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw invalidParameter(`input '${inp.name}': 'shape' must be a list of non-negative integers`);
    if (typeof inp.datatype !== 'string') throw invalidParameter(`input '${inp.name}': 'datatype' must be a string such as FP32, INT64, BYTES`);
    if (!('data' in inp)) throw invalidParameter(`input '${inp.name}': 'data' is missing`);
    if (inp.name in tensors) throw invalidParameter(`input '${inp.name}' is given twice`);
    tensors[inp.name] = { data: inp.data, shape: inp.shape as number[], datatype: inp.datatype.toUpperCase() };
  });
  return { kind: 'named', tensors };
}
