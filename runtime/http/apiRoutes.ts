import type { FastifyInstance, FastifyReply } from 'fastify';
import { CommandValidationError, UnknownMessageTypeError } from '../../processors/cqrs/errors.ts';
import type { MessageKind } from '../../processors/cqrs/messageDefinition.ts';
import type { RedisCommandOutbox } from '../../state/redis/commandOutbox.ts';
import type { Logger } from '../logger.ts';
import { OutboxPublisher } from '../outbox/outboxPublisher.ts';
import { RowNotFoundError } from '../queries/rowNotFoundError.ts';
import type { StoreReader } from '../queries/storeReader.ts';
import type { TopologyApi } from './topologyApi.ts';

/** One application's API as a process serves it: its handlers, its stores and its outbox. */
export interface MountedApi {
  readonly application: string;
  readonly api: TopologyApi;
  /** The stores one request reads (a new reader per request: it reads one state namespace throughout). */
  readonly stores: () => StoreReader;
  /** Where commands' records are committed (a RedisCommandOutbox). */
  readonly outbox: Pick<RedisCommandOutbox, 'connected' | 'write'>;
}

export interface ApiRoutesOptions {
  readonly apis: readonly MountedApi[];
  readonly logger: Logger;
  /** How long the answer to a command sent with an `Idempotency-Key` is remembered (default 24 h). */
  readonly idempotencyTtlMs?: number;
}

const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** Thrown when Redis is not connected: a write would only wait, and the client should retry. */
class RedisUnavailable extends Error {}

/**
 * `GET /queries/:type?…` → 200 with the answer; `POST /commands/:type` with a JSON body →
 * 202 with the handler's answer (the ids) once the records are in the outbox. A type no API
 * knows → 404; a payload its schema refuses → 400 `{error, problems}` naming the field; a
 * missing row → 404; Redis not connected → 503 (a command is committed by its outbox write,
 * so nothing is lost: retry with the same `Idempotency-Key`). A command sent again with an
 * `Idempotency-Key` whose answer is remembered gets that answer and writes nothing.
 * With several APIs mounted, each type goes to the API that registered it.
 */
export function registerApiRoutes(server: FastifyInstance, options: ApiRoutesOptions): void {
  const ttlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;

  server.get<{ Params: { type: string }; Querystring: Record<string, unknown> }>('/queries/:type', async (request, reply) =>
    answer(reply, options.logger, async () => {
      const { result } = await dispatch(options.apis, 'query', request.params.type, request.query);
      return reply.code(200).send(result);
    }),
  );

  server.post<{ Params: { type: string }; Body: unknown }>('/commands/:type', async (request, reply) =>
    answer(reply, options.logger, async () => {
      const idempotencyKey = request.headers['idempotency-key'];
      const key = typeof idempotencyKey === 'string' && idempotencyKey !== '' ? idempotencyKey : undefined;
      const { result, mounted, publisher } = await dispatch(options.apis, 'command', request.params.type, request.body ?? {});
      if (!mounted.outbox.connected) throw new RedisUnavailable();
      const write = await mounted.outbox.write(publisher.records, key === undefined ? undefined : { key, response: result ?? null, ttlMs });
      return reply.code(202).send(write.written ? result : write.response);
    }),
  );
}

/** Runs the message through the API that knows its type. */
async function dispatch(apis: readonly MountedApi[], kind: MessageKind, type: string, payload: unknown) {
  let unknown: UnknownMessageTypeError | undefined;
  for (const mounted of apis) {
    // Queries read Redis, which would wait out an outage instead of answering.
    if (kind === 'query' && !mounted.outbox.connected) throw new RedisUnavailable();
    const publisher = new OutboxPublisher();
    try {
      const result = await mounted.api.mediator({ stores: mounted.stores(), publisher }).dispatch(kind, type, payload);
      return { result, mounted, publisher };
    } catch (error) {
      if (!(error instanceof UnknownMessageTypeError)) throw error;
      unknown ??= error;
    }
  }
  throw unknown ?? new UnknownMessageTypeError(kind, type, []);
}

async function answer(reply: FastifyReply, logger: Logger, respond: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await respond();
  } catch (error) {
    if (error instanceof CommandValidationError) return reply.code(400).send({ error: error.message, problems: error.problems });
    if (error instanceof UnknownMessageTypeError || error instanceof RowNotFoundError) return reply.code(404).send({ error: error.message });
    if (error instanceof RedisUnavailable) return reply.code(503).send({ error: 'state store (Redis) unavailable; retry' });
    logger.error({ err: error }, 'api request failed');
    return reply.code(500).send({ error: (error as Error).message });
  }
}
