/**
 * `frame-convert`: what it costs the Live worker to turn one camera frame (a transferred
 * 640x480 `VideoFrame` from Chromium's fake webcam) into the pixels a 224 classifier needs
 * (299x224 RGBA), by each way the browser offers, in one page session with the order of the
 * ways alternated frame by frame:
 *  - a scaled `drawImage` into a CPU-backed OffscreenCanvas + `getImageData`, per
 *    `imageSmoothingQuality` (the worker's path on wasm/cpu);
 *  - a scaled `createImageBitmap`, then drawn and read the same way (the older path);
 *  - `VideoFrame.copyTo` into full-size RGBA (no scaling yet: a lower bound for that way).
 * Each way's pixels are compared, on the first frame, with a bilinear resize of the photo the
 * camera shows (its RGB before the camera's YUV) and of the `copyTo` pixels.
 * On webgpu it also tries importing the frame into WebGPU in a worker (`importExternalTexture`
 * and `copyExternalImageToTexture`, then a compute shader that samples it to 299x224), each in
 * its own page, next to a control that copies an ImageBitmap of the frame instead, and records
 * what happened (on SwiftShader the frame imports lose the device or crash the renderer).
 */
import type { Page } from 'playwright-core';
import type { BenchRow, Workload, WorkloadContext } from './types';
import { summarise } from './types';
import { execFileSync } from 'node:child_process';
import { CLIP_FILTER, clip30, PHOTO } from './liveLoop';
import { cocoImage, requireShared } from '../../../tests/harness/data';

const W = 299;
const H = 224;

