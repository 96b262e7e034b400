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
  const perOutput = Object.entries(outputs).map(([name, t]) => {
    const flat = toPlainArray(t.data, t.datatype);
    const width = rows === 0 ? 0 : flat.length / rows;
    const z = zipMaps.find((m) => m.output === name);
    const rowValue = (r: number): unknown => {
      if (z) return Object.fromEntries(z.labels.map((label, i) => [String(label), flat[r * width + i]]));
      return width === 1 ? flat[r] : flat.slice(r * width, (r + 1) * width);
    };
    return { name, rowValue };
  });
  if (perOutput.length === 1) return Array.from({ length: rows }, (_, r) => perOutput[0].rowValue(r));
  return Array.from({ length: rows }, (_, r) => Object.fromEntries(perOutput.map((o) => [o.name, o.rowValue(r)])));
}
