import { TributaryError } from '../runtime/errors.ts';

/**
 * Why a record could not be read. The runtime routes every DeserializationError to the
 * dead-letter topic and goes on; anything else (notably RegistryUnavailableError) is
 * not the record's fault and must not dead-letter it.
 */
export type DeserializationCode = 'NOT_FRAMED' | 'UNKNOWN_SCHEMA_ID' | 'DECODE_FAILED';

/** A record that cannot be read, whatever the state of the registry: dead-letter it. */
export abstract class DeserializationError extends TributaryError {
  declare readonly code: DeserializationCode;
  constructor(code: DeserializationCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Empty, shorter than the 5-byte header, or a magic byte other than 0: not Confluent-framed. */
export class NotFramedError extends DeserializationError {
  constructor(message: string) {
    super('NOT_FRAMED', message);
  }
}

/** The frame names a schema id the registry does not have (Confluent error 40403). */
export class UnknownSchemaIdError extends DeserializationError {
  constructor(readonly schemaId: number) {
    super('UNKNOWN_SCHEMA_ID', `schema id ${schemaId} is not in the registry`);
  }
}

/** The writer schema is known but the payload is truncated, garbage, or not readable by the reader schema. */
export class DecodeFailedError extends DeserializationError {
  constructor(
    /** The writer schema's id; undefined for unframed payloads such as string keys. */
    readonly schemaId: number | undefined,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('DECODE_FAILED', `cannot decode ${schemaId === undefined ? 'payload' : `payload written with schema id ${schemaId}`}: ${reason}`, options);
  }
}

/**
 * The registry cannot be reached, timed out, or answered 5xx (or answered in a way that
 * says the URL is wrong). Retriable: the record is fine, try again later.
 */
export class RegistryUnavailableError extends TributaryError {
  readonly retriable = true;
  constructor(message: string, options?: ErrorOptions) {
    super('REGISTRY_UNAVAILABLE', message, options);
  }
}

/** The registry answered and refused the request (4xx other than "not found" cases the caller handles). */
export class RegistryRequestError extends TributaryError {
  constructor(
    readonly status: number,
    readonly errorCode: number | undefined,
    message: string,
  ) {
    super('REGISTRY_REJECTED', message);
  }
}

/** A value does not match the schema it is written with; the message names the offending fields. */
export class SerializationError extends TributaryError {
  constructor(
    readonly topic: string,
    readonly paths: readonly string[],
    message: string,
    options?: ErrorOptions,
  ) {
    super('SERIALIZE_FAILED', message, options);
  }
}

/** Serializing needs the topic's schema id, and the schema is not registered under its subject (production does not auto-register). */
export class SchemaNotRegisteredError extends TributaryError {
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super('SCHEMA_NOT_REGISTERED', message);
  }
}

/**
 * A serde used before the runtime bound it to a schema registry (`configure`), or bound to two
 * different registries. Topologies build their Avro serdes unbound; the worker configures them.
 */
export class SerdeConfigError extends TributaryError {
  constructor(message: string) {
    super('SERDE_CONFIG', message);
  }
}

/** The schema catalogue (manifest or .avsc files) is malformed, or a topic is not in it. */
export class CatalogueError extends TributaryError {
  constructor(message: string, options?: ErrorOptions) {
    super('CATALOGUE', message, options);
  }
}
