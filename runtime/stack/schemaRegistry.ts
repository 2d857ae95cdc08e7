import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { registryAnswers } from './componentProbes.ts';
import { ManagedProcess, type ProcessSpec } from './managedProcess.ts';
import { fetchArtifact } from './mavenArtifacts.ts';
import { JAVA, MAVEN, type Prerequisite } from './prerequisites.ts';
import type { ProgressReporter } from './progressReporter.ts';
import type { StackComponent } from './stackComponent.ts';
import { DownloadError } from './stackErrors.ts';

/** 3.0.x is the newest line that runs on Java 17 (3.3 is built for Java 21, class file 65). */
export const APICURIO_VERSION = '3.0.9';
const RUNNER_JAR = `apicurio-registry-app-${APICURIO_VERSION}-runner.jar`;

/**
 * Apicurio Registry, serving the Confluent Schema Registry API at `/apis/ccompat/v7`, from the
 * runnable Quarkus distribution that Apicurio publishes on Maven Central. Storage is in memory:
 * a restart of the registry forgets every schema (re-register them; Kafka keeps the records).
 * Canonical hashing makes a re-registered identical schema get the same id, as Confluent does.
 */
export class SchemaRegistry implements StackComponent {
  readonly name = 'registry' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly processes: readonly ManagedProcess[];
  readonly startTimeoutMs = 90_000;
  readonly stopGraceMs = 15_000;
  private readonly home: string;
  private readonly cache: string;

  constructor(
    private readonly config: StackConfig,
    private readonly logger: Logger,
  ) {
    this.address = `http://localhost:${config.registryPort}/apis/ccompat/v7`;
    this.ports = [config.registryPort];
    this.processes = [new ManagedProcess('registry', config.dir)];
    this.home = path.join(config.dir, 'registry');
    this.cache = path.join(config.cacheDir, `apicurio-registry-${APICURIO_VERSION}`);
  }

  prerequisites(): Prerequisite[] {
    return [JAVA, MAVEN];
  }

  async prepare(progress: ProgressReporter): Promise<void> {
    await fetchArtifact(
      `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`,
      { title: `Apicurio Registry ${APICURIO_VERSION}`, targetDir: this.cache, expectedBytes: 109e6, progress, logger: this.logger },
      unpackDistribution,
    );
    fs.mkdirSync(this.home, { recursive: true });
  }

  processSpecs(): ProcessSpec[] {
    return [
      {
        command: 'java',
        args: [
          '-Xmx384m',
          `-Dquarkus.http.port=${this.config.registryPort}`,
          '-Dapicurio.ccompat.use-canonical-hash=true',
          '-Dquarkus.log.console.color=false',
          '-jar',
          path.join(this.cache, RUNNER_JAR),
        ],
        cwd: this.home,
      },
    ];
  }

  isHealthy(): Promise<boolean> {
    return registryAnswers(this.address);
  }

  isReady(): Promise<boolean> {
    return this.isHealthy();
  }
}

/** Extracts the tar.gz that `mvn dependency:copy` put in `dir`, then drops it (Maven's repository keeps a copy). */
async function unpackDistribution(dir: string): Promise<void> {
  const archive = fs.readdirSync(dir).find((name) => name.endsWith('.tar.gz'));
  if (!archive) throw new DownloadError(`Apicurio Registry ${APICURIO_VERSION}`, 'no tar.gz was downloaded');
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-xzf', archive], { cwd: dir, stdio: 'ignore' });
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new DownloadError(`Apicurio Registry ${APICURIO_VERSION}`, `tar exited with ${code}`))));
  });
  fs.rmSync(path.join(dir, archive));
  if (!fs.existsSync(path.join(dir, RUNNER_JAR))) throw new DownloadError(`Apicurio Registry ${APICURIO_VERSION}`, `${RUNNER_JAR} missing from the archive`);
}
