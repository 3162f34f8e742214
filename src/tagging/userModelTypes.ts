/** A user's own classifier as kept in IndexedDB. */
export interface UserModelRecord {
  /** "user:<slug>-<sha8>" */
  id: string;
  name: string;
  format: 'layers' | 'graph';
  /** The model.json as parsed, weights by their manifest path. */
  modelJson: object;
  modelJsonSha256: string;
  weights: Record<string, ArrayBuffer>;
  labels: string[];
  input: { width: number; height: number; range: [number, number] };
  output: { classes: number; kind: 'probabilities' | 'logits' };
  addedAt: number;
}
