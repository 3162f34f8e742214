/// <reference lib="webworker" />
/**
 * The decode worker: sniffs, decodes (EXIF-oriented, huge images downscaled), crops and resizes
 * off the main thread, and transfers the pixel buffer back so nothing is copied twice.
 */
import { decodeImage, type DecodeOutcome, type DecodeRequest } from './decodeCore';

export interface WorkerJob {
  jobId: number;
  blob: Blob;
  req: DecodeRequest;
}

export interface WorkerReply {
  jobId: number;
  outcome: DecodeOutcome;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (ev: MessageEvent<WorkerJob>) => {
  const { jobId, blob, req } = ev.data;
  const outcome = await decodeImage(blob, req);
  const transfer: Transferable[] = [];
  if (outcome.ok && outcome.pixels) transfer.push(outcome.pixels.buffer as ArrayBuffer);
  scope.postMessage({ jobId, outcome } satisfies WorkerReply, transfer);
};
