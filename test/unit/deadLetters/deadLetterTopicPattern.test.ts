import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deadLetterTopicOf, DEFAULT_DEAD_LETTER_TOPIC, resolveDeadLetterTopic } from '../../../runtime/deadLetters/deadLetterTopicPattern.ts';
import { ConfigError } from '../../../runtime/errors.ts';
import { loadWorkerConfig } from '../../../runtime/worker/workerConfig.ts';

const name = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
/** A per-input pattern: `{topic}` once, with a prefix and a suffix of topic characters. */
const perInputPattern = fc.tuple(fc.stringMatching(/^[A-Za-z0-9._-]{0,6}$/), fc.stringMatching(/^[A-Za-z0-9._-]{0,6}$/)).filter(([a, b]) => a + b !== '').map(([a, b]) => `${a}{topic}${b}`);

describe('dead-letter topic patterns', () => {
  it('name each input topic <topic>.dlq by default, and take a name ending in .dlq as the dead-letter topic itself', () => {
    fc.assert(
      fc.property(name, (topic) => {
        assert.equal(deadLetterTopicOf(DEFAULT_DEAD_LETTER_TOPIC, topic), `${topic}.dlq`);
        assert.equal(resolveDeadLetterTopic(topic), /^.+\.dlq$/.test(topic) ? topic : `${topic}.dlq`);
      }),
    );
  });

  it('resolve a name the pattern makes to itself and any other name to its dead-letter topic, under any per-input pattern', () => {
    fc.assert(
      fc.property(perInputPattern, name, (pattern, topic) => {
        const dlq = deadLetterTopicOf(pattern, topic);
        assert.equal(resolveDeadLetterTopic(dlq, pattern), dlq);
        const [prefix, suffix] = pattern.split('{topic}') as [string, string];
        const madeByPattern = topic.length > prefix.length + suffix.length && topic.startsWith(prefix) && topic.endsWith(suffix);
        assert.equal(resolveDeadLetterTopic(topic, pattern), madeByPattern ? topic : dlq);
      }),
    );
  });

  it('resolve every name to the one topic of a pattern without {topic}', () => {
    fc.assert(fc.property(name, name, (shared, topic) => assert.equal(resolveDeadLetterTopic(topic, shared), shared)));
  });

  it('come from --dead-letter-topic, then TRIBUTARY_DEAD_LETTER_TOPIC, and refuse names Kafka refuses or the input itself', () => {
    assert.equal(loadWorkerConfig('a', {}, {}).deadLetterTopic, '{topic}.dlq');
    assert.equal(loadWorkerConfig('a', {}, { TRIBUTARY_DEAD_LETTER_TOPIC: 'orders-app.dlq' }).deadLetterTopic, 'orders-app.dlq');
    assert.equal(loadWorkerConfig('a', { deadLetterTopic: 'dlq.{topic}' }, { TRIBUTARY_DEAD_LETTER_TOPIC: 'x' }).deadLetterTopic, 'dlq.{topic}');
    assert.throws(() => loadWorkerConfig('a', {}, { TRIBUTARY_DEAD_LETTER_TOPIC: 'dead letters' }), ConfigError);
    assert.throws(() => loadWorkerConfig('a', {}, { TRIBUTARY_DEAD_LETTER_TOPIC: '{topic}' }), /must differ from the input topic/);
  });
});
