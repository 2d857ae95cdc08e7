import assert from 'node:assert/strict';
import { describeTopologyAsMermaid, mermaidText } from '../../../processors/describeTopology.ts';
import type { Topology } from '../../../processors/topologyGraph.ts';
import { JoinWindows } from '../../../processors/windows/joinWindows.ts';
import { SessionWindows } from '../../../processors/windows/sessionWindows.ts';
import { SlidingWindows } from '../../../processors/windows/slidingWindows.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { testTopology } from './stringTopology.ts';

/**
 * The subset of Mermaid's flowchart grammar that describeTopologyAsMermaid emits, checked
 * line by line. (The `mermaid` package itself parses this output under jsdom, but it is too
 * heavy a dependency for one test; this checker states what our output must respect.)
 */
const ID = '[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"([^"]*)"';
const RESERVED = new Set(['end', 'subgraph', 'graph', 'flowchart', 'style', 'classDef', 'class', 'click', 'linkStyle', 'default', 'direction']);
const STATEMENTS: ReadonlyArray<[kind: 'subgraph' | 'end' | 'node' | 'edge', RegExp]> = [
  ['subgraph', new RegExp(`^subgraph (${ID})\\[${LABEL}\\]$`)],
  ['end', /^end$/],
  ['node', new RegExp(`^(${ID})\\[${LABEL}\\]$`)], // box
  ['node', new RegExp(`^(${ID})\\[\\(${LABEL}\\)\\]$`)], // cylinder
  ['node', new RegExp(`^(${ID})\\(\\[${LABEL}\\]\\)$`)], // stadium
  ['edge', new RegExp(`^(${ID}) (?:-->|-\\.-) (${ID})$`)],
];

