/** One bar: a label, a value and the colour of its family (baseline, tributary, a peer). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text after the value (`0.27 × baseline`). */
  readonly note?: string;
  readonly family: string;
}

/** Bars one below the other, on a shared axis from 0. */
export interface BarPanel {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

/** One line of a LinePanel: a workload's value at each value of a swept setting. */
export interface Series {
  readonly label: string;
  readonly family: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

/**
 * Lines of y against x, x on a log scale (a sweep's values are usually each a few times the
 * one before) with a tick at every x some line has, y from 0. Lines of one family share its
 * colour and differ in dash; each is labelled at its right end.
 */
export interface LinePanel {
  readonly title: string;
  /** A line under the title: what is held fixed, what is left out. */
  readonly note?: string;
  /** Of y. */
  readonly unit: string;
  readonly xLabel: string;
  readonly series: readonly Series[];
}

export type Panel = BarPanel | LinePanel;

/** Colours by family; a family not listed is grey. */
const COLOURS: Readonly<Record<string, string>> = {
  baseline: '#7f7f7f',
  tributary: '#1f77b4',
  'kafka-streams': '#ff7f0e',
  quix: '#2ca02c',
};

const WIDTH = 860;
const LABEL_WIDTH = 220;
const VALUE_ROOM = 190;
const BAR_HEIGHT = 20;
const BAR_GAP = 8;
const PANEL_HEAD = 46;
const AXIS_ROOM = 40;
const PLOT_LEFT = 90;
const PLOT_HEIGHT = 200;
const NOTE_ROOM = 18;
const X_LABEL_ROOM = 20;
/** Least vertical distance between two line-end labels. */
const LABEL_SPACING = 14;
const DASHES = ['', '6 3', '2 3', '8 3 2 3'] as const;

/** The family of a throughput workload, from its name (`kafka-streams-stateful` → kafka-streams). */
export function familyOf(workload: string): string {
  if (workload === 'baseline') return 'baseline';
  return Object.keys(COLOURS).find((f) => f !== 'baseline' && f !== 'tributary' && workload.startsWith(`${f}-`)) ?? 'tributary';
}

/** Axis ends that read well, per power of ten: none more than a third above the one before. */
const NICE_STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] as const;

/** The smallest of NICE_STEPS × 10^k at or above `value`: an axis end that reads well. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return NICE_STEPS.map((m) => m * magnitude).find((c) => c >= value * (1 - 1e-12))!;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `at` moved down as little as needed for each to be at least `gap` below the one above it, in order. */
export function spreadOut(at: readonly number[], gap: number): number[] {
  const order = at.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const placed: number[] = new Array<number>(at.length);
  let previous = -Infinity;
  for (const { y, i } of order) {
    previous = Math.max(y, previous + gap);
    placed[i] = previous;
  }
  return placed;
}

/** A line panel's SVG elements, drawn from `top`; returns them and the panel's height. */
function linePanelSvg(panel: LinePanel, top: number): { svg: string[]; height: number } {
  const points = panel.series.flatMap((s) => s.points);
  const max = niceCeiling(Math.max(0, ...points.map((p) => p.y)));
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const [low, high] = [Math.log10(xs[0] ?? 1), Math.log10(xs[xs.length - 1] ?? 1)];
  const plotRight = WIDTH - VALUE_ROOM;
  const x = (v: number) => (high > low ? PLOT_LEFT + ((Math.log10(v) - low) / (high - low)) * (plotRight - PLOT_LEFT) : (PLOT_LEFT + plotRight) / 2);
  const plotTop = top + PANEL_HEAD + (panel.note ? NOTE_ROOM : 0);
  const plotBottom = plotTop + PLOT_HEIGHT;
  const y = (v: number) => plotBottom - (v / max) * PLOT_HEIGHT;
  const svg = [`<text x="16" y="${top + 24}" class="title">${escapeXml(panel.title)}</text>`];
  if (panel.note) svg.push(`<text x="16" y="${top + 40}" class="caption">${escapeXml(panel.note)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg.push(
      `<line x1="${PLOT_LEFT}" y1="${y(v).toFixed(1)}" x2="${plotRight}" y2="${y(v).toFixed(1)}" class="${k ? 'grid' : 'axis'}"/>`,
      `<text x="${PLOT_LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${thousands(v)}</text>`,
    );
  }
  svg.push(`<text x="${PLOT_LEFT - 6}" y="${plotTop - 10}" text-anchor="end" class="tick">${escapeXml(panel.unit)}</text>`);
  for (const v of xs) svg.push(`<text x="${x(v).toFixed(1)}" y="${plotBottom + 16}" text-anchor="middle" class="tick">${thousands(v)}</text>`);
  svg.push(`<text x="${((PLOT_LEFT + plotRight) / 2).toFixed(1)}" y="${plotBottom + 16 + X_LABEL_ROOM}" text-anchor="middle" class="tick">${escapeXml(panel.xLabel)}</text>`);
  const inFamily = new Map<string, number>();
  const ends: Array<{ label: string; y: number; colour: string }> = [];
  for (const series of panel.series) {
    if (!series.points.length) continue;
    const colour = COLOURS[series.family] ?? '#bbbbbb';
    const nth = inFamily.get(series.family) ?? 0;
    inFamily.set(series.family, nth + 1);
    const dash = DASHES[nth % DASHES.length];
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    const path = sorted.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    svg.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const p of sorted) {
      svg.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${colour}"><title>${escapeXml(`${series.label}: ${thousands(p.y)} ${panel.unit} at ${thousands(p.x)}`)}</title></circle>`);
    }
    ends.push({ label: series.label, y: y(sorted[sorted.length - 1]!.y), colour });
  }
  const placed = spreadOut(ends.map((e) => e.y + 4), LABEL_SPACING);
  ends.forEach((end, i) => svg.push(`<text x="${plotRight + 10}" y="${placed[i]!.toFixed(1)}" fill="${end.colour}">${escapeXml(end.label)}</text>`));
  // The x label is the lowest text unless line-end labels were pushed below it.
  const bottom = Math.max(plotBottom + 16 + X_LABEL_ROOM, ...placed) + 12;
  return { svg, height: bottom - top };
}

