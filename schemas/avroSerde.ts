import avro from 'avsc';
import type { Catalogue, CatalogueEntry } from './catalogue.ts';
import { registerEntry } from './catalogueRegistration.ts';
import { DecodeFailedError, DeserializationError, SchemaNotRegisteredError, SerdeConfigError, SerializationError } from './errors.ts';
import type { RegistryClient } from './registryClient.ts';
import { withRegistryRetry, type RetryPolicy } from './retry.ts';
import { NOT_CACHED, type Serde, type SerdeContext } from './serde.ts';
import { stringSerde } from './stringSerde.ts';
import { frame, HEADER_LENGTH, MAGIC_BYTE, unframe } from './wireFormat.ts';

export interface AvroSerdeOptions {
  readonly catalogue: Catalogue;
  /**
   * The registry to read and write ids with. Leave it out in a topology: the worker binds
   * its own through `configure` when it starts. Tools and tests that run no worker pass it.
   */
  readonly registry?: RegistryClient;
  /**
   * Register a topic's schema (and its compatibility rule) on first write when missing.
   * Off by default: production schemas go in through `tributary schemas register`, and a
   * worker whose schema is not registered fails with SchemaNotRegisteredError instead.
   */
  readonly autoRegister?: boolean;
  /**
   * Retry registry calls (cache misses only) while the registry is unavailable. Off by
   * default: RegistryUnavailableError surfaces at once and the caller (the runtime's task)
   * decides, e.g. `{ signal }` to retry until the registry is back or the task stops.
   */
  readonly retry?: RetryPolicy;
}

/**
 * Avro values in the Confluent wire format, one schema per topic from the catalogue.
 *
 * Writing: the topic's catalogue schema, framed with its registry id (looked up once per
 * subject). Reading: the writer schema comes from the frame's id (fetched once per id), and
 * the record is resolved into the topic's catalogue schema (the reader), so records written
 * by older or newer producers decode to the shape this code was compiled against: missing
 * fields take their defaults, unknown fields are skipped, aliases map renamed fields. One
 * avsc resolver per (topic, writer id) is built once and reused.
 *
 * The registry comes with the options or, in a topology (`avroSerdes`), from the worker's
 * `configure` call; until then reading or writing throws SerdeConfigError.
 *
 * Errors: DeserializationError subclasses for records that can never be read (dead-letter
 * them); RegistryUnavailableError when the registry is out (retry, never dead-letter);
 * SerializationError naming the invalid fields of a value being written.
 */
export class AvroSerde<M extends object = Record<string, unknown>> implements Serde<unknown> {
  private readonly ids = new Map<string, Promise<number>>();
  /** The ids of `ids` that have arrived, for the synchronous path. */
  private readonly knownIds = new Map<string, number>();
  private readonly resolvers = new Map<string, Map<number, avro.Resolver | null>>();
  /** Set once, by the constructor or the first `configure`; the caches above are only valid for it. */
  private bound: RegistryClient | undefined;

  constructor(private readonly options: AvroSerdeOptions) {
    this.bound = options.registry;
  }

  /**
   * Binds the serde (and every view from `forTopic`/`serdes`) to the worker's registry. The
   * first binding stays: a later one to the same registry (same client or same URL) is a
   * no-op, so the schema caches survive; one to another registry throws SerdeConfigError,
   * since ids of one registry mean nothing in another.
   */
  configure(context: SerdeContext): void {
    if (this.bound === undefined) {
      this.bound = context.registry;
      return;
    }
    if (this.bound === context.registry || this.bound.url === context.registry.url) return;
    throw new SerdeConfigError(
      `an AvroSerde bound to the schema registry at ${this.bound.url} cannot also serve ${context.registry.url}: ` +
        'leave the registry out of the topology and let the worker configure it, or give each registry its own serde',
    );
  }

