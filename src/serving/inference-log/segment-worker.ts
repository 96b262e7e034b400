import { parentPort } from 'node:worker_threads';
import { writeSegmentFile, type SegmentJob } from './segment-file.ts';

/** Encodes and writes inference-log segments off the event loop, in the order they arrive. */
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: { id: number; job: SegmentJob }) => {
  chain = chain.then(() =>
    writeSegmentFile(msg.job).then(
      () => parentPort!.postMessage({ id: msg.id }),
      (e: Error) => parentPort!.postMessage({ id: msg.id, error: e.message }),
    ),
  );
});
