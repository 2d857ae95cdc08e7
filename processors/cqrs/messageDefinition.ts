import type { z } from 'zod';

/** What a message asks for: a command changes state, a query reads it, an event tells that something happened. */
export type MessageKind = 'command' | 'query' | 'event';

/**
 * A message type the mediator knows: its kind, its type name (the discriminator it is
 * dispatched by, e.g. `PlaceOrder`) and the zod schema its payload must satisfy. The
 * handler receives the schema's output (defaults applied, values coerced); senders pass
 * its input.
 */
export interface MessageDefinition<Kind extends MessageKind = MessageKind, Type extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly kind: Kind;
  readonly type: Type;
  readonly schema: Schema;
}

/** Declares a command type: validated by `schema`, handled by exactly one handler. */
export function defineCommand<const Type extends string, Schema extends z.ZodType>(type: Type, schema: Schema): MessageDefinition<'command', Type, Schema> {
  return { kind: 'command', type, schema };
}

/** Declares a query type: validated by `schema`, answered by exactly one handler, changes nothing. */
export function defineQuery<const Type extends string, Schema extends z.ZodType>(type: Type, schema: Schema): MessageDefinition<'query', Type, Schema> {
  return { kind: 'query', type, schema };
}

/** Declares an event type: validated by `schema`, delivered to every handler registered for it. */
export function defineEvent<const Type extends string, Schema extends z.ZodType>(type: Type, schema: Schema): MessageDefinition<'event', Type, Schema> {
  return { kind: 'event', type, schema };
}
