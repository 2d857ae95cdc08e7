import { guestCheckoutsTopology } from '../guestCheckouts.ts';

/**
 * The guest checkouts of the choreographed flow, for `tributary run`: a group order's end is
 * read from the Order aggregate's events, as there is no saga. See `guestCheckoutsTopology`.
 */
export default guestCheckoutsTopology({ flow: 'choreographed' });