/** The worker: one message per frame, `{ frame, way }`, answered with `{ ms, diff? }`. */
const WORKER = `
const W = ${W}, H = ${H};
// One canvas per size, as the Live worker keeps one for its one working size: resizing a shared
// one would bill its reallocation to whichever way follows a size change.
const canvases = new Map();
function scratch(w, h) {
  const key = w + 'x' + h;
  if (!canvases.has(key)) {
    canvases.set(key, new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true }));
  }
  return canvases.get(key);
}
// A way is "kind-quality", optionally "@WxH" for another output size (default W x H).
function sizeOf(way) {
  const m = /@(\\d+)x(\\d+)$/.exec(way);
  return m ? [Number(m[1]), Number(m[2])] : [W, H];
}
async function pixels(frame, way) {
  const [w, h] = sizeOf(way);
  const kind = way.split('@')[0];
  if (kind.startsWith('canvas-')) {
    const c = scratch(w, h);
    c.imageSmoothingEnabled = true;
    c.imageSmoothingQuality = kind.slice(7);
    c.drawImage(frame, 0, 0, w, h);
    return c.getImageData(0, 0, w, h).data;
  }
  if (kind.startsWith('bitmap-')) {
    const b = await createImageBitmap(frame, { resizeWidth: w, resizeHeight: h, resizeQuality: kind.slice(7) });
    const c = scratch(w, h);
    c.drawImage(b, 0, 0);
    b.close();
    return c.getImageData(0, 0, w, h).data;
  }
  if (kind === 'copyTo-rgba') return fullRgba(frame);
  throw new Error('unknown way ' + way);
}
async function fullRgba(frame) {
  const opts = { format: 'RGBA', colorSpace: 'srgb' };
  const out = new Uint8Array(frame.allocationSize(opts));
  await frame.copyTo(out, opts);
  return out;
}
// Bilinear with half-pixel centres (tf.image.resizeBilinear's), from full-size RGBA.
function bilinear(src, sw, sh) {
  const out = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const fy = Math.max(0, (y + 0.5) * sh / H - 0.5), y0 = Math.floor(fy), y1 = Math.min(sh - 1, y0 + 1), dy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.max(0, (x + 0.5) * sw / W - 0.5), x0 = Math.floor(fx), x1 = Math.min(sw - 1, x0 + 1), dx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * sw + x0) * 4 + c], b = src[(y0 * sw + x1) * 4 + c];
        const d = src[(y1 * sw + x0) * 4 + c], e = src[(y1 * sw + x1) * 4 + c];
        out[(y * W + x) * 3 + c] = (a * (1 - dx) + b * dx) * (1 - dy) + (d * (1 - dx) + e * dx) * dy;
      }
    }
  }
  return out;
}
const SHADER = (external) => \`
@group(0) @binding(0) var src: \${external ? 'texture_external' : 'texture_2d<f32>'};
@group(0) @binding(1) var samp: sampler;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x >= \${W}u || id.y >= \${H}u) { return; }
  let uv = (vec2<f32>(id.xy) + 0.5) / vec2<f32>(\${W}.0, \${H}.0);
  let c = \${external ? 'textureSampleBaseClampToEdge(src, samp, uv)' : 'textureSampleLevel(src, samp, uv, 0.0)'};
  let i = (id.y * \${W}u + id.x) * 3u;
  out[i] = i32(round(c.r * 255.0));
  out[i + 1u] = i32(round(c.g * 255.0));
  out[i + 2u] = i32(round(c.b * 255.0));
}\`;
let device;
async function webgpu(frame, way) {
  if (!device) device = await (await navigator.gpu.requestAdapter()).requestDevice();
  const external = way === 'webgpu-import';
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: SHADER(external) }), entryPoint: 'main' },
  });
  const t0 = performance.now();
  let resource;
  if (external) resource = device.importExternalTexture({ source: frame });
  else {
    const size = [frame.displayWidth, frame.displayHeight];
    // The control: the frame as an ImageBitmap first, the way tfjs uploads it in the Live worker.
    const source = way === 'webgpu-bitmap' ? await createImageBitmap(frame) : frame;
    const tex = device.createTexture({ size, format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT });
    device.queue.copyExternalImageToTexture({ source }, { texture: tex }, size);
    if (source !== frame) source.close();
    resource = tex.createView();
  }
  const bytes = W * H * 3 * 4;
  const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [
    { binding: 0, resource }, { binding: 1, resource: device.createSampler({ magFilter: 'linear', minFilter: 'linear' }) },
    { binding: 2, resource: { buffer: out } } ] });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline); pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8)); pass.end();
  enc.copyBufferToBuffer(out, 0, read, 0, bytes);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  read.unmap();
  return performance.now() - t0;
}
// The photo itself, letterboxed to 640x480 RGB by ffmpeg before it became the camera's YUV:
// what a faithful conversion should come close to.
let photo;
async function photoAt299() {
  photo ??= bilinear(new Uint8Array(await (await fetch('/__convert__/photo.rgba')).arrayBuffer()), 640, 480);
  return photo;
}
function meanAbsDiff(a, stride, ref) {
  let s = 0;
  for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) s += Math.abs(a[i * stride + c] - ref[i * 3 + c]);
  return s / (W * H * 3);
}
onmessage = async (e) => {
  const { frame, way, compare } = e.data;
  try {
    if (way.startsWith('webgpu-')) return postMessage({ ms: await webgpu(frame, way) });
    const ref = compare ? bilinear(await fullRgba(frame), frame.displayWidth, frame.displayHeight) : null;
    const t0 = performance.now();
    const px = await pixels(frame, way);
    const ms = performance.now() - t0;
    let diff, diffPhoto;
    if (ref && !way.includes('@')) {
      if (way === 'copyTo-rgba') diffPhoto = meanAbsDiff(ref, 3, await photoAt299());
      else {
        diff = meanAbsDiff(px, 4, ref);
        diffPhoto = meanAbsDiff(px, 4, await photoAt299());
      }
    }
    postMessage({ ms, diff, diffPhoto });
  } catch (err) {
    postMessage({ error: String(err) });
  } finally {
    frame.close();
  }
};
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>frame-convert</title>
<video id="v" autoplay muted playsinline></video>
<script type="module">
const v = document.getElementById('v');
v.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
await new Promise((r) => (v.onloadeddata = r));
const worker = new Worker('/__convert__/worker.js');
const send = (way, compare) =>
  new Promise((resolve) => {
    const frame = new VideoFrame(v);
    worker.onmessage = (e) => resolve(e.data);
    worker.postMessage({ frame, way, compare }, [frame]);
  });
window.convert = async (ways, frames) => {
  const out = Object.fromEntries(
    ways.map((w) => [w, { ms: [], diff: null, diffPhoto: null, error: null }]),
  );
  for (let i = 0; i < frames; i++) {
    // Alternate the order so that drift and warm caches hit every way alike.
    for (const way of i % 2 ? [...ways].reverse() : ways) {
      await new Promise((r) => v.requestVideoFrameCallback(() => r()));
      const r = await send(way, i === 0);
      if (r.error) out[way].error = r.error;
      else {
        out[way].ms.push(r.ms);
        if (r.diff !== undefined) out[way].diff = r.diff;
        if (r.diffPhoto !== undefined) out[way].diffPhoto = r.diffPhoto;
      }
    }
  }
  return out;
};
window.convertReady = true;
</script>`;

const CPU_WAYS = [
  'canvas-low',
  'canvas-medium',
  'canvas-high',
  'bitmap-low',
  'bitmap-medium',
  'copyTo-rgba',
  // Detection needs the frame at full size (CenterNet takes 512x512): no scaling, only the copy.
  'canvas-medium@640x480',
  'bitmap-low@640x480',
];
const GPU_WAYS = ['webgpu-bitmap', 'webgpu-import', 'webgpu-copy'];

const WHAT: Record<string, string> = {
  // Every way runs in the worker on a transferred 640x480 camera VideoFrame.
  'canvas-low': 'drawImage into a CPU canvas (quality low) + getImageData',
  'canvas-medium': 'drawImage into a CPU canvas (quality medium, the Live path) + getImageData',
  'canvas-high': 'drawImage into a CPU canvas (quality high) + getImageData',
  'bitmap-low': 'createImageBitmap (quality low) + draw + getImageData',
  'bitmap-medium': 'createImageBitmap (quality medium) + draw + getImageData',
  'copyTo-rgba': 'VideoFrame.copyTo full-size RGBA (not yet scaled)',
  'canvas-medium@640x480': 'drawImage into a CPU canvas + getImageData, at full size 640x480',
  'bitmap-low@640x480': 'createImageBitmap + draw + getImageData, at full size 640x480',
  'webgpu-import': 'WebGPU importExternalTexture + sampling shader + readback',
  'webgpu-copy': 'WebGPU copyExternalImageToTexture + sampling shader + readback',
  'webgpu-bitmap': 'WebGPU, via an ImageBitmap (the control) + sampling shader + readback',
};

