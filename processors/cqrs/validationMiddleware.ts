import type { z } from 'zod';
import { CommandValidationError, type FieldProblem } from './errors.ts';
import type { MessageDefinition } from './messageDefinition.ts';
import type { Middleware } from './middleware.ts';

/**
 * Parses the payload with its definition's schema and passes the schema's output on, or
 * rejects with a CommandValidationError naming the fields at fault; `next` is not called
 * then, so no handler sees a payload its schema refuses. A mediator runs this stage
 * innermost unless it was added with `use(validationMiddleware)`, which puts it where it is added.
 */
export const validationMiddleware: Middleware = async (message, next) => next({ ...message, payload: validatePayload(message.definition, message.payload) });

/** The schema's output for `payload`, or a CommandValidationError naming every field at fault. */
function validatePayload(definition: MessageDefinition, payload: unknown): unknown {
  const parsed = definition.schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues.map(problemOf);
  // zod reports at least one issue for every failed parse.
  throw new CommandValidationError(definition.kind, definition.type, [first!, ...rest]);
}

function problemOf(issue: z.core.$ZodIssue): FieldProblem {
  return { field: fieldPath(issue.path), reason: issue.message };
}

/** `['items', 0, 'quantity']` → `items[0].quantity`; the empty path → `payload`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  return text || 'payload';
}
