import type { Admin } from 'kafkajs';
import type { Topology } from '../../processors/topologyGraph.ts';
import { ConfigError } from '../errors.ts';
import { applicationInputs } from './applicationInputs.ts';
import type { PartitionLag } from './partitionLag.ts';
import { readPartitionLags } from './readPartitionLags.ts';

/** How far an application's consumer group is behind on every partition it reads. */
export interface ApplicationLag {
  readonly applicationId: string;
  /** Source topics' partitions, then repartition topics', each sorted by topic and partition. */
  readonly partitions: readonly PartitionLag[];
  /** The sum of the partitions' known lags (partitions without a committed offset add nothing). */
  readonly totalLag: number;
  /** Partitions whose lag is unknown because the group has committed no offset for them. */
  readonly partitionsWithoutOffset: number;
}

/**
 * The lag of the application `applicationId` running `topology`: its source topics (which
 * must exist) and its repartition topics (those a worker has created so far).
 */
export async function readApplicationLag(admin: Admin, topology: Topology, applicationId: string): Promise<ApplicationLag> {
  const { sources, repartition } = applicationInputs(topology);
  const existing = new Set(await admin.listTopics());
  const missing = sources.filter((t) => !existing.has(t));
  if (missing.length) throw new ConfigError(`input topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of topology '${topology.name}' do${missing.length > 1 ? '' : 'es'} not exist`);
  const partitions = [
    ...(await readPartitionLags(admin, applicationId, sources)),
    ...(await readPartitionLags(admin, applicationId, repartition.filter((t) => existing.has(t)))),
  ];
  return {
    applicationId,
    partitions,
    totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
    partitionsWithoutOffset: partitions.filter((p) => p.lag === null).length,
  };
}