interface WayResult {
  ms: number[];
  diff: number | null;
  diffPhoto: number | null;
  error: string | null;
}

/** The camera's photo before YUV: letterboxed to 640x480 as clip30 does it, as RGBA bytes. */
function photoRgba(): Buffer {
  const rgb = execFileSync(
    'ffmpeg',
    ['-loglevel', 'error', '-i', cocoImage(PHOTO), '-vf', CLIP_FILTER, '-frames:v', '1'].concat([
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      '-',
    ]),
    { maxBuffer: 16 << 20 },
  );
  const rgba = Buffer.alloc((rgb.length / 3) * 4, 255);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) rgb.copy(rgba, j, i, i + 3);
  return rgba;
}

/** The probe page in a context of its own (the app's service worker must not answer it). */
async function probePage(page: Page): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = page.context().browser();
  const context = browser ? await browser.newContext({ serviceWorkers: 'block' }) : page.context();
  const p = await context.newPage();
  await p.route('**/__convert__/**', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    if (name === 'photo.rgba') return route.fulfill({ body: photoRgba() });
    return name === 'worker.js'
      ? route.fulfill({ body: WORKER, contentType: 'text/javascript' })
      : route.fulfill({ body: PAGE, contentType: 'text/html' });
  });
  await p.goto(new URL('/__convert__/index.html', page.url()).href);
  await p.waitForFunction(() => (window as unknown as { convertReady?: boolean }).convertReady);
  return {
    page: p,
    close: async () => {
      await p.close().catch(() => undefined);
      if (context !== page.context()) await context.close();
    },
  };
}

type Convert = (ways: string[], frames: number) => Promise<Record<string, WayResult>>;

async function convert(page: Page, ways: string[], frames: number) {
  return page.evaluate(([w, n]) => (window as unknown as { convert: Convert }).convert(w, n), [
    ways,
    frames,
  ] as const);
}

async function run(ctx: WorkloadContext): Promise<BenchRow[]> {
  requireShared();
  const frames = Math.max(ctx.runs, 100);
  const h = await ctx.app.open(ctx.backend, { fakeVideo: clip30() });
  const base = { workload: 'frame-convert', backend: ctx.backend };
  const rows: BenchRow[] = [];
  try {
    ctx.log(`frame-convert ${ctx.backend}: ${CPU_WAYS.length} ways, ${frames} frames each`);
    const probe = await probePage(h.page);
    let results: Record<string, WayResult>;
    try {
      results = await convert(probe.page, CPU_WAYS, frames);
    } finally {
      await probe.close();
    }
    for (const way of CPU_WAYS) {
      const r = results[way];
      if (!r.ms.length) continue;
      const extra = {
        ...(r.diffPhoto !== null ? { meanAbsDiffVsPhoto: Number(r.diffPhoto.toFixed(2)) } : {}),
        ...(r.diff !== null ? { meanAbsDiffVsCopyTo: Number(r.diff.toFixed(2)) } : {}),
        ...(r.error ? { error: r.error } : {}),
      };
      rows.push({
        ...summarise({ ...base, model: way, metric: WHAT[way], unit: 'ms' }, r.ms),
        ...(Object.keys(extra).length ? { extra } : {}),
      });
    }
    if (ctx.backend === 'webgpu') {
      // Each in a page of its own: on SwiftShader the renderer crashes on the first frame.
      for (const way of GPU_WAYS) {
        ctx.log(`frame-convert webgpu: ${way}`);
        const gp = await probePage(h.page);
        let crashed = false;
        gp.page.on('crash', () => (crashed = true));
        try {
          const r = (await convert(gp.page, [way], Math.min(frames, 10)))[way];
          rows.push({
            ...summarise(
              { ...base, model: way, metric: WHAT[way], unit: 'ms' },
              r.ms.length ? r.ms : [NaN],
            ),
            extra: { ...(r.error ? { error: r.error } : {}), framesDone: r.ms.length },
          });
        } catch (e) {
          rows.push({
            ...summarise({ ...base, model: way, metric: WHAT[way], unit: 'ms' }, [NaN]),
            extra: {
              outcome: crashed ? 'the renderer crashed' : (e as Error).message.split('\n')[0],
            },
          });
        } finally {
          await gp.close();
        }
      }
    }
    return rows;
  } finally {
    await h.close();
  }
}

export const frameConvertWorkload: Workload = {
  name: 'frame-convert',
  description:
    'the Live worker turning a 640x480 camera VideoFrame into 299x224 pixels, by each way the browser offers',
  backends: ['wasm'],
  run,
};
