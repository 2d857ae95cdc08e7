import { z } from 'zod';
import { ConfigError } from '../errors.ts';

const share = z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const positive = z.coerce.number().positive('must be greater than 0');
const count = z.coerce.number().int('must be a whole number').positive('must be at least 1');

const demoOptionsSchema = z
  .object({
    rate: positive.default(20),
    duration: positive.optional(),
    orders: count.optional(),
    declined: share.default(0.05),
    outOfStock: share.default(0.05),
    noCarrier: share.default(0.03),
    customerCancels: share.default(0.02),
    groups: share.default(0.05),
    paymentFailureRate: share.default(0),
    inventoryFailureRate: share.default(0),
    shippingFailureRate: share.default(0),
    serviceLatencyMs: z.coerce.number().int('must be a whole number').min(0, 'must be at least 0').default(0),
    partitions: count.default(4),
    workers: count.default(1),
    topicPrefix: z
      .string()
      .regex(/^[a-z0-9-]+\.$/, 'must be lower-case letters, digits and dashes ending in a dot, e.g. demo-1.')
      .optional(),
    drainTimeout: positive.default(60),
    seed: z.coerce.number().int('must be a whole number').optional(),
    flow: z.enum(['orchestrated', 'choreographed'], 'must be orchestrated or choreographed').default('orchestrated'),
  })
  .refine((o) => o.declined + o.outOfStock + o.noCarrier + o.customerCancels <= 1, { message: 'the shares of --declined, --out-of-stock, --no-carrier and --customer-cancels must add up to at most 1', path: ['declined'] });

/** The demo's settings, parsed from its flags. */
export type DemoOptions = z.output<typeof demoOptionsSchema> & { readonly topicPrefix: string; readonly seed: number };

/** Flag names as the user typed them, for error messages. */
const FLAG_OF: Record<string, string> = { outOfStock: 'out-of-stock', noCarrier: 'no-carrier', customerCancels: 'customer-cancels', paymentFailureRate: 'payment-failure-rate', inventoryFailureRate: 'inventory-failure-rate', shippingFailureRate: 'shipping-failure-rate', serviceLatencyMs: 'service-latency-ms', topicPrefix: 'topic-prefix', drainTimeout: 'drain-timeout' };

/**
 * Parses the demo's flags (strings as commander hands them) into its settings; a value that
 * makes no sense is a ConfigError naming the flag. Without `--topic-prefix` a run gets topics
 * of its own (`demo-<time>.`), so its totals count only its orders.
 */
export function parseDemoOptions(raw: Readonly<Record<string, unknown>>, now: number = Date.now()): DemoOptions {
  const parsed = demoOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const flag = FLAG_OF[field] ?? field;
    throw new ConfigError(`--${flag}${raw[field] === undefined ? '' : ` ${String(raw[field])}`}: ${issue.message}`);
  }
  return { ...parsed.data, topicPrefix: parsed.data.topicPrefix ?? `demo-${now.toString(36)}.`, seed: parsed.data.seed ?? now % 2 ** 31 };
}
