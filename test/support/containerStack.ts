import net from 'node:net';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';

/** Images of the containers stack; the same families docker-compose.yml uses. */
const KAFKA_IMAGE = 'apache/kafka:4.1.1';
const REGISTRY_IMAGE = 'confluentinc/cp-schema-registry:7.7.1';
const REDIS_IMAGE = 'redis:7.2-alpine';

/** A running containers stack and the connection settings that reach it from the host. */
export interface ContainerStack {
  env: { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; REDIS_URL: string };
  stop(): Promise<void>;
}

/**
 * Kafka (KRaft), Confluent Schema Registry and Redis as containers on one network
 * (`TRIBUTARY_TEST_STACK=containers`). Kafka advertises the host port it is published on,
 * so that port is chosen before the container starts; the registry reaches Kafka through a
 * second listener on the container network.
 */
export async function startContainerStack(): Promise<ContainerStack> {
  const network: StartedNetwork = await new Network().start();
  const started: StartedTestContainer[] = [];
  try {
    const kafkaPort = await freePort();
    const kafka = await new GenericContainer(KAFKA_IMAGE)
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,INTERNAL://:19092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${kafkaPort},INTERNAL://kafka:19092`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start();
    started.push(kafka);

    const registry = await new GenericContainer(REGISTRY_IMAGE)
      .withNetwork(network)
      .withExposedPorts(8081)
      .withEnvironment({
        SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
        SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
        SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:19092',
      })
      .withWaitStrategy(Wait.forHttp('/subjects', 8081).forStatusCode(200))
      .start();
    started.push(registry);

    const redis = await new GenericContainer(REDIS_IMAGE)
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    started.push(redis);

    return {
      env: {
        KAFKA_BROKERS: `localhost:${kafkaPort}`,
        SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
        REDIS_URL: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
      },
      stop: () => stopAll(started, network),
    };
  } catch (error) {
    await stopAll(started, network);
    throw error;
  }
}

async function stopAll(containers: StartedTestContainer[], network: StartedNetwork): Promise<void> {
  for (const container of containers.reverse()) await container.stop().catch(() => {});
  await network.stop().catch(() => {});
}

/** A TCP port free on this host right now (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
