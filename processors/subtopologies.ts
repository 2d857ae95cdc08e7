import type { StoreDefinition } from '../state/storeDefinition.ts';
import type { Subtopology, TopologyNode } from './topologyGraph.ts';

/**
 * Splits the graph into subtopologies as Kafka Streams does: nodes connected by a
 * parent edge or by a shared store belong together; internal topics cut the graph
 * (their sink ends one subtopology, their source starts another). Numbered in the
 * order of their first node.
 */
export function subtopologiesOf(nodes: readonly TopologyNode[], stores: ReadonlyMap<string, StoreDefinition>): Subtopology[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  for (const node of nodes) parent.set(node.name, node.name);
  const storeOwner = new Map<string, string>();
  for (const node of nodes) {
    if (node.kind === 'source') continue;
    for (const p of node.parents) union(node.name, p);
    if (node.kind === 'processor') {
      for (const store of node.stores) {
        const owner = storeOwner.get(store);
        if (owner) union(node.name, owner);
        else storeOwner.set(store, node.name);
      }
    }
  }
  const groups = new Map<string, TopologyNode[]>();
  for (const node of nodes) {
    const root = find(node.name);
    const group = groups.get(root) ?? [];
    group.push(node);
    groups.set(root, group);
  }
  return [...groups.values()].map((group, id) => ({
    id,
    nodes: group,
    sourceTopics: group.flatMap((n) => (n.kind === 'source' ? n.topics : [])),
    sinkTopics: group.flatMap((n) => (n.kind === 'sink' ? [n.topic] : [])),
    stores: [...new Set(group.flatMap((n) => (n.kind === 'processor' ? n.stores : [])))].filter((s) => stores.has(s)),
  }));
}
