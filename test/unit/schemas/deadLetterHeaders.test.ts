import assert from 'node:assert/strict';
import { DLQ_HEADERS, deadLetterHeaders, deadLetterTopic, readDeadLetterHeaders } from '../../../schemas/deadLetterHeaders.ts';
import { NotFramedError, UnknownSchemaIdError } from '../../../schemas/errors.ts';

const origin = { topic: 'orders.order.created', partition: 3, offset: '1234', timestamp: '1700000000000' };

describe('dead-letter headers', () => {
  it('carry the error class and stable code, the message, and where and when the record was', () => {
    const headers = deadLetterHeaders(new UnknownSchemaIdError(99), origin, 1_700_000_000_500);
    assert.deepEqual(headers, {
      'tributary.dlq.error.class': 'UnknownSchemaIdError',
      'tributary.dlq.error.code': 'UNKNOWN_SCHEMA_ID',
      'tributary.dlq.error.message': 'schema id 99 is not in the registry',
      'tributary.dlq.original.topic': 'orders.order.created',
      'tributary.dlq.original.partition': '3',
      'tributary.dlq.original.offset': '1234',
      'tributary.dlq.original.timestamp': '1700000000000',
      'tributary.dlq.failed.at': '1700000000500',
    });
  });

  it('flatten a multi-line message to one line and cap it', () => {
    const headers = deadLetterHeaders(new Error(`first\n  second\n${'x'.repeat(5000)}`), origin);
    assert.ok(!headers[DLQ_HEADERS.errorMessage]!.includes('\n'));
    assert.equal(headers[DLQ_HEADERS.errorMessage]!.length, 1000);
    assert.equal(headers[DLQ_HEADERS.errorCode], 'UNKNOWN');
  });

  it('read back from the Buffers kafkajs hands a consumer', () => {
    const written = deadLetterHeaders(new NotFramedError('magic byte is 7'), origin, 5);
    const asKafkaGivesThem = Object.fromEntries(Object.entries(written).map(([k, v]) => [k, Buffer.from(v)]));
    assert.deepEqual(readDeadLetterHeaders(asKafkaGivesThem), {
      ...origin, errorClass: 'NotFramedError', errorCode: 'NOT_FRAMED', errorMessage: 'magic byte is 7', failedAt: 5,
    });
    assert.equal(readDeadLetterHeaders({}), undefined);
  });

  it('go to <topic>.dlq by default', () => {
    assert.equal(deadLetterTopic('orders.order.created'), 'orders.order.created.dlq');
  });
});
