import type { z } from 'zod';
import { DuplicateHandlerError, UnknownMessageTypeError } from './errors.ts';
import type { MessageDefinition, MessageKind } from './messageDefinition.ts';
import type { MediatorMessage, Middleware } from './middleware.ts';
import { validationMiddleware } from './validationMiddleware.ts';

/** What the mediator's types remember of one command or query type: what senders pass and what they get back. */
export interface Registered<Input, Result> {
  readonly input: Input;
  readonly result: Result;
}

/** A command or query handler: gets the validated payload, resolves with the result. */
export type RequestHandler<Payload, Result> = (payload: Payload) => Result | Promise<Result>;

/** An event handler: gets the validated payload. */
export type EventHandler<Payload> = (payload: Payload) => void | Promise<void>;

type AnyHandler = (payload: unknown) => unknown;

interface Registration {
  readonly definition: MessageDefinition;
  readonly handlers: AnyHandler[];
}

/**
 * Dispatches commands, queries and events to handlers registered by type (MediatR /
 * NestJS CQRS). Each registration widens the mediator's type, so `send('PlaceOrder', …)`
 * accepts exactly the PlaceOrder schema's input and resolves with its handler's result;
 * an unregistered type does not compile.
 *
 * Every dispatch runs through the middleware pipeline, in the order the stages were
 * added, then reaches its handlers. Payloads are always validated against their schema
 * before any handler runs: by the `validationMiddleware` stage where it was added with `use`, else
 * innermost. A command or query has exactly one handler; an event has one or more, all
 * called in registration order (a failing one does not stop the others).
 */
export class Mediator<Commands = {}, Queries = {}, Events = {}> {
  private readonly registrations = new Map<string, Registration>();
  private readonly stages: Middleware[] = [];

  /** Registers the one handler of a command type. */
  command<Type extends string, Schema extends z.ZodType, Result>(
    definition: MessageDefinition<'command', Type, Schema>,
    handler: RequestHandler<z.output<Schema>, Result>,
  ): Mediator<Commands & { readonly [T in Type]: Registered<z.input<Schema>, Awaited<Result>> }, Queries, Events> {
    this.register(definition, handler as AnyHandler, false);
    // The same mediator, typed with the new registration.
    return this as never;
  }

  /** Registers the one handler of a query type. */
  query<Type extends string, Schema extends z.ZodType, Result>(
    definition: MessageDefinition<'query', Type, Schema>,
    handler: RequestHandler<z.output<Schema>, Result>,
  ): Mediator<Commands, Queries & { readonly [T in Type]: Registered<z.input<Schema>, Awaited<Result>> }, Events> {
    this.register(definition, handler as AnyHandler, false);
    return this as never;
  }

  /** Adds a handler for an event type; an event type may have any number of them. */
  on<Type extends string, Schema extends z.ZodType>(
    definition: MessageDefinition<'event', Type, Schema>,
    handler: EventHandler<z.output<Schema>>,
  ): Mediator<Commands, Queries, Events & { readonly [T in Type]: z.input<Schema> }> {
    this.register(definition, handler as AnyHandler, true);
    return this as never;
  }

  /** Appends a stage to the pipeline; stages added earlier run outside later ones. */
  use(middleware: Middleware): this {
    this.stages.push(middleware);
    return this;
  }

  /** Sends a command to its handler; resolves with the handler's result. */
  send<Type extends keyof Commands & string>(type: Type, payload: InputOf<Commands[Type]>): Promise<ResultOf<Commands[Type]>> {
    return this.dispatch('command', type, payload) as Promise<ResultOf<Commands[Type]>>;
  }

  /** Asks a query of its handler; resolves with the answer. */
  ask<Type extends keyof Queries & string>(type: Type, payload: InputOf<Queries[Type]>): Promise<ResultOf<Queries[Type]>> {
    return this.dispatch('query', type, payload) as Promise<ResultOf<Queries[Type]>>;
  }

  /** Publishes an event to all its handlers; rejects with an AggregateError of the handlers that failed, after all ran. */
  async publish<Type extends keyof Events & string>(type: Type, payload: Events[Type]): Promise<void> {
    await this.dispatch('event', type, payload);
  }

  /**
   * The untyped entry for transports (an HTTP `POST /commands/:type`): any type name,
   * any payload. Rejects with UnknownMessageTypeError when no handler is registered for
   * the type, and with CommandValidationError when the payload does not fit its schema.
   */
  async dispatch(kind: MessageKind, type: string, payload: unknown): Promise<unknown> {
    const registration = this.registrations.get(registrationKey(kind, type));
    if (!registration) throw new UnknownMessageTypeError(kind, type, this.typesOf(kind));
    const stages = this.stages.includes(validationMiddleware) ? this.stages : [...this.stages, validationMiddleware];
    const run = async (index: number, message: MediatorMessage): Promise<unknown> => {
      const stage = stages[index];
      return stage ? stage(message, (next) => run(index + 1, next)) : handle(registration, message.payload);
    };
    return run(0, { definition: registration.definition, payload });
  }

  private register(definition: MessageDefinition, handler: AnyHandler, many: boolean): void {
    const key = registrationKey(definition.kind, definition.type);
    const existing = this.registrations.get(key);
    if (!existing) {
      this.registrations.set(key, { definition, handlers: [handler] });
      return;
    }
    if (!many) throw new DuplicateHandlerError(definition.kind, definition.type, 'already has a handler; a command or query has exactly one');
    // Handlers of one event type must agree on its schema, or what one validates another would refuse.
    if (existing.definition.schema !== definition.schema) throw new DuplicateHandlerError(definition.kind, definition.type, 'is registered with two different schemas');
    existing.handlers.push(handler);
  }

  private typesOf(kind: MessageKind): string[] {
    return [...this.registrations.values()].filter((r) => r.definition.kind === kind).map((r) => r.definition.type);
  }
}

type InputOf<R> = R extends Registered<infer Input, unknown> ? Input : never;
type ResultOf<R> = R extends Registered<unknown, infer Result> ? Result : never;

function registrationKey(kind: MessageKind, type: string): string {
  return `${kind}:${type}`;
}

async function handle(registration: Registration, payload: unknown): Promise<unknown> {
  const { definition, handlers } = registration;
  if (definition.kind !== 'event') return handlers[0]!(payload);
  const failures: unknown[] = [];
  for (const handler of handlers) {
    try {
      await handler(payload);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${handlers.length} handlers of event '${definition.type}' failed`);
  return undefined;
}
