import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
import { CommandValidationError, DuplicateHandlerError, UnknownMessageTypeError } from '../../../processors/cqrs/errors.ts';
import { loggingMiddleware, type MediatorLogger } from '../../../processors/cqrs/loggingMiddleware.ts';
import { Mediator } from '../../../processors/cqrs/mediator.ts';
import { defineCommand, defineEvent, defineQuery } from '../../../processors/cqrs/messageDefinition.ts';
import { metricsMiddleware, type DispatchLabels } from '../../../processors/cqrs/metricsMiddleware.ts';
import type { Middleware } from '../../../processors/cqrs/middleware.ts';
import { validationMiddleware } from '../../../processors/cqrs/validationMiddleware.ts';

const addItems = defineCommand(
  'AddItems',
  z.object({
    cartId: z.string().min(1, 'must not be empty'),
    items: z.array(z.object({ sku: z.string().min(1, 'must not be empty'), quantity: z.int().min(1, 'must be at least 1') })).min(1, 'must hold at least one item'),
    note: z.string().default('none'),
  }),
);
const cartSize = defineQuery('CartSize', z.object({ cartId: z.string() }));
const itemsAdded = defineEvent('ItemsAdded', z.object({ cartId: z.string() }));

const validCart = fc.record({
  cartId: fc.string({ minLength: 1 }),
  items: fc.array(fc.record({ sku: fc.string({ minLength: 1 }), quantity: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 5 }),
});

/** A valid cart with exactly one field broken, and the path the error must name. */
const brokenCart = validCart.chain((cart) =>
  fc.oneof(
    fc.constant({ payload: { ...cart, cartId: '' }, field: 'cartId' }),
    fc.constant({ payload: { ...cart, items: [] }, field: 'items' }),
    fc.nat({ max: cart.items.length - 1 }).chain((i) =>
      fc.oneof(
        fc.integer({ min: -5, max: 0 }).map((quantity) => ({ payload: { ...cart, items: cart.items.map((item, j) => (j === i ? { ...item, quantity } : item)) }, field: `items[${i}].quantity` })),
        fc.constant({ payload: { ...cart, items: cart.items.map((item, j) => (j === i ? { ...item, sku: '' } : item)) }, field: `items[${i}].sku` }),
      ),
    ),
  ),
);

function recordingLogger(): MediatorLogger & { lines: Array<[string, Record<string, unknown>, string]> } {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push([level, fields as Record<string, unknown>, message]);
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A clock that moves 5 ms every time it is read. */
function steppingClock(): () => number {
  let time = 0;
  return () => (time += 5);
}

describe('Mediator', () => {
  it('resolves a command with its handler result and a query with its answer, passing the schema output (defaults applied)', async () => {
    const seen: unknown[] = [];
    const mediator = new Mediator()
      .command(addItems, (cart) => {
        seen.push(cart);
        return cart.items.length;
      })
      .query(cartSize, async ({ cartId }) => cartId.length);
    assert.equal(await mediator.send('AddItems', { cartId: 'c', items: [{ sku: 's', quantity: 2 }] }), 1);
    assert.equal(await mediator.ask('CartSize', { cartId: 'abc' }), 3);
    assert.deepEqual(seen, [{ cartId: 'c', items: [{ sku: 's', quantity: 2 }], note: 'none' }]);
  });

  it('refuses a payload with one broken field before any handler runs, with a one-line reason naming that field', async () => {
    await fc.assert(
      fc.asyncProperty(brokenCart, async ({ payload, field }) => {
        let handled = 0;
        const mediator = new Mediator().command(addItems, () => ++handled);
        const error = await mediator.dispatch('command', 'AddItems', payload).then(
          () => assert.fail('accepted an invalid payload'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof CommandValidationError);
        assert.equal(error.code, 'COMMAND_VALIDATION');
        assert.equal(error.field, field);
        assert.match(error.message, new RegExp(`^invalid AddItems: ${field.replace(/[[\]]/g, '\\$&')}: \\S`));
        assert.doesNotMatch(error.message, /\n/);
        assert.equal(handled, 0);
      }),
    );
  });

  it('names the payload itself when it is not an object, and counts the further problems', async () => {
    const mediator = new Mediator().command(addItems, () => 0);
    await assert.rejects(mediator.send('AddItems', 'cart' as never), { name: 'CommandValidationError', field: 'payload' });
    await assert.rejects(mediator.dispatch('command', 'AddItems', { cartId: '', items: [] }), { message: 'invalid AddItems: cartId: must not be empty (and 1 more)' });
  });

  it('runs middleware in the order added, each around the next, the handler innermost', async () => {
    const trace: string[] = [];
    const stage =
      (name: string): Middleware =>
      async (message, next) => {
        trace.push(`${name} in`);
        const result = await next(message);
        trace.push(`${name} out`);
        return result;
      };
    const mediator = new Mediator()
      .command(addItems, () => {
        trace.push('handler');
        return 0;
      })
      .use(stage('first'))
      .use(stage('second'));
    await mediator.send('AddItems', { cartId: 'c', items: [{ sku: 's', quantity: 1 }] });
    assert.deepEqual(trace, ['first in', 'second in', 'handler', 'second out', 'first out']);
  });

  it('validates innermost by default, or where use(validationMiddleware) puts it', async () => {
    const sawPayload = (into: unknown[]): Middleware => (message, next) => (into.push(message.payload), next(message));
    const invalid = { cartId: '', items: [] };
    const beforeDefault: unknown[] = [];
    await assert.rejects(new Mediator().command(addItems, () => 0).use(sawPayload(beforeDefault)).send('AddItems', invalid), CommandValidationError);
    assert.deepEqual(beforeDefault, [invalid]);
    const afterExplicit: unknown[] = [];
    await assert.rejects(new Mediator().command(addItems, () => 0).use(validationMiddleware).use(sawPayload(afterExplicit)).send('AddItems', invalid), CommandValidationError);
    assert.deepEqual(afterExplicit, []);
  });

  it('lets a stage answer without calling the handler', async () => {
    let handled = false;
    const cached: Middleware = async () => 42;
    const mediator = new Mediator().query(cartSize, () => ((handled = true), 0)).use(cached);
    assert.equal(await mediator.ask('CartSize', { cartId: 'c' }), 42);
    assert.equal(handled, false);
  });

  it('rejects a type with no handler of that kind, naming it and the known ones', async () => {
    const mediator = new Mediator().command(addItems, () => 0).query(cartSize, () => 0);
    await assert.rejects(mediator.dispatch('command', 'RemoveItems', {}), (error: unknown) => {
      assert.ok(error instanceof UnknownMessageTypeError);
      assert.equal(error.message, "no command handler is registered for 'RemoveItems'; known commands: AddItems");
      return true;
    });
    await assert.rejects(mediator.dispatch('command', 'CartSize', { cartId: 'c' }), UnknownMessageTypeError);
    await assert.rejects(mediator.dispatch('event', 'ItemsAdded', { cartId: 'c' }), { message: "no event handler is registered for 'ItemsAdded'; known events: none" });
  });

  it('refuses a second handler for a command or query type, and a second schema for an event type', () => {
    assert.throws(() => new Mediator().command(addItems, () => 0).command(addItems, () => 1), DuplicateHandlerError);
    assert.throws(() => new Mediator().query(cartSize, () => 0).query(cartSize, () => 1), DuplicateHandlerError);
    const sameName = defineEvent('ItemsAdded', z.object({ cartId: z.number() }));
    assert.throws(() => new Mediator().on(itemsAdded, () => {}).on(sameName, () => {}), { code: 'DUPLICATE_HANDLER', message: "event 'ItemsAdded' is registered with two different schemas" });
  });

  it('calls every handler of an event in registration order, even after one fails, then rejects with every failure', async () => {
    const calls: string[] = [];
    const failure = new Error('projection down');
    const mediator = new Mediator()
      .on(itemsAdded, ({ cartId }) => void calls.push(`a ${cartId}`))
      .on(itemsAdded, async () => {
        calls.push('b');
        throw failure;
      })
      .on(itemsAdded, ({ cartId }) => void calls.push(`c ${cartId}`));
    await assert.rejects(mediator.publish('ItemsAdded', { cartId: 'x' }), (error: unknown) => {
      assert.ok(error instanceof AggregateError);
      assert.deepEqual(error.errors, [failure]);
      assert.equal(error.message, "1 of 3 handlers of event 'ItemsAdded' failed");
      return true;
    });
    assert.deepEqual(calls, ['a x', 'b', 'c x']);
    calls.length = 0;
    await assert.rejects(mediator.publish('ItemsAdded', {} as never), CommandValidationError);
    assert.deepEqual(calls, []);
  });
});

describe('mediator middleware', () => {
  it('loggingMiddleware logs each dispatch once: handled at info, refused at warn with the reason, failed at error', async () => {
    const logger = recordingLogger();
    const boom = new Error('boom');
    const mediator = new Mediator()
      .command(addItems, () => 1)
      .query(cartSize, () => {
        throw boom;
      })
      .use(loggingMiddleware(logger, { now: steppingClock() }));
    await mediator.send('AddItems', { cartId: 'c', items: [{ sku: 's', quantity: 1 }] });
    await assert.rejects(mediator.send('AddItems', { cartId: 'c', items: [] }));
    await assert.rejects(mediator.ask('CartSize', { cartId: 'c' }));
    assert.deepEqual(
      logger.lines.map(([level, fields, message]) => [level, fields.kind, fields.type, fields.durationMs, message]),
      [
        ['info', 'command', 'AddItems', 5, 'command AddItems handled'],
        ['warn', 'command', 'AddItems', 5, 'command AddItems refused: invalid AddItems: items: must hold at least one item'],
        ['error', 'query', 'CartSize', 5, 'query CartSize failed'],
      ],
    );
    assert.equal(logger.lines[2]![1].err, boom);
  });

  it('metricsMiddleware counts every dispatch and observes its seconds, by kind, type and outcome', async () => {
    const counted: DispatchLabels[] = [];
    const observed: Array<[DispatchLabels, number]> = [];
    const mediator = new Mediator()
      .command(addItems, () => 1)
      .on(itemsAdded, () => {
        throw new Error('down');
      })
      .use(metricsMiddleware({ dispatched: { inc: (labels) => void counted.push(labels) }, durationSeconds: { observe: (labels, value) => void observed.push([labels, value]) } }, { now: steppingClock() }));
    await mediator.send('AddItems', { cartId: 'c', items: [{ sku: 's', quantity: 1 }] });
    await assert.rejects(mediator.send('AddItems', { cartId: '', items: [{ sku: 's', quantity: 1 }] }));
    await assert.rejects(mediator.publish('ItemsAdded', { cartId: 'c' }));
    const expected: DispatchLabels[] = [
      { kind: 'command', type: 'AddItems', outcome: 'ok' },
      { kind: 'command', type: 'AddItems', outcome: 'invalid' },
      { kind: 'event', type: 'ItemsAdded', outcome: 'failed' },
    ];
    assert.deepEqual(counted, expected);
    assert.deepEqual(observed, expected.map((labels) => [labels, 0.005]));
  });
});
