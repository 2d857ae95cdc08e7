import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { describeTopologyAsMermaid, mermaidText } from '../../../processors/describeTopology.ts';
import type { Topology } from '../../../processors/topologyGraph.ts';
import { JoinWindows } from '../../../processors/windows/joinWindows.ts';
import { SessionWindows } from '../../../processors/windows/sessionWindows.ts';
import { SlidingWindows } from '../../../processors/windows/slidingWindows.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { testTopology } from './stringTopology.ts';

/** What Mermaid's own parser makes of a flowchart: its vertices, subgraphs and edges. */
interface ParsedFlowchart {
  readonly type: string;
  readonly vertices: ReadonlyMap<string, { readonly label: string; readonly shape: string }>;
  readonly subgraphs: ReadonlyArray<{ readonly id: string; readonly label: string; readonly nodes: readonly string[] }>;
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string; readonly stroke: string }>;
}

// Mermaid needs a DOM even to parse (DOMPurify); jsdom gives it one, and decodes labels as a browser would.
const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document });
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

/**
 * The label as Mermaid renders it: the parser keeps entity codes in an internal form
 * (`#35;` → `ﬂ°°35¶ß`), the renderer turns them into HTML entities, and the browser decodes those.
 */
function rendered(parsed: string): string {
  const element = dom.window.document.createElement('span');
  element.innerHTML = parsed.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  return element.textContent ?? '';
}

async function parseFlowchart(text: string): Promise<ParsedFlowchart> {
  await mermaid.parse(text); // the whole pipeline a renderer runs first: front matter, directives, comments
  const diagram = (await mermaid.mermaidAPI.getDiagramFromText(text)) as unknown as {
    type: string;
    db: {
      getVertices(): Map<string, { text: string; type: string }>;
      getSubGraphs(): Array<{ id: string; title: string; nodes: string[] }>;
      getEdges(): Array<{ start: string; end: string; stroke: string }>;
    };
  };
  const { db } = diagram;
  return {
    type: diagram.type,
    vertices: new Map([...db.getVertices()].map(([id, v]) => [id, { label: rendered(v.text), shape: v.type }])),
    subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, label: rendered(s.title), nodes: s.nodes })),
    edges: db.getEdges().map((e) => ({ from: e.start, to: e.end, stroke: e.stroke })),
  };
}

function everything(): Topology {
  const t = testTopology('orders-app');
  const orders = t.stream<string, { customer: string; total: number }>('orders');
  const payments = t.stream<string, number>('payments');
  orders.selectKey((_k, o) => o.customer).leftJoin(payments, (o, p) => ({ ...o, p }), JoinWindows.ofTimeDifferenceAndGrace(10, 5)).to('joined');
  orders.outerJoin(payments, (o, p) => [o, p], JoinWindows.ofTimeDifferenceWithNoGrace(3)).to('outer');
  orders.groupBy((_k, o) => o.customer).windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count().suppressUntilWindowCloses().toStream().to('per-minute');
  orders.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count().suppressUntilWindowCloses().toStream().to('sessions');
  orders.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count().toStream().to('sliding');
  const prices = t.table<string, number>('prices', { store: 'prices' });
  prices.groupBy((k, v) => [k.slice(0, 1), v] as const).count().toStream().to('by-initial');
  orders.join(prices, (o, p) => o.total * p).to('priced');
  const customers = t.globalTable<string, string>('customers');
  orders.leftJoin(customers, (_k, o) => o.customer, (o, c) => `${o.customer}:${c}`).to('named');
  const branches = orders.split({ name: 'split-' }).branch((_k, o) => o.total > 0, { name: 'paid' }).defaultBranch();
  branches['split-paid']!.repartition({ name: 'again' }).to('paid');
  return t.build();
}