/** A bar panel's SVG elements, drawn from `top`; returns them and the panel's height. */
function barPanelSvg(panel: BarPanel, top: number): { svg: string[]; height: number } {
  const max = niceCeiling(Math.max(0, ...panel.bars.map((b) => b.value)));
  const plot = WIDTH - LABEL_WIDTH - VALUE_ROOM;
  const x = (v: number) => LABEL_WIDTH + (v / max) * plot;
  const barsTop = top + PANEL_HEAD;
  const svg = [`<text x="16" y="${top + 24}" class="title">${escapeXml(panel.title)}</text>`];
  panel.bars.forEach((bar, i) => {
    const y = barsTop + i * (BAR_HEIGHT + BAR_GAP);
    const width = Math.max(0, x(bar.value) - LABEL_WIDTH);
    svg.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT - 6}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLOURS[bar.family] ?? '#bbbbbb'}"/>`,
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + BAR_HEIGHT - 6}">${escapeXml(`${thousands(bar.value)}${bar.note ? ` (${bar.note})` : ''}`)}</text>`,
    );
  });
  const axisY = barsTop + panel.bars.length * (BAR_HEIGHT + BAR_GAP);
  svg.push(`<line x1="${LABEL_WIDTH}" y1="${axisY}" x2="${LABEL_WIDTH + plot}" y2="${axisY}" class="axis"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg.push(`<text x="${x(v).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" class="tick">${thousands(v)}</text>`);
  }
  // Under the last tick, which would run into it beside.
  svg.push(`<text x="${LABEL_WIDTH + plot}" y="${axisY + 30}" text-anchor="middle" class="tick">${escapeXml(panel.unit)}</text>`);
  return { svg, height: PANEL_HEAD + panel.bars.length * (BAR_HEIGHT + BAR_GAP) + AXIS_ROOM };
}

/** A standalone SVG: a heading, a caption line per entry of `caption`, then the panels one below the other. */
export function chartSvg(heading: string, caption: readonly string[], panels: readonly Panel[]): string {
  let y = 28 + caption.length * 16;
  const body: string[] = [];
  for (const panel of panels) {
    const { svg, height } = 'bars' in panel ? barPanelSvg(panel, y) : linePanelSvg(panel, y);
    body.push(...svg);
    y += height + 12;
  }
  const legend = Object.entries(COLOURS).map(([family, colour], i) => `<rect x="${16 + i * 130}" y="${y}" width="12" height="12" fill="${colour}"/><text x="${32 + i * 130}" y="${y + 11}">${family}</text>`);
  const height = y + 28;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.title{font-size:14px;font-weight:bold}.head{font-size:16px;font-weight:bold}.caption{fill:#555}.tick{fill:#555;font-size:11px}.axis{stroke:#999}.grid{stroke:#e5e5e5}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="16" y="22" class="head">${escapeXml(heading)}</text>`,
    ...caption.map((line, i) => `<text x="16" y="${40 + i * 16}" class="caption">${escapeXml(line)}</text>`),
    ...body,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
