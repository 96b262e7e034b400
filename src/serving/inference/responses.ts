import type { ZipMapOutput } from '../onnx/onnx-graph.ts';
import { toPlainArray, type Tensor } from '../onnx/tensor.ts';

export interface OipOutput {
  name: string;
  datatype: string;
  shape: number[];
  data: Array<number | string | boolean>;
  parameters?: Record<string, unknown>;
}

/** Open Inference Protocol outputs; a ZipMap output carries its class labels as a parameter. */
export function oipOutputs(outputs: Record<string, Tensor>, zipMaps: ZipMapOutput[]): OipOutput[] {
  return Object.entries(outputs).map(([name, t]) => {
    const z = zipMaps.find((m) => m.output === name);
    const out: OipOutput = { name, datatype: t.datatype, shape: t.shape, data: toPlainArray(t.data, t.datatype) };
    if (z) out.parameters = { class_labels: z.labels };
    return out;
  });
}

/**
 * The MLflow scoring answer for an ONNX model. MLflow's ONNX pyfunc returns a DataFrame with a column an
 * output, which the scoring server writes as records: `[{output_label: 1, output_probability: {...}}, ...]`.
 * A single-output model answers a plain list of per-row values (a scalar when the output has one value a row).
 * ZipMap outputs come back as {label: probability}, as onnxruntime's Python API returns them.
 */
export function mlflowPredictions(outputs: Record<string, Tensor>, zipMaps: ZipMapOutput[], rows: number): unknown[] {
  const perOutput: Array<{ name: string; rowValue: (r: number) => unknown }> = [];
  for (const name of Object.keys(outputs)) {
    const t = outputs[name];
    // Values read in place (int64 as numbers, bool as booleans): no plain copy of the whole tensor first.
    const at = plainReader(t);
    const width = rows === 0 ? 0 : t.data.length / rows;
    const z = zipMaps.find((m) => m.output === name);
    let rowValue: (r: number) => unknown;
    if (z) {
      const labels = z.labels.map(String);
      rowValue = (r) => {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < labels.length; i++) o[labels[i]] = at(r * width + i);
        return o;
      };
    } else if (width === 1) rowValue = at;
    else rowValue = (r) => Array.from({ length: width }, (_, i) => at(r * width + i));
    perOutput.push({ name, rowValue });
  }
  const out = new Array<unknown>(rows);
  if (perOutput.length === 1) {
    const { rowValue } = perOutput[0];
    for (let r = 0; r < rows; r++) out[r] = rowValue(r);
    return out;
  }
  for (let r = 0; r < rows; r++) {
    const o: Record<string, unknown> = {};
    for (const p of perOutput) o[p.name] = p.rowValue(r);
    out[r] = o;
  }
  return out;
}

/** Reads one value of a tensor as JSON-safe plain value (as toPlainArray would give it). */
function plainReader(t: Tensor): (i: number) => number | string | boolean {
  const d = t.data;
  if (Array.isArray(d)) return (i) => d[i];
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return (i) => Number(d[i]);
  if (t.datatype === 'BOOL') return (i) => (d as Uint8Array)[i] !== 0;
  return (i) => (d as Exclude<typeof d, string[] | BigInt64Array | BigUint64Array>)[i];
}
