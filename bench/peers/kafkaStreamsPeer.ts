import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConnectionConfig, loadStackConfig } from '../../runtime/config.ts';
import { BenchProcess } from '../support/benchProcess.ts';
import { parseLog } from '../support/workerLog.ts';
import type { BenchTopics } from '../throughput/benchTopics.ts';
import { earliest, REPO, type Workload } from '../throughput/workloads.ts';

const PROJECT = fileURLToPath(new URL('./kafka-streams/', import.meta.url));
const MAIN_CLASS = 'tributary.bench.BenchStreams';
/** Written last: a build folder without it is incomplete and built again. */
const COMPLETE = '.complete';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The build's cache folder: one per content of the pom and the sources, so an edit builds afresh. */
function buildDir(): string {
  const hash = createHash('sha256');
  for (const file of [path.join(PROJECT, 'pom.xml'), ...sources(path.join(PROJECT, 'src')).sort()]) hash.update(file.slice(PROJECT.length)).update(readFileSync(file));
  return path.join(loadStackConfig().cacheDir, 'bench', `kafka-streams-${hash.digest('hex').slice(0, 12)}`);
}

let classpath: string | undefined;

/**
 * Builds the peer once (`mvn -q package dependency:copy-dependencies` into a staging folder
 * beside the cache folder, swapped in when complete) and returns its classpath. Maven fetches
 * Kafka Streams, Avro and slf4j-simple from Maven Central on the first build.
 */
export async function buildKafkaStreamsPeer(progress: (line: string) => void): Promise<string> {
  const dir = buildDir();
  if (!existsSync(path.join(dir, COMPLETE))) {
    const staging = `${dir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    progress(`building the Kafka Streams peer into ${dir} (mvn; the first build downloads its jars)`);
    try {
      await promisify(execFile)('mvn', ['-q', '-B', '-f', path.join(PROJECT, 'pom.xml'), `-DbenchBuildDir=${path.join(staging, 'target')}`, 'package', 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(staging, 'libs')}`], {
        maxBuffer: 16 * 2 ** 20,
      });
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      const output = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`building the Kafka Streams peer failed: ${output.message}\n${output.stdout ?? ''}${output.stderr ?? ''}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    writeFileSync(path.join(dir, COMPLETE), new Date().toISOString());
  }
  return [path.join(dir, 'target', 'kafka-streams-peer-1.jar'), path.join(dir, 'libs', '*')].join(path.delimiter);
}

/**
 * A Kafka Streams application (bench/peers/kafka-streams) doing what one of tributary's
 * workloads does, on the same topics and bytes: reads the Avro orders (and customer table),
 * writes Avro with the same registry ids to `<tributary's output topic>.kafka-streams`.
 */
function kafkaStreamsWorkload(name: 'stateful' | 'join-windowed', what: string, output: (topics: BenchTopics) => string, inputs: (topics: BenchTopics) => string[]): Workload {
  return {
    name: `kafka-streams-${name}`,
    what,
    inputs,
    output: (topics) => `${output(topics)}.kafka-streams`,
    redisState: false,
    prepare: async (progress) => {
      classpath = await buildKafkaStreamsPeer(progress);
    },
    start: ({ group, phase }) => {
      if (!classpath) throw new Error('the Kafka Streams peer is not built: call prepare() first');
      const { topics, catalogue, schemaIds } = phase;
      return new BenchProcess(`kafka-streams-${name}`, 'java', ['-Xmx1g', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath, MAIN_CLASS], {
        cwd: REPO,
        env: {
          BENCH_WORKLOAD: name,
          BENCH_BROKERS: loadConnectionConfig().brokers.join(','),
          BENCH_GROUP: group,
          BENCH_INPUT_TOPIC: topics.orders,
          BENCH_ORDER_SCHEMA: catalogue.entry(topics.orders).schemaFile,
          BENCH_TABLE_TOPIC: topics.customers,
          BENCH_TABLE_SCHEMA: catalogue.entry(topics.customers).schemaFile,
          BENCH_OUTPUT_TOPIC: `${output(topics)}.kafka-streams`,
          BENCH_OUTPUT_SCHEMA: catalogue.entry(output(topics)).schemaFile,
          BENCH_OUTPUT_SCHEMA_ID: String(schemaIds.get(output(topics))),
        },
      }).start();
    },
    ready: (lines) => parseLog(lines).events.some((e) => e.msg === 'running'),
    firstRecordAt: (lines) => earliest(lines, 'first record since claim'),
  };
}

export const kafkaStreamsWorkloads: readonly Workload[] = [
  kafkaStreamsWorkload('stateful', 'Kafka Streams 4.1.1: the stateful workload, RocksDB + changelog, record cache off', (t) => t.totals, (t) => [t.orders]),
  kafkaStreamsWorkload('join-windowed', 'Kafka Streams 4.1.1: the join + windowed workload, RocksDB + changelogs, record cache off', (t) => t.windowTotals, (t) => [t.orders, t.customers]),
];