/** Names with every character that means something to Mermaid, and Mermaid's keywords. */
function oddlyNamed(): Topology {
  const t = testTopology('odd');
  const names = ['say "hi"', 'a#b;', '#quot;', '`tick`', 'end', 'x[y]', '<b>bold</b>', 'pipe|bar', 'amp&amp;', 'percent %% comment', 'brace{s}', 'unicode ✓', 'subgraph', 'flowchart TD'];
  let stream = t.stream<string, string>(names.map((n) => `topic ${n}`), { name: 'source "1"' });
  for (const name of names) stream = stream.filter(() => true, { name });
  t.addStore({ name: 'store "s" #2 `x`', kind: 'keyValue' });
  stream.process(() => ({ process() {} }), { name: 'end ', stores: ['store "s" #2 `x`'] }).to('out %% "q"', { name: 'sink #1' });
  return t.build();
}

/** What the flowchart must show of a topology, in Mermaid's terms (which, like HTML, trims labels). */
function expectedFlowchart(topology: Topology) {
  const shown = (name: string) => name.trim();
  const topics = new Set(topology.nodes.flatMap((n) => (n.kind === 'source' ? n.topics : n.kind === 'sink' ? [n.topic] : [])));
  const edges = topology.nodes.flatMap((n) => [
    ...(n.kind === 'source' ? n.topics.map((t) => `topic ${shown(t)} --> ${shown(n.name)}`) : []),
    ...(n.kind === 'sink' ? [`${shown(n.name)} --> topic ${shown(n.topic)}`] : []),
    ...(n.kind !== 'source' ? n.parents.map((p) => `${shown(p)} --> ${shown(n.name)}`) : []),
    ...(n.kind === 'processor' ? n.stores.map((s) => `${shown(n.name)} -.- store ${shown(s)}`) : []),
  ]);
  return {
    labels: [...topology.nodes.map((n) => `square ${shown(n.name)}`), ...[...topology.stores.keys()].map((s) => `cylinder ${shown(s)}`), ...[...topics].map((t) => `stadium ${shown(t)}`)].sort(),
    subgraphs: topology.subtopologies.map((sub) => ({ label: `Sub-topology ${sub.id}`, members: [...sub.nodes.map((n) => n.name), ...sub.stores].map(shown).sort() })),
    edges: edges.sort(),
  };
}

/** The same, read back from what Mermaid parsed. */
function shownFlowchart(parsed: ParsedFlowchart) {
  const label = (id: string) => parsed.vertices.get(id)?.label ?? `<undefined ${id}>`;
  const named = (id: string) => (parsed.vertices.get(id)?.shape === 'stadium' ? `topic ${label(id)}` : parsed.vertices.get(id)?.shape === 'cylinder' ? `store ${label(id)}` : label(id));
  return {
    labels: [...parsed.vertices.values()].map((v) => `${v.shape} ${v.label}`).sort(),
    subgraphs: parsed.subgraphs.map((s) => ({ label: s.label, members: s.nodes.map(label).sort() })),
    edges: parsed.edges.map((e) => `${named(e.from)} ${e.stroke === 'dotted' ? '-.-' : '-->'} ${named(e.to)}`).sort(),
  };
}

describe('describeTopologyAsMermaid', () => {
  it('parses with Mermaid itself as a flowchart showing every node, topic and store as written, in its subtopology, with every edge', async () => {
    for (const topology of [everything(), oddlyNamed()]) {
      const parsed = await parseFlowchart(describeTopologyAsMermaid(topology));
      assert.equal(parsed.type, 'flowchart-v2');
      assert.deepEqual(shownFlowchart(parsed), expectedFlowchart(topology));
    }
  });

  it('the readback would catch a label Mermaid misreads or a flowchart it rejects', async () => {
    const parsed = await parseFlowchart('flowchart TD\n  n0["<b>bold</b>"]\n  n1["a #35; b"]\n');
    assert.deepEqual([...parsed.vertices.values()].map((v) => v.label), ['bold', 'a # b']);
    await assert.rejects(parseFlowchart('flowchart TD\n  n0["unterminated\n'), /Parse error/);
  });

  it('escapes every character Mermaid reads as markup, and only those', () => {
    assert.equal(mermaidText('plain name-1.x'), 'plain name-1.x');
    assert.equal(mermaidText('a "b" #c; `d` <e> & %%'), 'a #quot;b#quot; #35;c; #96;d#96; #lt;e#gt; #38; #37;#37;');
  });
});
