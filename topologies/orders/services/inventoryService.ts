import { topology, type TopologyBuilder, type InventoryChecked, type InventoryReleased, type InventoryReservationFailed, type InventoryReserved, type KeyValueStore, type ReleaseInventory, type ReserveInventory } from '../../../index.ts';
import { orderAppId, orderTopic } from '../orderTopics.ts';
import { serviceBehaviour, type ServiceBehaviour, stableFraction, stableId } from './serviceBehaviour.ts';
import { answerRequests, sendReplies, type Reply } from './serviceReplies.ts';

const reserveInventory = orderTopic('inventory.stock.reserve');
const releaseInventory = orderTopic('inventory.stock.release');
const checked = orderTopic('inventory.stock.checked');
const reserved = orderTopic('inventory.stock.reserved');
const reservationFailed = orderTopic('inventory.stock.reservation-failed');
const released = orderTopic('inventory.stock.released');

type InventoryRequest = { readonly reserve: ReserveInventory } | { readonly release: ReleaseInventory };

/** What the service remembers per order: its answer to the reservation, and whether it was released. */
interface Reservation {
  readonly replies: readonly Reply[];
  readonly reserved: InventoryReserved | null;
  readonly released: InventoryReleased | null;
}

/**
 * The inventory service (simulated): checks and reserves an order's items on
 * `ReserveInventory` (answering `inventory.stock.checked`, then `inventory.stock.reserved` or
 * `inventory.stock.reservation-failed`) and releases them on `ReleaseInventory`
 * (`inventory.stock.released`). A SKU starting with `SOLDOUT` is never in stock; other
 * orders are short at `ORDER_INVENTORY_FAILURE_RATE`. Repeated commands get the same
 * answers; releasing what was never reserved is acknowledged with no items.
 */
export function inventoryService(behaviour: ServiceBehaviour = serviceBehaviour('inventory')): TopologyBuilder {
  const app = topology(orderAppId('order-inventory-service'));
  app.addStore({ name: 'reservations', kind: 'keyValue' });
  const reserves = app.stream(reserveInventory.name, { serdes: reserveInventory.serdes }).mapValues((reserve): InventoryRequest => ({ reserve }));
  const releases = app.stream(releaseInventory.name, { serdes: releaseInventory.serdes }).mapValues((release): InventoryRequest => ({ release }));
  const replies = answerRequests<InventoryRequest>(reserves.merge(releases), {
    name: 'inventory-service',
    latencyMs: behaviour.latencyMs,
    stores: ['reservations'],
    answer(orderId, request, context) {
      const reservations = context.store<KeyValueStore<string, Reservation>>('reservations');
      const known = reservations.get(orderId);
      const now = context.wallClockTime();
      if ('reserve' in request) {
        if (known) return known.replies;
        const { reserve } = request;
        const randomlyShort = stableFraction(orderId, 'inventory') < behaviour.failureRate;
        const short = reserve.items.filter((item, i) => item.sku.startsWith('SOLDOUT') || (randomlyShort && i === 0)).map((item) => item.sku);
        const check: InventoryChecked = {
          eventId: stableId(reserve.commandId, 'checked'),
          orderId,
          available: short.length === 0,
          lines: reserve.items.map((item) => ({ sku: item.sku, requested: item.quantity, available: short.includes(item.sku) ? 0 : item.quantity })),
          checkedAt: now,
        };
        const outcome: InventoryReserved | InventoryReservationFailed =
          short.length === 0
            ? { eventId: stableId(reserve.commandId, 'reserved'), orderId, reservationId: stableId(orderId, 'reservation'), items: reserve.items, expiresAt: null, reservedAt: now }
            : { eventId: stableId(reserve.commandId, 'reservation-failed'), orderId, shortSkus: short, reason: `out of stock: ${short.join(', ')}`, failedAt: now };
        const answers = [
          { topic: checked.name, value: check },
          { topic: short.length === 0 ? reserved.name : reservationFailed.name, value: outcome },
        ];
        reservations.put(orderId, { replies: answers, reserved: short.length === 0 ? (outcome as InventoryReserved) : null, released: null });
        return answers;
      }
      if (known?.released) return [{ topic: released.name, value: known.released }];
      const { release } = request;
      const done: InventoryReleased = {
        eventId: stableId(release.commandId, 'released'),
        orderId,
        reservationId: release.reservationId,
        items: known?.reserved?.items ?? [],
        reason: release.reason,
        releasedAt: now,
      };
      reservations.put(orderId, { replies: known?.replies ?? [], reserved: known?.reserved ?? null, released: done });
      return [{ topic: released.name, value: done }];
    },
  });
  for (const topic of [checked, reserved, reservationFailed, released]) sendReplies(replies, topic);
  return app;
}

export default inventoryService();
