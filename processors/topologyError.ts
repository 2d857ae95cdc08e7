import { TributaryError } from '../runtime/errors.ts';

/** A topology that cannot be built or run as declared; the message names the node or topic. */
export class TopologyError extends TributaryError {
  constructor(message: string) {
    super('TOPOLOGY', message);
  }
}

/** Joined inputs whose partition counts differ, so equal keys would not meet in one task. */
export class CoPartitioningError extends TributaryError {
  constructor(message: string) {
    super('CO_PARTITIONING', message);
  }
}
