import { TributaryError } from '../errors.ts';

/** A query for a row that is not there (no such order, no revenue that day); an HTTP layer answers it with 404. */
export class RowNotFoundError extends TributaryError {
  constructor(what: string) {
    super('ROW_NOT_FOUND', `${what} not found`);
  }
}
