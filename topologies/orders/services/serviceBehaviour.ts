import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TributaryError } from '../../../index.ts';

/** A service's behaviour setting is not a number in its range. */
export class ServiceBehaviourError extends TributaryError {
  constructor(detail: string) {
    super('SERVICE_BEHAVIOUR', detail);
  }
}

/** How a simulated downstream service behaves: how often it fails and how late it answers. */
export interface ServiceBehaviour {
  /** The share of requests that fail, 0..1, chosen by a hash of the request id (the same request always gets the same answer). */
  readonly failureRate: number;
  /** How long (wall clock) the service takes to answer; 0 answers at once. */
  readonly latencyMs: number;
}

const rate = z.coerce.number().min(0).max(1);
const millis = z.coerce.number().int().min(0);

/**
 * The behaviour of service `name` from `ORDER_<NAME>_FAILURE_RATE` (default 0) and
 * `ORDER_<NAME>_LATENCY_MS` (default 0); the demo sets them per run.
 */
export function serviceBehaviour(name: string, env: NodeJS.ProcessEnv = process.env): ServiceBehaviour {
  const read = <T>(suffix: string, schema: z.ZodType<T>, fallback: T): T => {
    const variable = `ORDER_${name.toUpperCase()}_${suffix}`;
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new ServiceBehaviourError(`${variable}=${raw}: ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  };
  return { failureRate: read('FAILURE_RATE', rate, 0), latencyMs: read('LATENCY_MS', millis, 0) };
}

/** A number in [0, 1) fixed by the parts: replays and retries of a request decide alike. */
export function stableFraction(...parts: readonly string[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

/** A UUID-shaped id fixed by the parts, so that an event reprocessed after a crash keeps its id. */
export function stableId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
