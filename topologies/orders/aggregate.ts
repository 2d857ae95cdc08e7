// The Order aggregate, event-sourced: its events are the order's log, its state the fold of them.
//
//   new ─place→ pending ─confirm payment→ paid ─reserve→ reserved ─ship→ shipped ─complete→ completed
//                  │                        │               │
//                  └─cancel→ cancelled      └──── cancel ───┴─→ compensated (refund, then release, undone in reverse)
//
// A shipped order can no longer be cancelled; a cancelled one can no longer move on. The
// topology below feeds it the order system's facts as commands.
import {
  aggregateStores,
  eventSourcedAggregate,
  jsonSerde,
  reject,
  stringSerde,
  topology,
  type AggregateDefinition,
  type CancellationReason,
  type Decision,
  type OrderCancelled,
  type OrderItem,
  type Stream,
  type TopologyBuilder,
} from '../../index.ts';
import { ORDER_COMMANDS, resequenced } from './factResequencer.ts';
import { orderAppId, orderTopic, orderTopicPrefix, readTopic } from './orderTopics.ts';

/** Where an order is in its life; `new` until it is placed. */
export type OrderStatus = 'new' | 'pending' | 'paid' | 'reserved' | 'shipped' | 'completed' | 'cancelled' | 'compensated';

/** A completed step a cancellation must undo, listed in the order to undo them (last done, first undone). */
export type OrderCompensation = 'release-inventory' | 'refund-payment';

/** What the Order aggregate is told to do. Ids and amounts come from the services that did the work. */
export type OrderCommand =
  | { readonly type: 'PlaceOrder'; readonly customerId: string; readonly items: readonly OrderItem[]; readonly currency: string; readonly totalMinor: number }
  | { readonly type: 'ConfirmPayment'; readonly paymentId: string; readonly amountMinor: number }
  | { readonly type: 'ReserveInventory'; readonly reservationId: string }
  | { readonly type: 'ShipOrder'; readonly shipmentId: string }
  | { readonly type: 'CompleteOrder' }
  | { readonly type: 'CancelOrder'; readonly reason: CancellationReason; readonly detail: string | null };

/** What happened to an order: the aggregate's event log. */
export type OrderEvent =
  | { readonly type: 'OrderPlaced'; readonly customerId: string; readonly items: readonly OrderItem[]; readonly currency: string; readonly totalMinor: number }
  | { readonly type: 'PaymentConfirmed'; readonly paymentId: string; readonly amountMinor: number }
  | { readonly type: 'InventoryReserved'; readonly reservationId: string }
  | { readonly type: 'OrderShipped'; readonly shipmentId: string }
  | { readonly type: 'OrderCompleted' }
  | { readonly type: 'OrderCancelled'; readonly reason: CancellationReason; readonly detail: string | null; readonly compensations: readonly OrderCompensation[] };

/** An order as its events made it. */
export interface OrderState {
  readonly status: OrderStatus;
  readonly customerId: string | null;
  readonly currency: string | null;
  readonly totalMinor: number;
  readonly paymentId: string | null;
  readonly reservationId: string | null;
  readonly shipmentId: string | null;
  readonly cancellation: { readonly reason: CancellationReason; readonly detail: string | null; readonly compensations: readonly OrderCompensation[] } | null;
}

const initial: OrderState = { status: 'new', customerId: null, currency: null, totalMinor: 0, paymentId: null, reservationId: null, shipmentId: null, cancellation: null };

/** Why a command cannot apply in a status it does not expect; `undefined` where it applies. */
function refusal(status: OrderStatus, action: string, expected: readonly OrderStatus[]): string | undefined {
  if (expected.includes(status)) return undefined;
  if (status === 'new') return 'no order has been placed';
  if (status === 'cancelled' || status === 'compensated') return `cannot ${action} a cancelled order`;
  return `cannot ${action} an order that is ${status}`;
}

