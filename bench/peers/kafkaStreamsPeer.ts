import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../support/runCommand.ts';
import type { Workload } from '../throughput/workloads.ts';
import { cachedInstall } from './cachedInstall.ts';
import { peerWorkload, type PeerRuntime } from './peerWorkload.ts';

const PROJECT = fileURLToPath(new URL('./kafka-streams/', import.meta.url));

/**
 * Builds the Kafka Streams peer (bench/peers/kafka-streams) once with `mvn -q package
 * dependency:copy-dependencies` into the cache (Maven fetches Kafka Streams 4.1.1, Avro and
 * slf4j-simple from Maven Central); returns the classpath its classes run with.
 */
export async function kafkaStreamsClasspath(progress: (line: string) => void): Promise<string> {
  const dir = await cachedInstall('kafka-streams', PROJECT, async (target) => {
    progress(`building the Kafka Streams peer into ${target} (mvn; the first build downloads its jars)`);
    await runCommand('mvn', ['-q', '-B', '-f', path.join(PROJECT, 'pom.xml'), `-DbenchBuildDir=${path.join(target, 'target')}`, 'package', 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(target, 'libs')}`]);
  });
  return [path.join(dir, 'target', 'kafka-streams-peer-1.jar'), path.join(dir, 'libs', '*')].join(path.delimiter);
}

/** The throughput workloads (BenchStreams) on a 1 GB heap; a commit-interval sweep sets its `commit.interval.ms`. */
const kafkaStreams: PeerRuntime = {
  framework: 'kafka-streams',
  logsRunning: true,
  knobs: { commitIntervalMs: 'BENCH_COMMIT_INTERVAL_MS' },
  install: async (progress) => ['java', ['-Xmx1g', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', await kafkaStreamsClasspath(progress), 'tributary.bench.BenchStreams']],
};

export const kafkaStreamsWorkloads: readonly Workload[] = [
  peerWorkload(kafkaStreams, 'stateful', 'Kafka Streams 4.1.1: the stateful workload, RocksDB + changelog, record cache off'),
  peerWorkload(kafkaStreams, 'join-windowed', 'Kafka Streams 4.1.1: the join + windowed workload, RocksDB + changelogs, record cache off'),
];
