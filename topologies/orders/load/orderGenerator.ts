import type { CancelOrder, GroupCheckoutStarted, OrderCreated, OrderItem } from '../../../index.ts';
import { stableFraction, stableId } from '../services/serviceBehaviour.ts';
import type { OrderOutcome } from './orderOutcome.ts';

/**
 * The failure mix asked for: the share of orders (0..1, exclusive, summing to at most 1)
 * that the services' data rules make fail — a `declined-…` customer (payment), a `SOLDOUT…`
 * SKU (inventory), an address in country `ZZ` (shipping) — and that the customer cancels
 * right after placing them. `groups` is the share of orders placed in group checkouts.
 */
export interface OrderMix {
  readonly declined: number;
  readonly outOfStock: number;
  readonly noCarrier: number;
  readonly customerCancels: number;
  readonly groups: number;
}

/** The services' random failure rates (`ORDER_<SERVICE>_FAILURE_RATE`), which fail orders the data rules let through. */
export interface ServiceFailureRates {
  readonly payment: number;
  readonly inventory: number;
  readonly shipping: number;
}

/**
 * One order to place, the customer's cancellation to send once its saga runs (or null), and
 * how it must end unless a cancellation takes effect (then it ends `cancelled`).
 */
export interface PlannedOrder {
  readonly order: OrderCreated;
  readonly cancel: CancelOrder | null;
  readonly expected: OrderOutcome;
}

/** What to produce next: one order, or a group checkout (started after its guests' orders) with one order per guest. */
export interface PlannedBatch {
  readonly orders: readonly PlannedOrder[];
  readonly group: GroupCheckoutStarted | null;
}

export interface OrderGeneratorOptions {
  readonly mix: OrderMix;
  readonly failureRates: ServiceFailureRates;
  /** Fixes every choice: two generators with the same seed and options plan the same orders. */
  readonly seed: number;
  /** How long a group checkout waits for its guests (wall clock from its start). */
  readonly groupDeadlineMs: number;
}

const PRODUCTS: readonly Pick<OrderItem, 'sku' | 'name' | 'unitPriceMinor'>[] = [
  { sku: 'BOOK-001', name: 'Designing Data-Intensive Applications', unitPriceMinor: 4_299 },
  { sku: 'MUG-002', name: 'Stream processing mug', unitPriceMinor: 1_250 },
  { sku: 'TEE-003', name: 'Exactly-once T-shirt', unitPriceMinor: 2_400 },
  { sku: 'CABLE-004', name: 'USB-C cable', unitPriceMinor: 999 },
  { sku: 'DESK-005', name: 'Standing desk', unitPriceMinor: 39_900 },
];
const SOLD_OUT = { sku: 'SOLDOUT-006', name: 'Limited edition poster', unitPriceMinor: 1_999 };
const COUNTRIES = ['DE', 'FR', 'NL', 'AT', 'SE'] as const;
const CUSTOMERS = 500;
const GUESTS = { min: 2, max: 4 };

type Category = 'declined' | 'out-of-stock' | 'no-carrier' | 'customer-cancels' | 'plain';

/**
 * Plans generated orders: pure and deterministic (a seeded random source, the clock passed
 * in). Each order falls in one category of the mix, and its expected outcome follows from
 * the services' rules — the data rules for its category, else the services' failure rates
 * decided by the same hash of the order id the services use. Whether a customer's
 * cancellation takes effect depends on when the order service gets it (a shipped order can
 * no longer be cancelled), so it is not planned: the order's outcome without it is.
 */
export class OrderGenerator {
  private readonly random: () => number;
  private sequence = 0;

  constructor(private readonly options: OrderGeneratorOptions) {
    this.random = mulberry32(options.seed);
  }

  /** The next thing to produce at `now` (epoch ms): a single order, or now and then a group checkout. */
  next(now: number): PlannedBatch {
    if (this.random() >= this.options.mix.groups) return { orders: [this.order(now, this.customer(), null)], group: null };
    const groupCheckoutId = this.id('group');
    const size = GUESTS.min + Math.floor(this.random() * (GUESTS.max - GUESTS.min + 1));
    // Guests are told apart by customer id, so a group never holds one customer twice.
    const customers = new Set<number>();
    while (customers.size < size) customers.add(Math.floor(this.random() * CUSTOMERS));
    const orders = [...customers].map((n) => this.order(now, n, groupCheckoutId));
    const started: GroupCheckoutStarted = {
      eventId: this.id('group-started'),
      groupCheckoutId,
      initiatorCustomerId: orders[0]!.order.customerId,
      guests: orders.map(({ order }) => ({ guestId: order.customerId, customerId: order.customerId, orderId: order.orderId })),
      deadlineAt: now + this.options.groupDeadlineMs,
      startedAt: now,
    };
    return { orders, group: started };
  }

  private order(now: number, customer: number, groupCheckoutId: string | null): PlannedOrder {
    const category = this.category();
    const orderId = this.id('order');
    const lines = 1 + Math.floor(this.random() * 3);
    const items: OrderItem[] = Array.from({ length: lines }, (_, i) => ({ ...PRODUCTS[(i + Math.floor(this.random() * PRODUCTS.length)) % PRODUCTS.length]!, quantity: 1 + Math.floor(this.random() * 3) }));
    if (category === 'out-of-stock') items.push({ ...SOLD_OUT, quantity: 1 });
    const order: OrderCreated = {
      eventId: this.id('order-created'),
      orderId,
      // A declined customer is a customer of its own: declining is the payment service's rule for the id.
      customerId: category === 'declined' ? `declined-${customer}` : `customer-${customer}`,
      items,
      currency: 'EUR',
      totalMinor: items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0),
      shippingAddress: { line1: `${1 + (customer % 200)} Stream Street`, line2: null, city: 'Berlin', postalCode: `${10_000 + customer}`, country: category === 'no-carrier' ? 'ZZ' : COUNTRIES[customer % COUNTRIES.length]! },
      groupCheckoutId,
      createdAt: now,
    };
    const cancel: CancelOrder | null =
      category === 'customer-cancels' ? { commandId: this.id('cancel'), sagaId: '', orderId, reason: 'CUSTOMER_REQUEST', detail: 'changed my mind', issuedAt: now } : null;
    return { order, cancel, expected: this.expectedOutcome(category, orderId) };
  }

  private expectedOutcome(category: Category, orderId: string): OrderOutcome {
    const rates = this.options.failureRates;
    if (category === 'declined' || stableFraction(orderId, 'payment') < rates.payment) return 'payment failed';
    if (category === 'out-of-stock' || stableFraction(orderId, 'inventory') < rates.inventory) return 'inventory failed';
    if (category === 'no-carrier' || stableFraction(orderId, 'shipping') < rates.shipping) return 'shipping failed';
    return 'completed';
  }

  private category(): Category {
    const { declined, outOfStock, noCarrier, customerCancels } = this.options.mix;
    let r = this.random();
    for (const [category, share] of [['declined', declined], ['out-of-stock', outOfStock], ['no-carrier', noCarrier], ['customer-cancels', customerCancels]] as const) {
      if (r < share) return category;
      r -= share;
    }
    return 'plain';
  }

  private customer(): number {
    return Math.floor(this.random() * CUSTOMERS);
  }

  /** A UUID fixed by the seed and the sequence, so that a seeded run plans the same ids. */
  private id(kind: string): string {
    return stableId(String(this.options.seed), kind, String(this.sequence++));
  }
}

/** A small, fast seeded random source in [0, 1) (mulberry32): plans repeat with their seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
