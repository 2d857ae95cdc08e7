import { notificationPolicy } from './choreography/notificationPolicy.ts';

/**
 * The orchestrated flow's cancellation notices: each `orders.order.cancelled` (a customer's
 * cancellation, or the saga's last compensation) tells the customer (ORDER_CANCELLED). The
 * saga itself sends the shipment notice, as its last step.
 */
export default notificationPolicy({ name: 'order-cancellation-notices', shipments: false });