function decide(command: OrderCommand, state: OrderState): Decision<OrderEvent> {
  switch (command.type) {
    case 'PlaceOrder': {
      if (state.status !== 'new') return reject('the order is already placed');
      if (command.items.length === 0) return reject('an order needs at least one item');
      if (command.items.some((item) => item.quantity < 1)) return reject('every item needs a quantity of at least 1');
      const sum = command.items.reduce((total, item) => total + item.quantity * item.unitPriceMinor, 0);
      if (command.totalMinor !== sum) return reject(`the total ${command.totalMinor} is not the items' sum ${sum}`);
      return [{ type: 'OrderPlaced', customerId: command.customerId, items: command.items, currency: command.currency, totalMinor: command.totalMinor }];
    }
    case 'ConfirmPayment': {
      const refused = refusal(state.status, 'confirm payment of', ['pending']);
      if (refused) return reject(refused);
      if (command.amountMinor !== state.totalMinor) return reject(`a payment of ${command.amountMinor} does not match the order total ${state.totalMinor}`);
      return [{ type: 'PaymentConfirmed', paymentId: command.paymentId, amountMinor: command.amountMinor }];
    }
    case 'ReserveInventory': {
      const refused = refusal(state.status, 'reserve stock for', ['paid']);
      return refused ? reject(refused) : [{ type: 'InventoryReserved', reservationId: command.reservationId }];
    }
    case 'ShipOrder': {
      const refused = refusal(state.status, 'ship', ['reserved']);
      return refused ? reject(refused) : [{ type: 'OrderShipped', shipmentId: command.shipmentId }];
    }
    case 'CompleteOrder': {
      const refused = refusal(state.status, 'complete', ['shipped']);
      return refused ? reject(refused) : [{ type: 'OrderCompleted' }];
    }
    case 'CancelOrder': {
      const refused = refusal(state.status, 'cancel', ['pending', 'paid', 'reserved']);
      if (refused) return reject(refused);
      const compensations: OrderCompensation[] = [];
      if (state.reservationId !== null) compensations.push('release-inventory');
      if (state.paymentId !== null) compensations.push('refund-payment');
      return [{ type: 'OrderCancelled', reason: command.reason, detail: command.detail, compensations }];
    }
  }
}

