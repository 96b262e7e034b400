import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A column of an MLflow column-based signature (`{"type": "double", "name": "x", "required": true}`). */
export interface ColumnSpec {
  name: string;
  /** MLflow DataType: double, float, long, integer, string, boolean, binary, datetime. */
  type: string;
  required: boolean;
}

export interface ModelFiles {
  onnxPath: string;
  /** Column-based input signature from MLmodel; null when absent or tensor-based (ONNX metadata then rules). */
  columns: ColumnSpec[] | null;
  /** The MLmodel's flavors, for metadata answers. */
  flavors: string[];
}

/**
 * Finds the ONNX file of a model location: an MLflow model directory (MLmodel with an `onnx` flavor,
 * as written by `mlflow.onnx.log_model`), a directory holding one `.onnx` file, or an `.onnx` file.
 */
export async function locateModelFiles(path: string): Promise<ModelFiles> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new Error(`model path ${path} does not exist`);
  if (!st.isDirectory()) return { onnxPath: path, columns: null, flavors: [] };
  const entries = await readdir(path);
  if (entries.includes('MLmodel')) {
    const mlmodel = parseYaml(await readFile(join(path, 'MLmodel'), 'utf8')) as Record<string, any>;
    const flavors = Object.keys(mlmodel.flavors ?? {});
    const data = mlmodel.flavors?.onnx?.data ?? mlmodel.flavors?.python_function?.data;
    if (!mlmodel.flavors?.onnx && !entries.some((e) => e.endsWith('.onnx'))) {
      throw new Error(`model at ${path} has flavors [${flavors.join(', ')}]; Pharos serves ONNX models (log with mlflow.onnx.log_model)`);
    }
    const onnxFile = typeof data === 'string' ? data : entries.find((e) => e.endsWith('.onnx'));
    return { onnxPath: join(path, onnxFile!), columns: parseColumnSignature(mlmodel.signature?.inputs), flavors };
  }
  const onnx = entries.filter((e) => e.endsWith('.onnx'));
  if (onnx.length !== 1) throw new Error(`model directory ${path} has no MLmodel and ${onnx.length} .onnx files; expected one`);
  return { onnxPath: join(path, onnx[0]), columns: null, flavors: [] };
}

export function parseColumnSignature(inputs: unknown): ColumnSpec[] | null {
  if (inputs === undefined || inputs === null) return null;
  let parsed: unknown = inputs;
  if (typeof inputs === 'string') {
    try {
      parsed = JSON.parse(inputs);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return null;
  if (parsed.some((c) => typeof c !== 'object' || c === null || typeof c.name !== 'string' || typeof c.type !== 'string' || c.type === 'tensor')) return null;
  return parsed.map((c) => ({ name: c.name, type: c.type, required: c.required !== false }));
}
