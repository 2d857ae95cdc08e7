import { DEFAULT_NAMESPACE } from '../state/redis/taskKeys.ts';
import type { Topology, TopologyNode } from './topologyGraph.ts';

/**
 * The topology as application `applicationId` runs it in state namespace `namespace`: its
 * internal topics are named `<application id>-<name>-repartition`, as Kafka Streams names
 * them after `application.id`, so two applications running one topology (`--application-id`)
 * never share them. A namespace other than the default has its own,
 * `<application id>-ns<namespace>-<name>-repartition`: their records were derived by the run
 * that built that namespace, so a shadow replay building one next to the live one must not
 * read the live one's. The topology itself when the id is its name in the default namespace.
 */
export function topologyForApplication(topology: Topology, applicationId: string, namespace: string = DEFAULT_NAMESPACE): Topology {
  if (applicationId === topology.name && namespace === DEFAULT_NAMESPACE) return topology;
  const prefix = `${topology.name}-`;
  const owner = namespace === DEFAULT_NAMESPACE ? applicationId : `${applicationId}-ns${namespace}`;
  const renamed = new Map(topology.internalTopics.map((t) => [t.name, `${owner}-${t.name.slice(prefix.length)}`]));
  const rename = (topic: string) => renamed.get(topic) ?? topic;
  const nodes = topology.nodes.map((node): TopologyNode => {
    if (node.kind === 'source') return { ...node, topics: node.topics.map(rename) };
    if (node.kind === 'sink') return { ...node, topic: rename(node.topic) };
    return node;
  });
  const byName = new Map(nodes.map((node) => [node.name, node]));
  return {
    ...topology,
    name: applicationId,
    nodes,
    internalTopics: topology.internalTopics.map((t) => ({ ...t, name: rename(t.name) })),
    coPartitionGroups: topology.coPartitionGroups.map((group) => group.map(rename)),
    subtopologies: topology.subtopologies.map((sub) => ({
      ...sub,
      nodes: sub.nodes.map((node) => byName.get(node.name)!),
      sourceTopics: sub.sourceTopics.map(rename),
      sinkTopics: sub.sinkTopics.map(rename),
    })),
  };
}
