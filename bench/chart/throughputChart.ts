/** One bar: a label, a value and the colour of its family (baseline, tributary, a peer). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text after the value (`0.27 × baseline`). */
  readonly note?: string;
  readonly family: string;
}

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

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
const AXIS_ROOM = 28;

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

/** A panel's SVG elements, drawn from `top`; returns them and the panel's height. */
function panelSvg(panel: Panel, top: number): { svg: string[]; height: number } {
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
  svg.push(`<text x="${LABEL_WIDTH + plot}" y="${axisY + 16}" dx="12" class="tick">${escapeXml(panel.unit)}</text>`);
  return { svg, height: PANEL_HEAD + panel.bars.length * (BAR_HEIGHT + BAR_GAP) + AXIS_ROOM };
}

/** A standalone SVG: a heading, a caption line per entry of `caption`, then the panels one below the other. */
export function barChartSvg(heading: string, caption: readonly string[], panels: readonly Panel[]): string {
  let y = 28 + caption.length * 16;
  const body: string[] = [];
  for (const panel of panels) {
    const { svg, height } = panelSvg(panel, y);
    body.push(...svg);
    y += height + 12;
  }
  const legend = Object.entries(COLOURS).map(([family, colour], i) => `<rect x="${16 + i * 130}" y="${y}" width="12" height="12" fill="${colour}"/><text x="${32 + i * 130}" y="${y + 11}">${family}</text>`);
  const height = y + 28;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.title{font-size:14px;font-weight:bold}.head{font-size:16px;font-weight:bold}.caption{fill:#555}.tick{fill:#555;font-size:11px}.axis{stroke:#999}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="16" y="22" class="head">${escapeXml(heading)}</text>`,
    ...caption.map((line, i) => `<text x="16" y="${40 + i * 16}" class="caption">${escapeXml(line)}</text>`),
    ...body,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
