/**
 * The inference worker: receives transferred ImageBitmaps and replies with results, so the UI
 * thread only draws. See protocol.ts for the messages and core.ts for the work.
 */
import { InferenceCore } from './core';

const core = new InferenceCore((msg, transfer) => self.postMessage(msg, { transfer }), false);
self.addEventListener('message', (e: MessageEvent) => core.receive(e.data));
