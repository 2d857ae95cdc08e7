import assert from 'node:assert/strict';
import { recordNameStrategy, subjectStrategies, topicNameStrategy, topicRecordNameStrategy } from '../../../schemas/subjectStrategy.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';

describe('subject strategies', () => {
  it('TopicName names the subject <topic>-value for values and <topic>-key for keys', () => {
    assert.equal(topicNameStrategy('orders.order.created', 'tributary.orders.OrderCreated', false), 'orders.order.created-value');
    assert.equal(topicNameStrategy('orders.order.created', 'tributary.orders.OrderCreated', true), 'orders.order.created-key');
  });

  it('RecordName names the subject after the record full name, whatever the topic', () => {
    assert.equal(recordNameStrategy('a.b.c', 'tributary.orders.OrderCreated', false), 'tributary.orders.OrderCreated');
    assert.equal(recordNameStrategy('x.y.z', 'tributary.orders.OrderCreated', false), 'tributary.orders.OrderCreated');
  });

  it('TopicRecordName names the subject <topic>-<record full name>', () => {
    assert.equal(topicRecordNameStrategy('orders.order.created', 'tributary.orders.OrderCreated', false), 'orders.order.created-tributary.orders.OrderCreated');
  });

  it('are available by their Confluent names', () => {
    assert.deepEqual(Object.keys(subjectStrategies), ['TopicName', 'RecordName', 'TopicRecordName']);
  });

  it('decide the catalogue subjects: TopicName by default, another when the catalogue is loaded with it', () => {
    assert.equal(loadCatalogue().entry('payments.payment.processed').subject, 'payments.payment.processed-value');
    const byRecord = loadCatalogue(undefined, { strategy: recordNameStrategy });
    assert.equal(byRecord.entry('payments.payment.processed').subject, 'tributary.payments.PaymentProcessed');
  });
});
