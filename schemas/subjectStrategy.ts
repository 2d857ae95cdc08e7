/**
 * Names the registry subject a schema is registered under, as Confluent's serializers do.
 * `recordName` is the record's full name (namespace.name); `isKey` picks the `-key` suffix.
 */
export type SubjectStrategy = (topic: string, recordName: string, isKey: boolean) => string;

/** `<topic>-value` / `<topic>-key`: one schema lineage per topic (the default; one record type per topic). */
export const topicNameStrategy: SubjectStrategy = (topic, _recordName, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

/** `<namespace.Record>`: one lineage per record type, shared by every topic that carries it. */
export const recordNameStrategy: SubjectStrategy = (_topic, recordName) => recordName;

/** `<topic>-<namespace.Record>`: several record types on one topic, each with its own lineage. */
export const topicRecordNameStrategy: SubjectStrategy = (topic, recordName) => `${topic}-${recordName}`;

/** The strategies by the names Confluent's `value.subject.name.strategy` uses, for config and the CLI. */
export const subjectStrategies = {
  TopicName: topicNameStrategy,
  RecordName: recordNameStrategy,
  TopicRecordName: topicRecordNameStrategy,
} as const satisfies Record<string, SubjectStrategy>;

export type SubjectStrategyName = keyof typeof subjectStrategies;
