import type { OutboxRecord } from './outboxRecord.ts';
import type { InputPosition, OutputSender } from './outputSender.ts';

/**
 * An OutputSender for a shadow replay's workers: it sends only the records for `internalTopics`
 * (the namespace's own repartition topics, which its downstream subtopologies read) and drops
 * sink outputs and dead letters, which the live run has written already; writing them again
 * would duplicate every output downstream. Input positions are recorded as usual.
 */
export class InternalOutputsSender implements OutputSender {
  constructor(
    private readonly sender: OutputSender,
    private readonly internalTopics: ReadonlySet<string>,
  ) {}

  open(): Promise<void> {
    return this.sender.open();
  }

  send(records: readonly OutboxRecord[], positions: readonly InputPosition[]): Promise<void> {
    return this.sender.send(records.filter((r) => this.internalTopics.has(r.topic)), positions);
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}
