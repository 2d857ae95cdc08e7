// Compile-time tests of the mediator's types: `npm test` type-checks this file first, and each
// `@ts-expect-error` fails the build if the line below it ever compiles.
import { pino } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { Mediator } from '../../processors/cqrs/mediator.ts';
import { defineCommand, defineEvent, defineQuery } from '../../processors/cqrs/messageDefinition.ts';
import { loggingMiddleware } from '../../processors/cqrs/loggingMiddleware.ts';
import { metricsMiddleware } from '../../processors/cqrs/metricsMiddleware.ts';
import type { EventPublisher } from '../../processors/cqrs/eventPublisher.ts';
import { cancelOrder, cancelOrderHandler, placeOrder, placeOrderHandler } from '../../topologies/orders/commands.ts';
import type { TopicValues } from '../../schemas/generated/types.ts';

const rename = defineCommand('Rename', z.object({ id: z.string(), name: z.string().min(1) }));
const count = defineQuery('Count', z.object({ prefix: z.string().default('') }));
const renamed = defineEvent('Renamed', z.object({ id: z.string() }));

const mediator = new Mediator()
  .command(rename, async ({ name }) => ({ accepted: name.length }))
  .query(count, ({ prefix }) => prefix.length)
  .on(renamed, () => {})
  .on(renamed, async ({ id }) => void id);

// The result type follows from the handler's return type.
const accepted: Promise<{ accepted: number }> = mediator.send('Rename', { id: 'a', name: 'b' });
const counted: Promise<number> = mediator.ask('Count', {});
// @ts-expect-error Rename resolves with { accepted }, not a string
const wrongResult: Promise<string> = mediator.send('Rename', { id: 'a', name: 'b' });

// Payloads are the schema's input: a default makes a field optional, a missing required one does not compile.
mediator.ask('Count', { prefix: 'x' });
// @ts-expect-error Rename needs a name
mediator.send('Rename', { id: 'a' });
// @ts-expect-error name is a string
mediator.send('Rename', { id: 'a', name: 1 });

// Only registered types can be sent, asked or published, each on its own verb.
// @ts-expect-error no command Delete is registered
mediator.send('Delete', { id: 'a' });
// @ts-expect-error Count is a query, not a command
mediator.send('Count', {});
// @ts-expect-error Rename is a command, not a query
mediator.ask('Rename', { id: 'a', name: 'b' });
mediator.publish('Renamed', { id: 'a' });
// @ts-expect-error Renamed carries an id
mediator.publish('Renamed', {});

// A definition's kind must match the verb it is registered with.
// @ts-expect-error a query definition is not a command
new Mediator().command(count, () => 0);
// Handlers see the schema's output: the default makes prefix a string, never undefined.
new Mediator().query(count, ({ prefix }) => prefix.toUpperCase());

// An empty mediator accepts nothing.
// @ts-expect-error nothing is registered
new Mediator().send('Rename', {});

// pino and prom-client instruments fit the logging and metrics middleware as they are.
const registry = new Registry();
mediator.use(loggingMiddleware(pino({ enabled: false })));
mediator.use(
  metricsMiddleware({
    dispatched: new Counter({ name: 'mediator_dispatched_total', help: 'dispatches', labelNames: ['kind', 'type', 'outcome'], registers: [registry] }),
    durationSeconds: new Histogram({ name: 'mediator_duration_seconds', help: 'durations', labelNames: ['kind', 'type', 'outcome'], registers: [registry] }),
  }),
);

// The order commands: the publisher only takes the catalogued value type of each topic.
declare const publisher: EventPublisher<TopicValues>;
const orders = new Mediator().command(placeOrder, placeOrderHandler({ publisher })).command(cancelOrder, cancelOrderHandler({ publisher }));
const cancelled: Promise<{ orderId: string; commandId: string }> = orders.send('CancelOrder', { orderId: 'o' });
// @ts-expect-error a cancellation reason is one of the Avro enum's symbols
orders.send('CancelOrder', { orderId: 'o', reason: 'BORED' });
// @ts-expect-error orders.order.created takes an OrderCreated, not a CancelOrder
publisher.publish('orders.order.created', 'o', { commandId: 'c', sagaId: '', orderId: 'o', reason: 'CUSTOMER_REQUEST', detail: null, issuedAt: 0 });

export { accepted, counted, wrongResult, cancelled };
