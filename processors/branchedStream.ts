import { filter, tap, type OperatorFunction } from 'rxjs';
import type { Named } from './options.ts';
import { Stream } from './stream.ts';
import type { AnyRecord } from './topologyGraph.ts';

/**
 * The branches of `Stream#split` (`BranchedKStream`). Each record goes to the first
 * branch whose predicate holds, else to the default branch (if any), else nowhere.
 * Branches are named `<split name><branch name>`; unnamed ones by position from 1, the
 * default branch `0`.
 */
export class BranchedStream<K, V> {
  private readonly predicates: Array<(key: K, value: V) => boolean> = [];
  private readonly names: string[] = [];
  private readonly chosen = new WeakMap<object, number>();
  private readonly node: string;

  constructor(
    private readonly stream: Stream<K, V>,
    private readonly prefix: string,
  ) {
    const route: OperatorFunction<AnyRecord, AnyRecord> = tap((record) => {
      const index = this.predicates.findIndex((p) => p(record.key as K, record.value as V));
      this.chosen.set(record, index);
    });
    this.node = stream.builder.addProcessor('KSTREAM-BRANCH', [stream.node], [], (_ctx, [input]) => input!.pipe(route), prefix).name;
  }

  /** Adds a branch for the records that match `predicate` and no earlier branch. */
  branch(predicate: (key: K, value: V) => boolean, named: Named = {}): this {
    this.predicates.push(predicate);
    this.names.push(named.name ?? String(this.predicates.length));
    this.takeNumber();
    return this;
  }

  /** Ends the split with a branch for the records no predicate matched; returns the branches by name. */
  defaultBranch(named: Named = {}): Record<string, Stream<K, V>> {
    this.takeNumber();
    return this.finish(named.name ?? '0');
  }

  /** Ends the split; records no predicate matched are dropped. Returns the branches by name. */
  noDefaultBranch(): Record<string, Stream<K, V>> {
    return this.finish(undefined);
  }

  /** Each branch takes a node number, though named by the split's name (BranchedKStreamImpl#createBranch): later nodes are numbered as in Kafka Streams. */
  private takeNumber(): void {
    this.stream.builder.nextName('KSTREAM-BRANCH');
  }

  private finish(defaultName: string | undefined): Record<string, Stream<K, V>> {
    const branches: Record<string, Stream<K, V>> = {};
    const all = defaultName === undefined ? this.names : [...this.names, defaultName];
    all.forEach((name, index) => {
      const wanted = index < this.names.length ? index : -1;
      const full = `${this.prefix}${name}`;
      const node = this.stream.builder.addProcessor('KSTREAM-BRANCHCHILD', [this.node], [], (_ctx, [input]) => input!.pipe(filter((r) => this.chosen.get(r) === wanted)), full);
      branches[full] = new Stream<K, V>(this.stream.builder, node.name, this.stream.sourceTopics, this.stream.keyChanged, this.stream.serdes);
    });
    return branches;
  }
}
