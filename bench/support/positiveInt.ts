/** A command-line integer ≥ 1 (underscores allowed: `1_000_000`); throws naming the flag otherwise. */
export function positiveInt(name: string, text: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not '${text}'`);
  return value;
}
