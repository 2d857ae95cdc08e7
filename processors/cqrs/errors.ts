import { TributaryError } from '../../runtime/errors.ts';
import type { MessageKind } from './messageDefinition.ts';

/** One field of a payload that its schema refuses: `items[0].quantity` and why. */
export interface FieldProblem {
  /** Path of the field in the payload (`items[0].quantity`), `payload` for the payload as a whole. */
  readonly field: string;
  readonly reason: string;
}

/**
 * A command, query or event whose payload its schema refuses, raised before any handler
 * runs. The message is one line naming the type and the first field at fault
 * (`invalid PlaceOrder: items[0].quantity: must be at least 1`); an HTTP layer answers
 * it with 400 and may list every problem.
 */
export class CommandValidationError extends TributaryError {
  constructor(
    readonly kind: MessageKind,
    readonly type: string,
    /** Every field at fault, the first one named in the message. Never empty. */
    readonly problems: readonly [FieldProblem, ...FieldProblem[]],
  ) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super('COMMAND_VALIDATION', `invalid ${type}: ${first.field}: ${first.reason}${more}`);
  }

  /** The first field at fault. */
  get field(): string {
    return this.problems[0].field;
  }

  /** Why the first field at fault is refused. */
  get reason(): string {
    return this.problems[0].reason;
  }
}

/** A message type no handler is registered for; an HTTP layer answers it with 404. */
export class UnknownMessageTypeError extends TributaryError {
  constructor(
    readonly kind: MessageKind,
    readonly type: string,
    known: readonly string[],
  ) {
    super('UNKNOWN_MESSAGE_TYPE', `no ${kind} handler is registered for '${type}'; known ${kind}s: ${known.length > 0 ? [...known].sort().join(', ') : 'none'}`);
  }
}

/** A second handler for a command or query type, or a second definition for a type name. */
export class DuplicateHandlerError extends TributaryError {
  constructor(kind: MessageKind, type: string, why: string) {
    super('DUPLICATE_HANDLER', `${kind} '${type}' ${why}`);
  }
}