  /** A typed view for one topic: `serde.forTopic('orders.order.created')` is a `Serde<OrderCreated>`. */
  forTopic<K extends keyof M & string>(topic: K): Serde<M[K]> {
    this.options.catalogue.entry(topic); // fail now, not at the first record
    return {
      serialize: (_topic, value) => this.serialize(topic, value),
      deserialize: async (_topic, buffer) => (await this.deserialize(topic, buffer)) as M[K],
      serializeSync: (_topic, value) => this.serializeSync(topic, value),
      deserializeSync: (_topic, buffer) => this.deserializeSync(topic, buffer) as M[K] | typeof NOT_CACHED,
      configure: (context) => this.configure(context),
    };
  }

  /**
   * What a source or sink of a catalogue topic takes: UTF-8 string keys (the catalogue's key
   * field, never Avro) and this topic's Avro values.
   * `app.stream('orders.order.created', { serdes: avro.serdes('orders.order.created') })`.
   */
  serdes<K extends keyof M & string>(topic: K): AvroTopicSerdes<M[K]> {
    return { key: stringSerde, value: this.forTopic(topic) };
  }

  /** Validates `value` against the topic's schema and returns the framed Avro bytes. */
  async serialize(topic: string, value: unknown): Promise<Buffer> {
    const entry = this.options.catalogue.entry(topic);
    const body = encode(entry, topic, value);
    return frame(await this.idFor(entry), body);
  }

  /** `serialize` once the topic's schema id is known; NOT_CACHED before (the value is not checked then). */
  serializeSync(topic: string, value: unknown): Buffer | typeof NOT_CACHED {
    const entry = this.options.catalogue.entry(topic);
    const id = this.knownIds.get(entry.subject);
    return id === undefined ? NOT_CACHED : encodeFramed(entry, topic, value, id);
  }

  /** Reads a framed record written with any registered schema the topic's reader schema can resolve. */
  async deserialize(topic: string, buffer: Buffer): Promise<unknown> {
    const entry = this.options.catalogue.entry(topic);
    const { schemaId, payload } = unframe(buffer);
    return decode(entry, schemaId, payload, await this.resolverFor(entry, schemaId));
  }

  /** `deserialize` once the writer schema of the record's id is fetched; NOT_CACHED before. */
  deserializeSync(topic: string, buffer: Buffer): unknown {
    const entry = this.options.catalogue.entry(topic);
    const { schemaId, payload } = unframe(buffer);
    const resolver = this.resolvers.get(entry.topic)?.get(schemaId);
    return resolver === undefined ? NOT_CACHED : decode(entry, schemaId, payload, resolver);
  }

  private idFor(entry: CatalogueEntry): Promise<number> {
    let pending = this.ids.get(entry.subject);
    if (!pending) {
      pending = this.registry(async () => {
        if (this.options.autoRegister) return (await registerEntry(this.client, entry)).id!;
        const id = await this.client.idForSchema(entry.subject, entry.schema);
        if (id === undefined) {
          throw new SchemaNotRegisteredError(
            entry.subject,
            `the schema of ${entry.topic} (${entry.recordName}) is not registered under ${entry.subject}: run \`tributary schemas register\``,
          );
        }
        return id;
      });
      this.ids.set(entry.subject, pending);
      pending.then(
        (id) => this.knownIds.set(entry.subject, id),
        () => this.ids.delete(entry.subject),
      );
    }
    return pending;
  }

  /** null means writer and reader are the same schema: read directly, no resolution needed. */
  private async resolverFor(entry: CatalogueEntry, schemaId: number): Promise<avro.Resolver | null> {
    let forTopic = this.resolvers.get(entry.topic);
    if (!forTopic) this.resolvers.set(entry.topic, (forTopic = new Map()));
    const cached = forTopic.get(schemaId);
    if (cached !== undefined) return cached;
    const writer = await this.registry(() => this.client.schemaById(schemaId));
    let resolver: avro.Resolver | null;
    try {
      resolver = writer.equals(entry.type) ? null : entry.type.createResolver(writer);
    } catch (error) {
      // A registered schema this reader cannot resolve: every record written with it is unreadable here.
      throw new DecodeFailedError(schemaId, `${entry.recordName} cannot read data written with it: ${(error as Error).message}`, { cause: error });
    }
    forTopic.set(schemaId, resolver);
    return resolver;
  }

