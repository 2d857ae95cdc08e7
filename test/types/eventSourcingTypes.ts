// Compile-time tests of event-sourced aggregates: each `@ts-expect-error` fails the build if the
// line below it ever compiles.
import { reject, type AggregateDefinition } from '../../processors/eventSourcing/aggregateDefinition.ts';
import { stateAsOf } from '../../processors/eventSourcing/aggregateHistory.ts';
import { eventSourcedAggregate } from '../../processors/eventSourcing/eventSourcedAggregate.ts';
import { rebuild } from '../../processors/eventSourcing/rebuild.ts';
import type { Stream } from '../../processors/stream.ts';
import { orderAggregate, type OrderCommand, type OrderEvent, type OrderState } from '../../topologies/orders/aggregate.ts';
import { testTopology } from '../unit/processors/stringTopology.ts';

const app = testTopology('event-sourcing-types');
const commands = app.stream<string, OrderCommand>('order-commands');
const order = eventSourcedAggregate(commands, orderAggregate, { name: 'order' });

// The event and rejection streams carry the definition's types, keyed as the commands were.
const events: Stream<string, OrderEvent> = order.events;
const reasons: Stream<string, string> = order.rejections.mapValues((rejection) => rejection.reason);
const refused: Stream<string, OrderCommand['type']> = order.rejections.mapValues((rejection) => rejection.command.type);
// @ts-expect-error events are OrderEvents, not OrderCommands
const notCommands: Stream<string, OrderCommand> = order.events;

// The command stream's values must be the definition's commands.
// @ts-expect-error a stream of strings is not a stream of OrderCommands
eventSourcedAggregate(app.stream<string, string>('strings'), orderAggregate, { name: 'strings' });
// @ts-expect-error the stores need a name
eventSourcedAggregate(commands, orderAggregate, {});

// decide returns events of the definition's type, or a rejection.
const counter: AggregateDefinition<number, { added: number }, number> = {
  initial: 0,
  decide: (n, total) => (total + n < 0 ? reject('below zero') : [{ added: n }]),
  evolve: (total, { added }) => total + added,
};
const badDecide: AggregateDefinition<number, { added: number }, number> = {
  initial: 0,
  // @ts-expect-error an event must be { added }, not a number
  decide: (n) => [n],
  evolve: (total, { added }) => total + added,
};

// rebuild and the temporal query give the definition's state type, from its event type.
const state: OrderState = rebuild(orderAggregate, [] as OrderEvent[]);
const total: number = stateAsOf(counter, [{ version: 1, timestamp: 0, event: { added: 1 } }], { timestamp: 5 });
// @ts-expect-error a counter's history holds { added } events
stateAsOf(counter, [{ version: 1, timestamp: 0, event: { removed: 1 } }], { version: 1 });

export { events, reasons, refused, notCommands, badDecide, state, total };
