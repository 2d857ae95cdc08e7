/**
 * `markdown` with the generated block between `start` and `end` replaced by `block` (which
 * carries the markers itself); when there is none yet, the block goes at the end of the
 * section headed `heading` (before the next `## ` heading), and the section is appended when
 * there is no such heading either.
 */
export function replaceBlock(markdown: string, start: string, end: string, block: string, heading: string): string {
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from >= 0 && to > from) return markdown.slice(0, from) + block + markdown.slice(to + end.length);
  const at = markdown.indexOf(`${heading}\n`);
  if (at < 0) return `${markdown.trimEnd()}\n\n${heading}\n\n${block}\n`;
  const next = markdown.indexOf('\n## ', at + heading.length);
  if (next < 0) return `${markdown.trimEnd()}\n\n${block}\n`;
  return `${markdown.slice(0, next).trimEnd()}\n\n${block}\n${markdown.slice(next)}`;
}

/** What `--provisional` puts before a results block: figures from a busy or shared machine, or a small run, not to be read as final. */
export const PROVISIONAL = '**Provisional** (a busy or shared machine, or a small run). ';
