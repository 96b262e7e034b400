import { parentPort, workerData } from 'node:worker_threads';
import { createSession, runSession } from './onnx-session.ts';
import type { Tensor } from './tensor.ts';

/** A worker thread holding one onnxruntime session: runs batches off the main thread so HTTP never waits on a model. */
const { bytes, fetch } = workerData as { bytes: Uint8Array; fetch: string[] };
const port = parentPort!;
createSession(bytes).then(
  (session) => {
    port.postMessage({ ready: true });
    port.on('message', async (msg: { id: number; feeds: Record<string, Tensor> }) => {
      try {
        const outputs = await runSession(session, msg.feeds, fetch);
        port.postMessage({ id: msg.id, outputs });
      } catch (e) {
        port.postMessage({ id: msg.id, error: (e as Error).message });
      }
    });
  },
  (e: Error) => port.postMessage({ ready: false, error: e.message }),
);
