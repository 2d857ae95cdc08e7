import { javaHashSetOrder, JavaTreeSet } from './javaCollectionOrder.ts';
import type { Subtopology, Topology, TopologyNode } from './topologyGraph.ts';

/**
 * The topology in Kafka Streams' `TopologyDescription` text format, character for character:
 * subtopologies with their sources (topics), processors (stores) and sinks (topic), the edges
 * between them (`-->` children, `<--` parents), and internal topics named without the
 * application id, as Kafka Streams describes a topology before it knows that id.
 */
export function describeTopology(topology: Topology): string {
  const prefix = `${topology.name}-`;
  const internal = new Set(topology.internalTopics.map((t) => t.name));
  const shown = (topic: string) => (internal.has(topic) ? topic.slice(prefix.length) : topic);
  const text = topology.subtopologies.map((sub) => {
    const global = sub.sourceTopics.some((t) => topology.globalTopics.includes(t));
    const lines = [`  Sub-topology: ${sub.id}${global ? ' for global store (will not generate tasks)' : ''}`];
    for (const { node, successors, predecessors } of describedNodes(sub)) {
      lines.push(`    ${heading(node, shown)}`);
      if (node.kind !== 'sink') lines.push(`      --> ${successors.join(', ') || 'none'}`);
      if (node.kind !== 'source') lines.push(`      <-- ${predecessors.join(', ')}`);
    }
    return lines.join('\n') + '\n\n';
  });
  return `Topologies:\n ${text.join('')}`;
}

/** A node as Kafka Streams lists it, with its successors and predecessors in its order. */
interface DescribedNode {
  readonly node: TopologyNode;
  readonly successors: readonly string[];
  readonly predecessors: readonly string[];
}

/**
 * The subtopology's nodes in Kafka Streams' order (InternalTopologyBuilder#describeSubtopology):
 * it links the nodes in the iteration order of a HashMap of their names, each to its parents in
 * the order given, adding the size of the node's subtree to every ancestor as it goes; nodes
 * are listed by subtree size (largest first), then name. Successors and predecessors are
 * TreeSets ordered the same way but filled while the sizes still grow, so their order is
 * the one the sizes had when each was added (a split's branches may print out of order).
 */
function describedNodes(sub: Subtopology): DescribedNode[] {
  const size = new Map(sub.nodes.map((node) => [node.name, 1]));
  const compare = (a: string, b: string) => (a === b ? 0 : size.get(b)! - size.get(a)! || (a < b ? -1 : 1));
  const successors = new Map(sub.nodes.map((node) => [node.name, new JavaTreeSet(compare)]));
  const predecessors = new Map(sub.nodes.map((node) => [node.name, new JavaTreeSet(compare)]));
  const grow = (name: string, delta: number): void => {
    size.set(name, size.get(name)! + delta);
    for (const parent of predecessors.get(name)!.values()) grow(parent, delta);
  };
  const byName = new Map(sub.nodes.map((node) => [node.name, node]));
  for (const name of javaHashSetOrder(sub.nodes.map((n) => n.name))) {
    const node = byName.get(name)!;
    if (node.kind === 'source') continue;
    for (const parent of node.parents) {
      predecessors.get(name)!.add(parent);
      successors.get(parent)!.add(name);
      grow(parent, size.get(name)!);
    }
  }
  return [...sub.nodes]
    .sort((a, b) => compare(a.name, b.name))
    .map((node) => ({ node, successors: successors.get(node.name)!.values(), predecessors: predecessors.get(node.name)!.values() }));
}

function heading(node: TopologyNode, shown: (topic: string) => string): string {
  switch (node.kind) {
    case 'source':
      return `Source: ${node.name} (topics: [${javaHashSetOrder(node.topics.map(shown)).join(', ')}])`;
    case 'processor':
      return `Processor: ${node.name} (stores: [${javaHashSetOrder(node.stores).join(', ')}])`;
    case 'sink':
      return `Sink: ${node.name} (topic: ${shown(node.topic)})`;
  }
}

/**
 * The topology as a Mermaid flowchart: one subgraph per subtopology, topics as
 * stadiums, processors as boxes, stores as cylinders, and the internal topics that
 * link subtopologies. It uses a small subset of the flowchart grammar: generated ids
 * (`n<i>` nodes, `t<i>` topics, `s<i>` stores, `sub<i>` subgraphs), quoted labels in which
 * every character Mermaid would read as markup is an entity code, `-->` and `-.-` edges.
 */
export function describeTopologyAsMermaid(topology: Topology): string {
  const ids = new Map<string, string>();
  const id = (kind: string, name: string) => {
    const key = `${kind}:${name}`;
    if (!ids.has(key)) ids.set(key, `${kind}${ids.size}`);
    return ids.get(key)!;
  };
  const label = (text: string) => `"${mermaidText(text)}"`;
  const lines = ['flowchart TD'];
  const topics = new Set<string>();
  const edges: string[] = [];
  for (const sub of topology.subtopologies) {
    lines.push(`  subgraph sub${sub.id}[${label(`Sub-topology ${sub.id}`)}]`);
    for (const node of sub.nodes) {
      lines.push(`    ${id('n', node.name)}[${label(node.name)}]`);
      if (node.kind === 'source') for (const t of node.topics) (topics.add(t), edges.push(`  ${id('t', t)} --> ${id('n', node.name)}`));
      if (node.kind === 'sink') (topics.add(node.topic), edges.push(`  ${id('n', node.name)} --> ${id('t', node.topic)}`));
      if (node.kind !== 'source') for (const p of node.parents) edges.push(`  ${id('n', p)} --> ${id('n', node.name)}`);
      if (node.kind === 'processor') for (const s of node.stores) edges.push(`  ${id('n', node.name)} -.- ${id('s', s)}`);
    }
    for (const store of sub.stores) lines.push(`    ${id('s', store)}[(${label(store)})]`);
    lines.push('  end');
  }
  for (const t of topics) lines.push(`  ${id('t', t)}([${label(t)}])`);
  return [...lines, ...edges].join('\n') + '\n';
}

/** Characters Mermaid would read as markup in a quoted label, and the entity codes that show them as written. */
const MERMAID_CODES: Readonly<Record<string, string>> = {
  '#': '#35;', // `#name;` is an entity
  '"': '#quot;', // ends the label
  '`': '#96;', // starts a markdown string
  '<': '#lt;', // starts HTML
  '>': '#gt;',
  '&': '#38;', // starts an HTML entity
  '%': '#37;', // Mermaid before 11 strips `%%` to the end of the line as a comment, even inside quotes
};

/** Text safe inside a quoted Mermaid label, shown as written. */
export function mermaidText(text: string): string {
  return text.replace(/[#"`<>&%]/g, (c) => MERMAID_CODES[c]!);
}
