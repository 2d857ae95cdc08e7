import type { CustomProcessor, CustomProcessorFactory } from './customProcessor.ts';
import type { ProcessorContext } from './processorContext.ts';
import type { Headers, StreamRecord } from './record.ts';
import { TopologyError } from './topologyError.ts';

/** The context a fixed-key processor gets: the task's context plus a `forward` that keeps the key. */
export interface FixedKeyProcessorContext<VOut> extends ProcessorContext {
  /**
   * Sends a value downstream under the key of the record being processed, with its timestamp
   * and headers unless `fields` says otherwise. Only while a record is processed: a
   * punctuation has no record whose key it could keep.
   */
  forward(value: VOut, fields?: { readonly timestamp?: number; readonly headers?: Headers }): void;
}

/** Makes one fixed-key processor per task (`KStream#processValues`). */
export type FixedKeyProcessorFactory<K, VIn, VOut> = (context: FixedKeyProcessorContext<VOut>) => CustomProcessor<K, VIn>;

/** A fixed-key processor as a custom processor whose every output keeps the key of its input. */
export function fixedKeyProcessor<K, VIn, VOut>(factory: FixedKeyProcessorFactory<K, VIn, VOut>): CustomProcessorFactory<K, VIn, K, VOut> {
  return (context) => {
    let current: StreamRecord<K, VIn> | undefined;
    const processor = factory({
      ...context,
      forward(value, fields) {
        if (current === undefined) throw new TopologyError('a fixed-key processor (processValues) forwards only while it processes a record, under that record\'s key');
        context.forward(current.key, value, fields);
      },
    });
    return {
      process(record) {
        current = record;
        try {
          processor.process(record);
        } finally {
          current = undefined;
        }
      },
    };
  };
}
