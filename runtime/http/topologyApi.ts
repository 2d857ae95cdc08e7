import type { EventPublisher } from '../../processors/cqrs/eventPublisher.ts';
import type { Mediator } from '../../processors/cqrs/mediator.ts';
import type { Serdes } from '../../processors/serdes.ts';
import type { StoreReader } from '../queries/storeReader.ts';

/** What a topology's API handlers are given by the process that serves them. */
export interface ApiPorts {
  /** Reads the topology's stores (committed state in Redis), whichever worker owns the key. */
  readonly stores: StoreReader;
  /**
   * Where command handlers publish, by full topic name. Records are collected while the
   * handler runs and written to the application's outbox in one Redis call when it
   * resolves (nothing when it throws); the relay then sends them to Kafka.
   */
  readonly publisher: EventPublisher<Record<string, unknown>>;
}

/**
 * A topology's HTTP API: its commands and queries as a mediator, served by `tributary run`
 * on the worker's HTTP port (`POST /commands/:type`, `GET /queries/:type`) when the
 * topology module exports it as `api` next to its default export.
 */
export interface TopologyApi {
  /** The mediator answering the API, over `ports`; called once per request, so handlers may hold per-request state. */
  mediator(ports: ApiPorts): Pick<Mediator, 'dispatch'>;
  /** The serdes of a topic the commands publish to (full name): the relay serializes the records with them. */
  serdesOf(topic: string): Serdes<unknown, unknown>;
}

/** Declares a topology's API: `export const api = defineApi({ mediator: (ports) => new Mediator()…, serdesOf })`. */
export function defineApi(api: TopologyApi): TopologyApi {
  return api;
}
