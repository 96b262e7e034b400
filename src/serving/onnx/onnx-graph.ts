import protobuf from 'protobufjs';
import { ONNX_SUBSET_PROTO } from './onnx-schema.ts';

const root = protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root;
const ModelProto = root.lookupType('pharos.onnx.ModelProto');

/** Open Inference Protocol v2 datatypes, indexed by ONNX `TensorProto.DataType`. */
const OIP_BY_ONNX: Record<number, OipDatatype> = {
  1: 'FP32', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'BYTES', 9: 'BOOL', 10: 'FP16', 11: 'FP64', 12: 'UINT32', 13: 'UINT64',
};

export type OipDatatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

/** A graph input or output as clients see it. `shape` uses -1 for a free (batch) dimension, like OIP metadata. */
export interface TensorSpec {
  name: string;
  datatype: OipDatatype;
  shape: number[];
}

/** A ZipMap output served as its probability tensor; `labels` name the tensor's columns in order. */
export interface ZipMapOutput {
  /** The model's original output name (e.g. `output_probability`): clients keep using it. */
  output: string;
  /** The tensor that fed ZipMap, promoted to a graph output. */
  tensor: string;
  labels: Array<string | number>;
}

export interface PreparedOnnxGraph {
  /** The bytes to give onnxruntime: the original model, or its rewrite when ZipMap outputs were replaced. */
  bytes: Uint8Array;
  inputs: TensorSpec[];
  /** Tensor outputs onnxruntime returns (after the rewrite). */
  outputs: TensorSpec[];
  zipMaps: ZipMapOutput[];
  /** Outputs that stay non-tensor (sequences, maps not made by ZipMap): never fetched. */
  droppedOutputs: string[];
  producer: string | null;
}

interface DimJson { dim_value?: number | { toNumber(): number }; dim_param?: string }
interface ValueInfoJson { name: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimJson[] } }; [k: string]: unknown } }
interface AttributeJson { name: string; ints?: Array<number | { toNumber(): number }>; strings?: Uint8Array[] }
interface NodeJson { input?: string[]; output?: string[]; op_type?: string; domain?: string; attribute?: AttributeJson[] }

const num = (v: number | { toNumber(): number }) => (typeof v === 'number' ? v : v.toNumber());

function tensorSpec(v: ValueInfoJson): TensorSpec | null {
  const t = v.type?.tensor_type;
  if (!t) return null;
  const datatype = OIP_BY_ONNX[t.elem_type ?? 0];
  if (!datatype) return null;
  const shape = (t.shape?.dim ?? []).map((d) => (Object.prototype.hasOwnProperty.call(d, 'dim_value') && d.dim_value != null ? num(d.dim_value) : -1));
  return { name: v.name, datatype, shape };
}

/**
 * Reads an ONNX model's interface and makes it servable by onnxruntime-node, which cannot return
 * non-tensor values: a skl2onnx classifier's default ZipMap output (a sequence of maps) fails at run().
 * Each ZipMap whose result is a graph output is removed and the probability tensor feeding it becomes the
 * output instead; the ZipMap's class labels are kept so answers can still name the classes.
 */
export function prepareOnnxGraph(bytes: Uint8Array): PreparedOnnxGraph {
  let model: protobuf.Message & Record<string, any>;
  try {
    model = ModelProto.decode(bytes) as protobuf.Message & Record<string, any>;
  } catch (e) {
    throw new Error(`not a valid ONNX model: ${(e as Error).message}`);
  }
  const graph = model.graph as { node?: NodeJson[]; input?: ValueInfoJson[]; output?: ValueInfoJson[] } | undefined;
  if (!graph) throw new Error('not a valid ONNX model: no graph');
  const nodes = graph.node ?? [];
  const outputs = graph.output ?? [];
  const outputNames = new Set(outputs.map((o) => o.name));
  const zipMaps: ZipMapOutput[] = [];
  const removedNodes = new Set<NodeJson>();
  for (const node of nodes) {
    if (node.op_type !== 'ZipMap' || !node.input?.[0] || !node.output?.[0] || !outputNames.has(node.output[0])) continue;
    const attr = (n: string) => node.attribute?.find((a) => a.name === n);
    const labels: Array<string | number> =
      attr('classlabels_int64s')?.ints?.map(num) ?? attr('classlabels_strings')?.strings?.map((s) => Buffer.from(s).toString('utf8')) ?? [];
    zipMaps.push({ output: node.output[0], tensor: node.input[0], labels });
    removedNodes.add(node);
  }
  let out = bytes;
  if (zipMaps.length > 0) {
    const g = model.graph as Record<string, any>;
    g.node = nodes.filter((n) => !removedNodes.has(n));
    const replaced = new Map(zipMaps.map((z) => [z.output, z]));
    g.output = outputs.flatMap((o) => {
      const z = replaced.get(o.name);
      if (!z) return [o];
      if (outputNames.has(z.tensor)) return [];
      return [{ name: z.tensor, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: z.labels.length }] } } } }];
    });
    // Everything not touched (initializers, other nodes, opsets, metadata) is re-encoded from the decoded message as it was.
    out = ModelProto.encode(model).finish();
  }
  const finalGraph = (zipMaps.length > 0 ? (ModelProto.decode(out) as any).graph : graph) as typeof graph & {};
  const inputs = (finalGraph.input ?? []).map(tensorSpec).filter((s): s is TensorSpec => s !== null);
  const tensorOutputs: TensorSpec[] = [];
  const droppedOutputs: string[] = [];
  for (const o of finalGraph.output ?? []) {
    const s = tensorSpec(o);
    if (s) tensorOutputs.push(s);
    else droppedOutputs.push(o.name);
  }
  return { bytes: out, inputs, outputs: tensorOutputs, zipMaps, droppedOutputs, producer: (model.producer_name as string) || null };
}
