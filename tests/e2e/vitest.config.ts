import { defineConfig } from 'vitest/config';

// Browser tests: one file at a time (2 cores, and SwiftShader WebGPU is CPU-bound), long timeouts
// because the first pass on a software adapter compiles shaders for seconds.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.spec.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