  private get client(): RegistryClient {
    if (this.bound === undefined) {
      throw new SerdeConfigError(
        'this AvroSerde is not bound to a schema registry yet: a worker binds it when it starts (Serde.configure); ' +
          'outside a worker pass { registry } to the constructor or call configure({ registry }) first',
      );
    }
    return this.bound;
  }

  private registry<T>(operation: () => Promise<T>): Promise<T> {
    return this.options.retry ? withRegistryRetry(operation, this.options.retry) : operation();
  }
}

/**
 * The key and value serdes of one catalogue topic. Structurally the DSL's `Serdes<string, V>`
 * (processors/serdes.ts), which schemas/ may not import.
 */
export interface AvroTopicSerdes<V> {
  readonly key: Serde<string>;
  readonly value: Serde<V>;
}

/**
 * Avro serdes for a topology, unbound: nothing in the topology names the registry. The worker
 * that runs the topology binds them to its registry (`Serde.configure`) before the first
 * record; used earlier they throw SerdeConfigError.
 *
 * ```ts
 * const avro = avroSerdes<TopicValues>(loadCatalogue());
 * app.stream('orders.order.created', { serdes: avro.serdes('orders.order.created') }) // Stream<string, OrderCreated>
 * ```
 */
export function avroSerdes<M extends object = Record<string, unknown>>(
  catalogue: Catalogue,
  options: Pick<AvroSerdeOptions, 'autoRegister'> = {},
): AvroSerde<M> {
  return new AvroSerde<M>({ catalogue, ...options });
}

/** The Avro body of `value` in the topic's schema; SerializationError naming the invalid fields. */
function encode(entry: CatalogueEntry, topic: string, value: unknown): Buffer {
  try {
    return entry.type.toBuffer(value);
  } catch (error) {
    const paths: string[] = [];
    entry.type.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
    const where = paths.length ? `invalid field${paths.length > 1 ? 's' : ''} ${paths.join(', ')}` : (error as Error).message;
    throw new SerializationError(topic, paths, `value for ${topic} does not match ${entry.recordName}: ${where}`, { cause: error });
  }
}

/** Where framed values are written before they are copied out at their size: most fit, and then one copy is made, not two. */
const SCRATCH = Buffer.allocUnsafeSlow(64 * 1024);

/** `frame(id, encode(…))` with one allocation instead of two when the framed value fits SCRATCH. */
function encodeFramed(entry: CatalogueEntry, topic: string, value: unknown, schemaId: number): Buffer {
  let end: number;
  try {
    end = entry.type.encode(value, SCRATCH, HEADER_LENGTH);
  } catch {
    end = -1; // encode names no field: encode() below throws the error that does
  }
  if (end < 0) return frame(schemaId, encode(entry, topic, value));
  SCRATCH.writeUInt8(MAGIC_BYTE, 0);
  SCRATCH.writeInt32BE(schemaId, 1);
  const framed = Buffer.allocUnsafe(end);
  SCRATCH.copy(framed, 0, 0, end);
  return framed;
}

/** The record in an Avro body written with schema `schemaId`, resolved into the topic's schema. */
function decode(entry: CatalogueEntry, schemaId: number, payload: Buffer, resolver: avro.Resolver | null): unknown {
  try {
    return resolver === null ? entry.type.fromBuffer(payload) : entry.type.fromBuffer(payload, resolver);
  } catch (error) {
    // avsc says "truncated buffer", "trailing data", "invalid … index": the bytes are bad.
    throw new DecodeFailedError(schemaId, (error as Error).message, { cause: error });
  }
}

/** True for errors that mean "this record can never be read": route it to the dead-letter topic. */
export function isDeadLetter(error: unknown): error is DeserializationError {
  return error instanceof DeserializationError;
}
