// Compile-time tests of saga() and dedupe(): `npm test` type-checks this file, and each
// `@ts-expect-error` fails the build if the line below it ever compiles.
import { testTopology } from '../unit/processors/stringTopology.ts';
import { saga } from '../../processors/patterns/saga/index.ts';
import { dedupe } from '../../processors/patterns/dedupe.ts';
import type { Stream } from '../../processors/stream.ts';
import type { SagaTransition } from '../../processors/patterns/saga/index.ts';
import type { InventoryReserved, OrderCancelled, OrderCreated, PaymentProcessed } from '../../schemas/generated/types.ts';

const t = testTopology('saga-types');
const created = t.stream<string, OrderCreated>('orders.order.created');
const payments = t.stream<string, PaymentProcessed>('payments.payment.processed');
const reserved = t.stream<string, InventoryReserved>('inventory.stock.reserved');
const cancelled = t.stream<string, OrderCancelled>('orders.order.cancelled');
const byNumber = t.stream<number, PaymentProcessed>('numbered-payments');

interface OrderData {
  readonly order: OrderCreated;
  readonly paymentId: string | null;
}

const command = { topic: 'payments.payment.process', build: (data: OrderData) => [data.order.orderId, { amountMinor: data.order.totalMinor }] as const };

// The data type comes from `init`; replies are checked against their own streams.
const order = saga(t, {
  name: 'order',
  start: { stream: created },
  init: (o): OrderData => ({ order: o, paymentId: null }),
  steps: (step) => [
    step('payment', {
      action: command,
      success: { stream: payments, when: (p) => p.status === 'PROCESSED' },
      failure: { stream: payments, when: (p) => p.status === 'FAILED' },
      onSuccess: (data, p) => ({ ...data, paymentId: p.paymentId }),
      timeoutMs: 1_000,
      compensation: { action: command, acknowledgement: { stream: payments, when: (p) => p.status === 'REFUNDED' }, timeoutMs: 1_000 },
    }),
    step('inventory', {
      action: command,
      success: { stream: reserved, when: (r) => r.items.length > 0 },
      // @ts-expect-error an InventoryReserved has no status: the predicate sees the success stream's type
      onSuccess: (data, r) => ({ ...data, paymentId: r.status }),
      timeoutMs: 1_000,
    }),
    step('wrong-key', {
      action: command,
      // @ts-expect-error replies must be keyed by the saga id's type (string), not number
      success: { stream: byNumber },
      timeoutMs: 1_000,
    }),
    step('wrong-predicate', {
      action: command,
      // @ts-expect-error a payment predicate cannot read an inventory reservation's field
      success: { stream: payments, when: (p: InventoryReserved) => p.items.length > 0 },
      timeoutMs: 1_000,
    }),
    step('wrong-data', {
      action: command,
      success: { stream: payments },
      // @ts-expect-error onSuccess must return the saga's data type
      onSuccess: (_data, p) => p,
      timeoutMs: 1_000,
    }),
  ],
  cancel: { stream: cancelled, when: (c) => c.reason === 'CUSTOMER_REQUEST' },
});
const transitions: Stream<string, SagaTransition<string>> = order.transitions;
// @ts-expect-error transitions are keyed by the saga id's type
const wrongTransitions: Stream<number, SagaTransition<number>> = order.transitions;

// dedupe keeps the stream's types.
const unique: Stream<string, OrderCreated> = dedupe(created, (r) => r.value.eventId, 60_000);
// @ts-expect-error the id is read from the stream's value type
dedupe(created, (r) => r.value.paymentId, 60_000);
