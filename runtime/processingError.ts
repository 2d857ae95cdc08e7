import { TributaryError } from './errors.ts';

/** A user function or operator threw while processing a record; names the node and the input record. */
export class ProcessingError extends TributaryError {
  constructor(
    readonly node: string,
    readonly source: { readonly topic: string; readonly partition: number; readonly offset: number } | undefined,
    cause: unknown,
  ) {
    const where = source ? ` on ${source.topic}[${source.partition}]@${source.offset}` : '';
    super('PROCESSING', `processor '${node}' failed${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
