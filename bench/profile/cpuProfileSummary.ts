/**
 * Where a worker's CPU went, from a V8 CPU profile (`node --cpu-prof`, e.g. written by
 * `npm run bench -- --cpu-prof-dir dir`): `npx tsx bench/profile/cpuProfileSummary.ts <file.cpuprofile>
 * [--top 25] [--from 'streamTask\.ts|baselineLoop\.ts']`. Over the samples from the first to the last
 * in a file matching `--from` (the processing, not start-up), prints self time by component (Avro,
 * kafkajs, ioredis, RxJS, JSON, tributary's folders, garbage collection…) as a share of the busy
 * time (idle left out), then the costliest functions.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { positiveInt } from '../support/positiveInt.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * The samples from the first to the last one whose own frame is in a file matching `from`:
 * start-up (loading TypeScript, connecting) and shutdown are left out. The window is judged by
 * self frames, so it starts at most one sampling interval late.
 */
function window(profile: CpuProfile, byId: ReadonlyMap<number, ProfileNode>, from: RegExp): [number, number] {
  const hits = profile.samples.flatMap((id, i) => (from.test(byId.get(id)!.callFrame.url) ? [i] : []));
  if (!hits.length) throw new Error(`no sample in a file matching ${from}: is it the right profile?`);
  return [hits[0]!, hits[hits.length - 1]!];
}

/** First match wins: package folders before tributary's own, so a dependency is never counted as ours. */
const COMPONENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/node_modules\/avsc\//, 'Avro (avsc)'],
  [/node_modules\/kafkajs\//, 'kafkajs'],
  [/node_modules\/(ioredis|redis-parser|redis-errors|denque|cluster-key-slot)\//, 'ioredis'],
  [/node_modules\/rxjs\//, 'RxJS'],
  [/node_modules\/(pino|sonic-boom|thread-stream|fast-redact|quick-format-unescaped)\//, 'pino'],
  [/node_modules\/(tsx|esbuild|get-tsconfig)\//, 'tsx (loading TypeScript)'],
  [/node_modules\//, 'other packages'],
  [/\/state\//, 'tributary state/'],
  [/\/runtime\//, 'tributary runtime/'],
  [/\/processors\//, 'tributary processors/'],
  [/\/schemas\//, 'tributary schemas/'],
  [/\/bench\//, 'the topology file'],
];

/** V8's pseudo-frames, which have no code of their own to blame. */
const PSEUDO: ReadonlyMap<string, string> = new Map([
  ['(garbage collector)', 'garbage collection'],
  ['(program)', 'V8 / native (program)'],
  ['(idle)', 'idle'],
  ['(root)', 'idle'],
]);

function componentOf(node: ProfileNode, parent: string | undefined): string {
  const { functionName, url } = node.callFrame;
  const pseudo = PSEUDO.get(functionName);
  if (pseudo) return pseudo;
  // Builtins have no URL. JSON's are counted on their own (the state codec and kafkajs' headers use them).
  if (!url && (functionName === 'stringify' || functionName === 'parse')) return 'JSON (builtins)';
  // Other builtins and Node's own modules (Buffer copies, streams, timers) are charged to the code that called them.
  if (!url || url.startsWith('node:')) return parent ?? 'Node core (event loop)';
  return COMPONENTS.find(([pattern]) => pattern.test(url))?.[1] ?? 'other';
}

/** Self milliseconds per node id, over samples `first`…`last`. A sample's delta is the time before it. */
function selfTimes(profile: CpuProfile, [first, last]: [number, number]): Map<number, number> {
  const self = new Map<number, number>();
  for (let i = first; i <= last; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return self;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly byComponent: ReadonlyArray<readonly [string, number]>;
  readonly topFunctions: ReadonlyArray<{ readonly name: string; readonly component: string; readonly ms: number }>;
}

/** Self time by component and by function, busy time only, within the window that `from` marks. */
export function summarizeProfile(profile: CpuProfile, top: number, from: RegExp): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const component = new Map<number, string>();
  // Parents come before their children in a V8 profile, but walk from the root to be sure.
  const root = profile.nodes[0]!;
  const stack: Array<[ProfileNode, string | undefined]> = [[root, undefined]];
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    const own = componentOf(node, parent);
    component.set(node.id, own);
    for (const child of node.children ?? []) stack.push([byId.get(child)!, own === 'idle' ? undefined : own]);
  }
  const self = selfTimes(profile, window(profile, byId, from));
  const components = new Map<string, number>();
  const functions = new Map<string, { name: string; component: string; ms: number }>();
  let busyMs = 0;
  for (const [id, ms] of self) {
    const c = component.get(id)!;
    if (c === 'idle') continue;
    busyMs += ms;
    components.set(c, (components.get(c) ?? 0) + ms);
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*?\/(node_modules|runtime|state|processors|schemas|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    const entry = functions.get(name) ?? { name, component: c, ms: 0 };
    entry.ms += ms;
    functions.set(name, entry);
  }
  return {
    busyMs,
    byComponent: [...components].sort((a, b) => b[1] - a[1]),
    topFunctions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' }, from: { type: 'string', default: 'streamTask\\.ts|baselineLoop\\.ts' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new Error('usage: cpuProfileSummary.ts <file.cpuprofile> [--top 25] [--from <file regexp>]');
  const summary = summarizeProfile(JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile, positiveInt('top', values.top), new RegExp(values.from));
  const pct = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1)}%`;
  const lines = [`busy ${(summary.busyMs / 1000).toFixed(1)} s (idle left out)`, '', '| component | self time | share |', '| --- | ---: | ---: |'];
  for (const [c, ms] of summary.byComponent) lines.push(`| ${c} | ${(ms / 1000).toFixed(2)} s | ${pct(ms)} |`);
  lines.push('', '| function | component | self time | share |', '| --- | --- | ---: | ---: |');
  for (const f of summary.topFunctions) lines.push(`| \`${f.name}\` | ${f.component} | ${(f.ms / 1000).toFixed(2)} s | ${pct(f.ms)} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
