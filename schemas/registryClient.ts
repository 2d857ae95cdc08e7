import { SchemaRegistry, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { compatibilityLevelSchema, type CompatibilityLevel } from './compatibilityLevel.ts';
import { DecodeFailedError, RegistryRequestError, RegistryUnavailableError, UnknownSchemaIdError } from './errors.ts';

/** One registered version of a subject. */
export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** The schema text as the registry stores it. */
  readonly schema: string;
}

/**
 * What tributary needs from a Confluent-compatible schema registry. The only code that
 * speaks to the registry; serdes and the CLI take this interface, so tests can fake it.
 *
 * Failures: RegistryUnavailableError when the registry cannot answer (network, timeout,
 * 5xx, or a 404 that is not a registry 404, i.e. a wrong URL); RegistryRequestError when it
 * answers and refuses (e.g. 409 incompatible, 422 invalid schema).
 */
export interface RegistryClient {
  readonly url: string;
  /** The writer type registered under `id`, parsed by avsc and cached for the client's life (ids are immutable). */
  schemaById(id: number): Promise<avro.Type>;
  /** Registers `schema` under `subject` (a no-op returning the existing id when already there) and returns its id. */
  register(subject: string, schema: avro.Schema, compatibility: CompatibilityLevel): Promise<number>;
  /** The id of `schema` under `subject`, or undefined when it is not registered there. */
  idForSchema(subject: string, schema: avro.Schema): Promise<number | undefined>;
  subjects(): Promise<string[]>;
  /** Version numbers of `subject`, ascending; empty when the subject does not exist. */
  versions(subject: string): Promise<number[]>;
  version(subject: string, version: number | 'latest'): Promise<SubjectVersion>;
  /** The subject's own compatibility rule, or undefined when none is set (the registry's global one applies). */
  compatibility(subject: string): Promise<CompatibilityLevel | undefined>;
  setCompatibility(subject: string, level: CompatibilityLevel): Promise<void>;
  /** Whether the registry accepts `schema` as the next version of `subject` under the subject's rule. */
  isCompatible(subject: string, schema: avro.Schema): Promise<boolean>;
}

export interface RegistryClientOptions {
  /** Base URL including any API prefix, e.g. `http://localhost:8081/apis/ccompat/v7` for Apicurio. */
  readonly url: string;
  /** Per-request timeout; a timeout counts as unavailable. */
  readonly requestTimeoutMs?: number;
  /** HTTP basic auth (Confluent Cloud API key and secret, a registry behind a proxy). */
  readonly auth?: { readonly username: string; readonly password: string };
}

