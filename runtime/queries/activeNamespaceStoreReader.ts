import type { StoreReader } from './storeReader.ts';

/**
 * A StoreReader that asks which state namespace is active on every read (one Redis GET of the
 * namespace pointer) and reads that namespace only, so a query answers from one complete
 * namespace: the old one until a shadow replay switches, the new one from the next request on.
 * `readerFor` makes a namespace's reader once; it is kept for later reads.
 */
export class ActiveNamespaceStoreReader implements StoreReader {
  private readonly readers = new Map<string, StoreReader>();

  constructor(
    private readonly activeNamespace: () => Promise<string>,
    private readonly readerFor: (namespace: string) => StoreReader,
  ) {}

  async get<V>(store: string, key: unknown): Promise<V | undefined> {
    return (await this.reader()).get<V>(store, key);
  }

  async getWindow<V>(store: string, key: unknown, windowStart: number): Promise<V | undefined> {
    return (await this.reader()).getWindow<V>(store, key, windowStart);
  }

  /**
   * The reader one request uses: it asks which namespace is active at its first read and reads
   * that namespace for every later one, so a query that reads several rows never answers with
   * some from the old namespace and some from the new.
   */
  forRequest(): StoreReader {
    let pinned: Promise<StoreReader> | undefined;
    const reader = () => (pinned ??= this.reader());
    return {
      get: async (store, key) => (await reader()).get(store, key),
      getWindow: async (store, key, windowStart) => (await reader()).getWindow(store, key, windowStart),
    };
  }

  private async reader(): Promise<StoreReader> {
    const namespace = await this.activeNamespace();
    let reader = this.readers.get(namespace);
    if (!reader) this.readers.set(namespace, (reader = this.readerFor(namespace)));
    return reader;
  }
}
