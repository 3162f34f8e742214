/**
 * The one place the app imports TensorFlow.js and its backends from, so every module shares a
 * single engine instance and the backend registration happens exactly once.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerChunkedTopK } from './topk';

// The app serves the wasm binaries itself (see vite.config.ts), never from a CDN.
setWasmPaths(`${import.meta.env.BASE_URL}tfjs-wasm/`);
// Threads need cross-origin isolation and hang in minified builds; the SIMD build is fast enough.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
// Graph models' TopKV2 without sorting whole rows (CenterNet's 1.3M-value top-100); exact.
registerChunkedTopK();

export { tf };
export type Tensor = tf.Tensor;