// Confluent error codes the client tells apart.
const SUBJECT_NOT_FOUND = 40401;
const VERSION_NOT_FOUND = 40402;
const SCHEMA_NOT_FOUND = 40403;
// Confluent answers 40408 for "no subject-level config"; Apicurio answers 40401 before the
// subject exists and the global level ("NONE") after; both mean "no rule of its own".
const SUBJECT_CONFIG_NOT_FOUND = 40408;

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A RegistryClient over HTTP. Registration goes through @kafkajs/confluent-schema-registry;
 * reads use fetch directly because the library hides the registry's `error_code` (it cannot
 * tell "unknown schema id" from "wrong URL", both 404) and reports a refused connection as
 * HTTP 400, and its admin endpoints (config, compatibility, versions) are private.
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const url = options.url.replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  // No library-level retries: callers decide (withRegistryRetry), so an outage surfaces at once.
  const library = new SchemaRegistry({ host: url, retry: { retries: 0 }, ...(options.auth ? { auth: { ...options.auth } } : {}) });
  const authorization: Record<string, string> = options.auth
    ? { authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` }
    : {};
  const byId = new Map<number, Promise<avro.Type>>();

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    let response: Response;
    try {
      response = await fetch(url + path, {
        method,
        headers: { accept: CONTENT_TYPE, ...authorization, ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new RegistryUnavailableError(`schema registry at ${url} is unreachable: ${networkReason(error)}`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A non-JSON body is a proxy or a wrong URL, never the registry: classified below.
    }
    if (response.status >= 500) {
      throw new RegistryUnavailableError(`schema registry at ${url} answered ${response.status} to ${method} ${path}: ${messageOf(json, text)}`);
    }
    return { status: response.status, json };
  }

  function refuse(method: string, path: string, status: number, json: Record<string, unknown>): never {
    const code = typeof json.error_code === 'number' ? json.error_code : undefined;
    if (status === 404 && code === undefined) {
      // A registry always sends error_code with its 404s; without one we are not talking to a registry.
      throw new RegistryUnavailableError(`${url}${path} answered 404 without a registry error code: is the registry URL (SCHEMA_REGISTRY_URL) right?`);
    }
    throw new RegistryRequestError(status, code, `schema registry refused ${method} ${path} (${status}${code ? `/${code}` : ''}): ${messageOf(json, '')}`);
  }

  async function fetchSchema(id: number): Promise<avro.Type> {
    const path = `/schemas/ids/${id}`;
    const { status, json } = await call('GET', path);
    if (status === 404 && json.error_code === SCHEMA_NOT_FOUND) throw new UnknownSchemaIdError(id);
    if (status !== 200) refuse('GET', path, status, json);
    if (json.schemaType !== undefined && json.schemaType !== 'AVRO') {
      throw new DecodeFailedError(id, `the writer schema is ${String(json.schemaType)}, not Avro`);
    }
    try {
      return avro.Type.forSchema(JSON.parse(String(json.schema)) as avro.Schema);
    } catch (error) {
      throw new DecodeFailedError(id, `the registry's schema does not parse: ${(error as Error).message}`, { cause: error });
    }
  }

  return {
    url,
    schemaById(id) {
      let pending = byId.get(id);
      if (!pending) {
        pending = fetchSchema(id);
        byId.set(id, pending);
        // Only successes stay cached: an outage or a not-yet-registered id must be asked again.
        pending.catch(() => byId.delete(id));
      }
      return pending;
    },
    async register(subject, schema, compatibility) {
      try {
        // The library checks the subject's rule equals `compatibility` before registering.
        const { id } = await library.register(schema as never, { subject, compatibility: COMPATIBILITY[compatibility] });
        return id;
      } catch (error) {
        throw translateLibraryError(url, `register ${subject}`, error);
      }
    },
    async idForSchema(subject, schema) {
      const path = `/subjects/${encodeURIComponent(subject)}`;
      const { status, json } = await call('POST', path, { schema: JSON.stringify(schema) });
      if (status === 404 && (json.error_code === SUBJECT_NOT_FOUND || json.error_code === SCHEMA_NOT_FOUND)) return undefined;
      if (status !== 200) refuse('POST', path, status, json);
      return Number(json.id);
    },
    async subjects() {
      const { status, json } = await call('GET', '/subjects');
      if (status !== 200 || !Array.isArray(json)) refuse('GET', '/subjects', status, json);
      return (json as unknown as string[]).slice().sort();
    },
    async versions(subject) {
      const path = `/subjects/${encodeURIComponent(subject)}/versions`;
      const { status, json } = await call('GET', path);
      if (status === 404 && json.error_code === SUBJECT_NOT_FOUND) return [];
      if (status !== 200 || !Array.isArray(json)) refuse('GET', path, status, json);
      return (json as unknown as number[]).slice().sort((a, b) => a - b);
    },
    async version(subject, version) {
      const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
      const { status, json } = await call('GET', path);
      if (status !== 200) refuse('GET', path, status, json);
      return { subject, version: Number(json.version), id: Number(json.id), schema: String(json.schema) };
    },
    async compatibility(subject) {
      const path = `/config/${encodeURIComponent(subject)}`;
      const { status, json } = await call('GET', path);
      if (status === 404 && (json.error_code === SUBJECT_NOT_FOUND || json.error_code === SUBJECT_CONFIG_NOT_FOUND)) return undefined;
      if (status !== 200) refuse('GET', path, status, json);
      const parsed = compatibilityLevelSchema.safeParse(String(json.compatibilityLevel ?? json.compatibility).toUpperCase());
      return parsed.success ? parsed.data : undefined;
    },
    async setCompatibility(subject, level) {
      const path = `/config/${encodeURIComponent(subject)}`;
      const { status, json } = await call('PUT', path, { compatibility: level });
      if (status !== 200) refuse('PUT', path, status, json);
    },
    async isCompatible(subject, schema) {
      const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`;
      const { status, json } = await call('POST', path, { schema: JSON.stringify(schema) });
      // No version yet: anything is compatible with nothing.
      if (status === 404 && (json.error_code === SUBJECT_NOT_FOUND || json.error_code === VERSION_NOT_FOUND)) return true;
      if (status !== 200) refuse('POST', path, status, json);
      return json.is_compatible === true;
    },
  };
}

/** Maps the library's errors onto ours; it reports a refused connection as status 400, so the message decides. */
function translateLibraryError(url: string, what: string, error: unknown): Error {
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number((error as { status: unknown }).status) : undefined;
  const message = error instanceof Error ? error.message.replace(/^Confluent_Schema_Registry - /, '') : String(error);
  if ((status !== undefined && status >= 500) || /ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EPIPE|socket hang up|timed? ?out/i.test(message)) {
    return new RegistryUnavailableError(`schema registry at ${url} is unavailable (${what}): ${message}`, { cause: error });
  }
  if (status !== undefined) return new RegistryRequestError(status, undefined, `schema registry refused ${what} (${status}): ${message}`);
  return error instanceof Error ? error : new Error(message);
}

function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'request timed out';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function messageOf(json: Record<string, unknown>, fallback: string): string {
  return typeof json.message === 'string' ? json.message : fallback.slice(0, 200) || 'no message';
}
