import type { LoadRequest } from './taskState.ts';

/**
 * A store view was asked for something its task has not loaded. Not a failure: the
 * runtime loads `request` and runs the uncommitted records again.
 */
export class StateNotLoadedError extends Error {
  readonly code = 'STATE_NOT_LOADED';

  constructor(readonly request: LoadRequest) {
    super(`store '${request.store}' has not loaded ${request.kind === 'key' ? 'that key' : `its ${request.kind}`}`);
  }
}
