import { orderProjections } from '../orderProjections.ts';

/**
 * The projections of the choreographed flow, for `tributary run`: an order's status is read
 * from the Order aggregate's events, as there is no saga. See `orderProjections`.
 */
export default orderProjections({ flow: 'choreographed' });

// The order API (commands, and queries over these stores) is served by the workers that run this module.
export { api } from '../api.ts';
