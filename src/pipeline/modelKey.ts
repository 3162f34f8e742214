/**
 * The content key of a model handed to the live pipeline: the inference side keeps one built
 * model per key, and the host sends a model's bytes only while the inference side lacks its key.
 */
import { sha256Hex } from '../models/loader';
import type { ModelTaskArtifacts, ModelTaskSpec } from './protocol';

/** Identifies a model by its format, topology, weight layout and weight bytes. */
export async function modelContentKey(
  format: ModelTaskSpec['format'],
  artifacts: ModelTaskArtifacts,
): Promise<string> {
  const { modelTopology, weightSpecs, weightData } = artifacts;
  const layout = JSON.stringify([format, modelTopology, weightSpecs]);
  const [a, b] = await Promise.all([
    sha256Hex(new TextEncoder().encode(layout).buffer),
    sha256Hex(weightData),
  ]);
  return `${a}:${b}`;
}
