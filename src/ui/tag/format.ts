export const pct = (p: number | null | undefined) =>
  p === null || p === undefined ? '' : `${(p * 100).toFixed(p >= 0.995 || p < 0.1 ? 1 : 0)}%`;

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/**
 * Control and invisible format characters (Unicode Cc and Cf: bidi overrides and isolates,
 * LRM/RLM, zero-width spaces, BOM…), which can make "invoice\u202Egpj.exe" look like
 * "invoiceexe.jpg". The zero-width (non-)joiners are kept: emoji and many scripts need them.
 */
const INVISIBLE_CONTROLS = /(?![\u200c\u200d])[\p{Cc}\p{Cf}]/gu;

/** A file name as shown to the user: invisible controls appear as ⟨U+XXXX⟩ instead of acting. */
export function visibleName(name: string): string {
  return name.replace(
    INVISIBLE_CONTROLS,
    (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}
