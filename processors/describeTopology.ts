import type { Topology, TopologyNode } from './topologyGraph.ts';

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
    for (const node of sub.nodes) {
      lines.push(`    ${heading(node, shown)}`);
      const children = sub.nodes.filter((n) => n.kind !== 'source' && n.parents.includes(node.name)).map((n) => n.name);
      if (node.kind !== 'sink') lines.push(`      --> ${children.join(', ') || 'none'}`);
      if (node.kind !== 'source') lines.push(`      <-- ${node.parents.join(', ')}`);
    }
    return lines.join('\n') + '\n\n';
  });
  return `Topologies:\n ${text.join('')}`;
}

function heading(node: TopologyNode, shown: (topic: string) => string): string {
  switch (node.kind) {
    case 'source':
      return `Source: ${node.name} (topics: [${node.topics.map(shown).join(', ')}])`;
    case 'processor':
      return `Processor: ${node.name} (stores: [${node.stores.join(', ')}])`;
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
