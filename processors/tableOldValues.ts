/**
 * Whether a table sends its old values downstream, decided as Kafka Streams decides it
 * (`KTableImpl#enableSendingOldValues`, `KTableValueGetterSupplier`). It matters to a filter:
 * one over a table that sends old values drops an update that is absent both before and after
 * the filter (a tombstone for a key it never held, a row that stays filtered out), and one
 * over a table that does not forwards it as a deletion.
 *
 * - A source table sends them once it is materialized: given a store name, or read by a join
 *   or a regrouping (their value getters materialize it).
 * - A table derived by `mapValues` or `filter` sends them if its parent does when it is
 *   declared, or when something below it asks with force (a regrouping).
 * - Aggregates and join results always do.
 */
export class TableOldValues {
  private constructor(
    private readonly parent: TableOldValues | undefined,
    private materialized: boolean,
    private sending: boolean,
  ) {}

  static source(materialized: boolean): TableOldValues {
    return new TableOldValues(undefined, materialized, false);
  }

  static stateful(): TableOldValues {
    return new TableOldValues(undefined, true, true);
  }

  /** For a table derived from this one: it sends old values if this one can now without being materialized. */
  derived(): TableOldValues {
    return new TableOldValues(this, false, this.enable(false));
  }

  /** A join or regrouping reads this table's values: its source is materialized. */
  materialize(): void {
    if (this.parent) this.parent.materialize();
    else this.materialized = true;
  }

  /** Asks for old values; `force` materializes the source if it must. True when the table sends them from now on. */
  enable(force: boolean): boolean {
    if (this.sending) return true;
    if (this.parent) this.sending = this.parent.enable(force);
    else this.sending = this.materialized || force;
    if (this.sending && !this.parent) this.materialized = true;
    return this.sending;
  }

  get enabled(): boolean {
    return this.sending;
  }
}
