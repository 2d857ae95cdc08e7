import type { StateStore } from '../stateStore.ts';
import type { StoreDefinition } from '../storeDefinition.ts';
import { InMemoryKeyValueStore } from './inMemoryKeyValueStore.ts';
import { InMemorySessionStore } from './inMemorySessionStore.ts';
import { InMemoryWindowStore } from './inMemoryWindowStore.ts';

/** An empty in-memory store of the declared kind. */
export function inMemoryStoreFor(definition: StoreDefinition): StateStore {
  switch (definition.kind) {
    case 'keyValue':
      return new InMemoryKeyValueStore(definition.name);
    case 'window':
      return new InMemoryWindowStore(definition.name, definition.retentionMs);
    case 'session':
      return new InMemorySessionStore(definition.name, definition.retentionMs);
  }
}
