import { topology, type TopologyBuilder, type KeyValueStore, type PaymentProcessed, type ProcessPayment, type RefundPayment } from '../../../index.ts';
import { orderAppId, orderTopic } from '../orderTopics.ts';
import { serviceBehaviour, type ServiceBehaviour, stableFraction, stableId } from './serviceBehaviour.ts';
import { answerRequests, sendReplies, type Reply } from './serviceReplies.ts';

const processPayment = orderTopic('payments.payment.process');
const refundPayment = orderTopic('payments.payment.refund');
const paymentProcessed = orderTopic('payments.payment.processed');

type PaymentRequest = { readonly charge: ProcessPayment } | { readonly refund: RefundPayment };

/**
 * The payment service (simulated): charges an order on `ProcessPayment`, refunds it on
 * `RefundPayment`, and answers both on `payments.payment.processed`. A customer id starting
 * with `declined-` is always declined, others at `ORDER_PAYMENT_FAILURE_RATE`. It remembers
 * each order's payment, so a repeated command gets the same answer and a refund returns
 * what was charged, once; refunding an order never charged is acknowledged with 0.
 */
export function paymentService(behaviour: ServiceBehaviour = serviceBehaviour('payment')): TopologyBuilder {
  const app = topology(orderAppId('order-payment-service'));
  app.addStore({ name: 'payments', kind: 'keyValue' });
  const charges = app.stream(processPayment.name, { serdes: processPayment.serdes }).mapValues((charge): PaymentRequest => ({ charge }));
  const refunds = app.stream(refundPayment.name, { serdes: refundPayment.serdes }).mapValues((refund): PaymentRequest => ({ refund }));
  const replies = answerRequests<PaymentRequest>(charges.merge(refunds), {
    name: 'payment-service',
    latencyMs: behaviour.latencyMs,
    stores: ['payments'],
    answer(orderId, request, context) {
      const payments = context.store<KeyValueStore<string, PaymentProcessed>>('payments');
      const known = payments.get(orderId);
      const now = context.wallClockTime();
      let answer: PaymentProcessed;
      if ('charge' in request) {
        if (known) return [reply(known)]; // a retried command: the same answer
        const { charge } = request;
        const declined = charge.customerId.startsWith('declined-') || stableFraction(orderId, 'payment') < behaviour.failureRate;
        answer = {
          eventId: stableId(charge.commandId, 'payment'),
          paymentId: stableId(orderId, 'payment-id'),
          orderId,
          status: declined ? 'FAILED' : 'PROCESSED',
          amountMinor: declined ? 0 : charge.amountMinor,
          currency: charge.currency,
          failureReason: declined ? 'card declined' : null,
          processedAt: now,
        };
      } else {
        if (known?.status === 'REFUNDED') return [reply(known)];
        const { refund } = request;
        answer = {
          eventId: stableId(refund.commandId, 'refund'),
          paymentId: refund.paymentId,
          orderId,
          status: 'REFUNDED',
          amountMinor: known?.status === 'PROCESSED' ? known.amountMinor : 0,
          currency: refund.currency,
          failureReason: null,
          processedAt: now,
        };
      }
      payments.put(orderId, answer);
      return [reply(answer)];
    },
  });
  sendReplies(replies, paymentProcessed);
  return app;
}

function reply(value: PaymentProcessed): Reply {
  return { topic: paymentProcessed.name, value };
}

export default paymentService();
