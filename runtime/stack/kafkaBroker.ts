import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { kafkaAnswers, kafkaGivesProducerIds } from './componentProbes.ts';
import { ManagedProcess, type ProcessSpec } from './managedProcess.ts';
import { copyPomDependencies } from './mavenArtifacts.ts';
import { JAVA, MAVEN, type Prerequisite } from './prerequisites.ts';
import type { ProgressReporter } from './progressReporter.ts';
import type { StackComponent } from './stackComponent.ts';
import { ComponentStartError } from './stackErrors.ts';

/** Must match kafka.pom.xml. 4.1.x keeps the protocol versions kafkajs 2.2.4 speaks (KIP-896; JoinGroup v0–v1 restored in 4.0.1). */
export const KAFKA_VERSION = '4.1.1';
const POM = fileURLToPath(new URL('./kafka.pom.xml', import.meta.url));

/**
 * A single-node Apache Kafka in KRaft mode (one process is broker and controller), its jars
 * resolved from Maven Central into `<cacheDir>/kafka-<version>/libs`, its data in `<dir>/kafka/data`.
 * The log dir is formatted once; restarts keep topics, offsets and transactions.
 */
export class KafkaBroker implements StackComponent {
  readonly name = 'kafka' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly processes: readonly ManagedProcess[];
  readonly startTimeoutMs = 90_000;
  /** Controlled shutdown of a single node takes a few seconds; SIGKILL only if it hangs. */
  readonly stopGraceMs = 30_000;
  private readonly home: string;
  private readonly dataDir: string;
  private readonly cache: string;

  constructor(
    private readonly config: StackConfig,
    private readonly logger: Logger,
  ) {
    this.address = `localhost:${config.kafkaPort}`;
    this.ports = [config.kafkaPort, config.controllerPort];
    this.processes = [new ManagedProcess('kafka', config.dir)];
    this.home = path.join(config.dir, 'kafka');
    this.dataDir = path.join(this.home, 'data');
    this.cache = path.join(config.cacheDir, `kafka-${KAFKA_VERSION}`);
  }

  prerequisites(): Prerequisite[] {
    return [JAVA, MAVEN];
  }

  async prepare(progress: ProgressReporter): Promise<void> {
    await copyPomDependencies(POM, {
      title: `Kafka ${KAFKA_VERSION} jars`,
      targetDir: this.cache,
      expectedBytes: 45e6,
      progress,
      logger: this.logger,
    });
    fs.mkdirSync(this.dataDir, { recursive: true });
    // Rewritten on every start so port changes apply; the cluster id lives in meta.properties.
    fs.writeFileSync(this.serverProperties(), this.serverPropertiesText());
    fs.writeFileSync(this.log4jProperties(), LOG4J2_PROPERTIES);
    if (!fs.existsSync(path.join(this.dataDir, 'meta.properties'))) this.format();
  }

  processSpecs(): ProcessSpec[] {
    return [
      {
        command: 'java',
        args: [
          '-Xms256m',
          '-Xmx768m',
          '-Djava.awt.headless=true',
          `-Dlog4j2.configurationFile=${this.log4jProperties()}`,
          '-cp',
          this.classpath(),
          'kafka.Kafka',
          this.serverProperties(),
        ],
        cwd: this.home,
      },
    ];
  }

  isHealthy(): Promise<boolean> {
    return kafkaAnswers([this.address]);
  }

  /** Group coordinator loaded and producer ids handed out: the first idempotent producer and consumer group work at once. */
  async isReady(): Promise<boolean> {
    return (await this.isHealthy()) && (await kafkaGivesProducerIds([this.address]));
  }

  /** `StorageTool format --standalone`: writes meta.properties and the single-voter quorum. */
  private format(): void {
    const java = (args: string[]) =>
      spawnSync('java', ['-cp', this.classpath(), `-Dlog4j2.configurationFile=${this.log4jProperties()}`, 'kafka.tools.StorageTool', ...args], {
        cwd: this.home,
        encoding: 'utf8',
        // StorageTool's argument parser breaks on a COLUMNS it cannot parse; it does not need it.
        env: { ...process.env, COLUMNS: undefined },
      });
    const uuid = java(['random-uuid']);
    const clusterId = uuid.stdout.trim();
    if (uuid.status !== 0 || !clusterId) throw new ComponentStartError('kafka', `StorageTool random-uuid failed: ${uuid.stderr.trim()}`);
    const format = java(['format', '--standalone', '-t', clusterId, '-c', this.serverProperties()]);
    if (format.status !== 0) throw new ComponentStartError('kafka', `StorageTool format failed: ${(format.stderr || format.stdout).trim()}`);
    this.logger.info({ clusterId, dataDir: this.dataDir }, 'formatted kafka log dir');
  }

  private classpath(): string {
    // A Java classpath wildcard, expanded by the JVM (no shell involved).
    return `${path.join(this.cache, 'libs')}${path.sep}*`;
  }

  private serverProperties(): string {
    return path.join(this.home, 'server.properties');
  }

  private log4jProperties(): string {
    return path.join(this.home, 'log4j2.properties');
  }

  private serverPropertiesText(): string {
    const { kafkaPort, controllerPort } = this.config;
    return [
      '# Written by tributary stack up; edits are overwritten.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=localhost:${controllerPort}`,
      `listeners=PLAINTEXT://localhost:${kafkaPort},CONTROLLER://localhost:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://localhost:${kafkaPort}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${this.dataDir}`,
      'num.partitions=1',
      // One node: every internal topic has one replica.
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      // Tests and the demo join groups constantly; waiting 3 s for more members only slows them.
      'group.initial.rebalance.delay.ms=0',
      // Topologies create their topics explicitly (with partition counts that co-partitioning checks rely on).
      'auto.create.topics.enable=false',
      '',
    ].join('\n');
  }
}

const LOG4J2_PROPERTIES = `# Kafka's own INFO lines go to stdout, which the stack appends to kafka.log.
status = error
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
`;