/** The status an order is in right after one of its events. */
export function statusAfter(event: OrderEvent): OrderStatus {
  switch (event.type) {
    case 'OrderPlaced':
      return 'pending';
    case 'PaymentConfirmed':
      return 'paid';
    case 'InventoryReserved':
      return 'reserved';
    case 'OrderShipped':
      return 'shipped';
    case 'OrderCompleted':
      return 'completed';
    case 'OrderCancelled':
      // Cancelling before any step completed leaves nothing to undo; after one, the order is compensated.
      return event.compensations.length === 0 ? 'cancelled' : 'compensated';
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  const status = statusAfter(event);
  switch (event.type) {
    case 'OrderPlaced':
      return { ...state, status, customerId: event.customerId, currency: event.currency, totalMinor: event.totalMinor };
    case 'PaymentConfirmed':
      return { ...state, status, paymentId: event.paymentId };
    case 'InventoryReserved':
      return { ...state, status, reservationId: event.reservationId };
    case 'OrderShipped':
      return { ...state, status, shipmentId: event.shipmentId };
    case 'OrderCompleted':
      return { ...state, status };
    case 'OrderCancelled':
      return { ...state, status, cancellation: { reason: event.reason, detail: event.detail, compensations: event.compensations } };
  }
}

/**
 * The Order aggregate. Commands in the wrong status are rejected with the reason (`cannot
 * ship a cancelled order`, `cannot cancel an order that is shipped`); a payment must
 * match the order total; a cancellation lists the completed steps to undo, last first.
 */
export const orderAggregate: AggregateDefinition<OrderCommand, OrderEvent, OrderState> = { initial, decide, evolve };

/** The Order aggregate's stores, which queries read, and its topics (JSON, outside the Avro catalogue). */
export const ORDER_AGGREGATE = {
  name: 'order',
  /** `state`: order id → AggregateSnapshot<OrderState>; `history`: order id → HistoryEntry<OrderEvent>[]. */
  stores: aggregateStores('order'),
  /** Order id → OrderEvent: the aggregate's event log. */
  events: `${orderTopicPrefix}orders.order.events`,
  /** Order id → CommandRejection<OrderCommand>: facts the aggregate could not apply. */
  rejections: `${orderTopicPrefix}orders.order.rejections`,
} as const;

const json = { key: stringSerde, value: jsonSerde<never>() };

/** How the order system runs an order: the order saga (`orderSaga.ts`), or the policies of `choreography/` reacting to each other's events. */
export type OrderFlow = 'orchestrated' | 'choreographed';

/** Which order flow the Order aggregate serves. */
export interface OrderAggregateOptions {
  /**
   * `orchestrated` (the default): the order saga runs the flow. The aggregate applies only the
   * saga's `CancelOrder`, as a customer's cancellation (no `sagaId`) is a request the saga
   * decides on (only the saga knows whether it has asked for the shipment), and an order is
   * completed by the saga's move to `completed`. `choreographed` (no saga): it applies
   * every `CancelOrder`, the customer's and the order policy's, decided on what it has seen,
   * and an order is completed when its customer is told it shipped (ORDER_SHIPPED).
   */
  readonly flow: OrderFlow;
}

/**
 * The Order aggregate fed by the order system's facts, each read as the command it
 * implies: an order created places it, a payment processed (charged) confirms payment,
 * stock reserved reserves, a shipment initiated ships, the end of the flow (see `flow`)
 * completes, and a `CancelOrder` command (see `flow`) cancels. Refunds, failures and the
 * saga's other moves imply no command. The inputs are keyed by order id, but for the
 * shipping notices of the choreographed flow, which are repartitioned by order. The facts
 * of one order come from several topics, read each at its own pace, so they pass a
 * resequencer (`factResequencer.ts`, store `order-facts`) that holds a fact until the one it
 * follows has passed; the aggregate reads them in that order through the repartition topic
 * `<app>-order-commands-repartition`. The aggregate is the order service: an accepted
 * cancellation is announced on `orders.order.cancelled`, once; a cancellation it refuses
 * (the order shipped, or is cancelled already) is a rejection.
 */
export function orderAggregateTopology({ flow }: OrderAggregateOptions = { flow: 'orchestrated' }): TopologyBuilder {
  const app = topology(orderAppId('order-aggregate'));
  const inputs: string[] = [];
  const read = <T extends Parameters<typeof readTopic>[1]>(topic: T) => {
    inputs.push(orderTopic(topic).name);
    return readTopic(app, topic);
  };
  const commands: Array<Stream<string, OrderCommand>> = [
    read('orders.order.created').mapValues((o): OrderCommand => ({ type: 'PlaceOrder', customerId: o.customerId, items: o.items, currency: o.currency, totalMinor: o.totalMinor }), { name: 'place-order' }),
    read('payments.payment.processed').flatMapValues((p): OrderCommand[] => (p.status === 'PROCESSED' ? [{ type: 'ConfirmPayment', paymentId: p.paymentId, amountMinor: p.amountMinor }] : []), { name: 'confirm-payment' }),
    read('inventory.stock.reserved').mapValues((r): OrderCommand => ({ type: 'ReserveInventory', reservationId: r.reservationId }), { name: 'reserve-inventory' }),
    read('shipping.shipment.initiated').mapValues((s): OrderCommand => ({ type: 'ShipOrder', shipmentId: s.shipmentId }), { name: 'ship-order' }),
    flow === 'orchestrated'
      ? read('orders.saga.transitioned').flatMapValues((t): OrderCommand[] => (t.to === 'completed' && t.from !== 'completed' ? [{ type: 'CompleteOrder' }] : []), { name: 'complete-order' })
      : read('notifications.notification.sent')
          .flatMap((_customer, n): Array<readonly [string, OrderCommand]> => (n.orderId !== null && n.kind === 'ORDER_SHIPPED' ? [[n.orderId, { type: 'CompleteOrder' }]] : []), { name: 'complete-order' })
          .repartition({ name: 'complete-order', serdes: json }),
    read('orders.order.cancel').flatMapValues((c): OrderCommand[] => (flow === 'choreographed' || c.sagaId !== '' ? [{ type: 'CancelOrder', reason: c.reason, detail: c.detail }] : []), { name: 'cancel-order' }),
  ];
  // One order's facts meet in one task of the resequencer, which owns what it knows of the order.
  app.requireCoPartitioned(inputs);
  const facts = resequenced(app, commands.reduce((all, next) => all.merge(next)), ORDER_COMMANDS, 'order-facts');
  const order = eventSourcedAggregate(facts, orderAggregate, { name: ORDER_AGGREGATE.name, serdes: json });
  order.events.to(ORDER_AGGREGATE.events, { serdes: json });
  order.rejections.to(ORDER_AGGREGATE.rejections, { serdes: json });
  const cancelled = orderTopic('orders.order.cancelled');
  order.events
    .process<string, OrderCancelled>(
      (context) => ({
        process({ key, value, timestamp }) {
          if (value.type === 'OrderCancelled') context.forward(key, { eventId: `${key}:cancelled`, orderId: key, reason: value.reason, detail: value.detail, cancelledAt: timestamp });
        },
      }),
      { name: 'order-cancelled' },
    )
    .to(cancelled.name, { serdes: cancelled.serdes });
  return app;
}

export default orderAggregateTopology();