/** The problems of a flowchart in our subset; none for valid output. */
function flowchartProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  if (lines[0] !== 'flowchart TD') problems.push(`first line is '${lines[0]}', not 'flowchart TD'`);
  if (lines.at(-1) !== '') problems.push('does not end with a newline');
  const open: string[] = [];
  const defined = new Map<string, number>();
  const subgraphs = new Set<string>();
  const edges: Array<[string, string, number]> = [];
  const checkId = (id: string, line: number) => {
    if (RESERVED.has(id) || RESERVED.has(id.toLowerCase())) problems.push(`line ${line}: id '${id}' is a Mermaid keyword`);
  };
  const checkLabel = (label: string, line: number) => {
    if (/[`<>&%]/.test(label)) problems.push(`line ${line}: label '${label}' has a character Mermaid reads as markup`);
    if (/#(?!\w+;)/.test(label)) problems.push(`line ${line}: label '${label}' has a '#' that is not an entity code`);
  };
  lines.slice(1, -1).forEach((raw, i) => {
    const line = i + 2;
    const statement = raw.trim();
    const match = STATEMENTS.map(([kind, re]) => [kind, re.exec(statement)] as const).find(([, m]) => m);
    if (!match) return problems.push(`line ${line}: '${raw}' is not a statement of the subset`);
    const [kind, m] = match;
    if (kind === 'subgraph') {
      checkId(m![1]!, line);
      checkLabel(m![2]!, line);
      if (subgraphs.has(m![1]!)) problems.push(`line ${line}: subgraph '${m![1]}' opened twice`);
      subgraphs.add(m![1]!);
      open.push(m![1]!);
    } else if (kind === 'end') {
      if (!open.pop()) problems.push(`line ${line}: 'end' without a subgraph`);
    } else if (kind === 'node') {
      checkId(m![1]!, line);
      checkLabel(m![2]!, line);
      if (defined.has(m![1]!)) problems.push(`line ${line}: node '${m![1]}' defined twice`);
      defined.set(m![1]!, line);
    } else {
      edges.push([m![1]!, m![2]!, line]);
    }
  });
  if (open.length) problems.push(`subgraphs left open: ${open.join(', ')}`);
  for (const id of subgraphs) if (defined.has(id)) problems.push(`'${id}' is both a subgraph and a node`);
  for (const [from, to, line] of edges) {
    for (const id of [from, to]) if (!defined.has(id)) problems.push(`line ${line}: edge uses '${id}', which no statement defines`);
    // A node an edge names before its definition would be placed where the edge is.
    for (const id of [from, to]) if ((defined.get(id) ?? 0) > line) problems.push(`line ${line}: edge uses '${id}' before its definition`);
  }
  return problems;
}

/** Reads the entity codes back, as Mermaid shows them. */
function shown(label: string): string {
  const named: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
  return label.replace(/#(\w+);/g, (_, code: string) => (/^\d+$/.test(code) ? String.fromCharCode(Number(code)) : named[code]!));
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

function oddlyNamed(): Topology {
  const t = testTopology('odd');
  const names = ['say "hi"', 'a#b;', '#quot;', '`tick`', 'end', 'x[y]', '<b>bold</b>', 'pipe|bar', 'amp&amp;', 'percent %% comment', 'brace{s}', 'unicode ✓'];
  let stream = t.stream<string, string>(names.map((n) => `topic ${n}`), { name: 'source "1"' });
  for (const name of names) stream = stream.filter(() => true, { name });
  t.addStore({ name: 'store "s" #2 `x`', kind: 'keyValue' });
  stream.process(() => ({ process() {} }), { name: 'end ', stores: ['store "s" #2 `x`'] }).to('out %% "q"', { name: 'sink #1' });
  return t.build();
}

describe('describeTopologyAsMermaid', () => {
  it('emits only the flowchart subset, with balanced subgraphs and every edge between defined nodes', () => {
    for (const topology of [everything(), oddlyNamed()]) assert.deepEqual(flowchartProblems(describeTopologyAsMermaid(topology)), []);
  });

  it('has a subgraph per subtopology and shows every node, topic and store name as written', () => {
    for (const topology of [everything(), oddlyNamed()]) {
      const text = describeTopologyAsMermaid(topology);
      const labels = [...text.matchAll(/"([^"]*)"/g)].map((m) => shown(m[1]!));
      assert.equal(text.match(/^ {2}subgraph /gm)?.length, topology.subtopologies.length);
      for (const node of topology.nodes) assert.ok(labels.includes(node.name), `node '${node.name}' is shown`);
      for (const store of topology.stores.keys()) assert.ok(labels.includes(store), `store '${store}' is shown`);
      const topics = topology.nodes.flatMap((n) => (n.kind === 'source' ? n.topics : n.kind === 'sink' ? [n.topic] : []));
      for (const topic of topics) assert.ok(labels.includes(topic), `topic '${topic}' is shown`);
    }
  });

  it('escapes every character Mermaid reads as markup, and only those', () => {
    assert.equal(mermaidText('plain name-1.x'), 'plain name-1.x');
    assert.equal(mermaidText('a "b" #c; `d` <e> & %%'), 'a #quot;b#quot; #35;c; #96;d#96; #lt;e#gt; #38; #37;#37;');
  });

  it('the checker itself rejects what Mermaid would reject or misread', () => {
    const problems = (text: string) => flowchartProblems(`flowchart TD\n${text}\n`);
    assert.deepEqual(problems('  n0["a"]\n  n1["b"]\n  n0 --> n1'), []);
    assert.match(problems('  subgraph s0["x"]\n  n0["a"]').join(), /left open/);
    assert.match(problems('  n0["a"]\n  end').join(), /without a subgraph/);
    assert.match(problems('  n0["a"]\n  n0 --> n9').join(), /no statement defines/);
    assert.match(problems('  n0["a "quoted""]').join(), /not a statement/);
    assert.match(problems('  n0["a #b"]').join(), /not an entity code/);
    assert.match(problems('  n0["50%% off"]').join(), /markup/);
    assert.match(problems('  end["a"]').join(), /keyword/);
  });
});
