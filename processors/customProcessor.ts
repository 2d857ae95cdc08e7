import { Observable, type OperatorFunction } from 'rxjs';
import type { ProcessorContext } from './processorContext.ts';
import type { Headers, StreamRecord } from './record.ts';

/** The context a custom processor gets: the task's context plus `forward`. */
export interface CustomProcessorContext<KOut, VOut> extends ProcessorContext {
  /**
   * Sends a record downstream. It takes the context (topic, partition, offset, headers,
   * timestamp) of the input being processed; from a punctuation, the topic, partition and
   * offset of the last input, no headers, and the punctuation's time as timestamp (as
   * Kafka Streams' punctuators forward), unless `fields` says otherwise.
   */
  forward(key: KOut, value: VOut, fields?: { readonly timestamp?: number; readonly headers?: Headers }): void;
}

/** A custom processor (the Processor API): called once per input record, in order. */
export interface CustomProcessor<KIn, VIn> {
  process(record: StreamRecord<KIn, VIn>): void;
}

/** Makes one processor per task; `init` work (store lookups, `schedule`) goes in the factory. */
export type CustomProcessorFactory<KIn, VIn, KOut, VOut> = (context: CustomProcessorContext<KOut, VOut>) => CustomProcessor<KIn, VIn>;

/** Runs a custom processor as an RxJS operator: its forwards, from records or punctuations, are the output. */
export function customProcessor<KIn, VIn, KOut, VOut>(
  ctx: ProcessorContext,
  factory: CustomProcessorFactory<KIn, VIn, KOut, VOut>,
): OperatorFunction<StreamRecord<KIn, VIn>, StreamRecord<KOut, VOut>> {
  return (input) =>
    new Observable<StreamRecord<KOut, VOut>>((subscriber) => {
      let last: StreamRecord<KIn, VIn> | undefined;
      let processing = false;
      /** The time of the punctuation running now, if one is. */
      let punctuation: number | undefined;
      const context: CustomProcessorContext<KOut, VOut> = {
        ...ctx,
        schedule(intervalMs, type, callback) {
          return ctx.schedule(intervalMs, type, (timestamp) => {
            punctuation = timestamp;
            try {
              callback(timestamp);
            } finally {
              punctuation = undefined;
            }
          });
        },
        forward(key, value, fields = {}) {
          const fromInput = processing && last !== undefined;
          const timestamp = fields.timestamp ?? (fromInput ? last!.timestamp : (punctuation ?? ctx.streamTime()));
          subscriber.next({
            key,
            value,
            timestamp,
            headers: fields.headers ?? (fromInput ? last!.headers : {}),
            topic: last?.topic ?? '',
            partition: last?.partition ?? -1,
            offset: last?.offset ?? -1,
          });
        },
      };
      const processor = factory(context);
      return input.subscribe({
        next(record) {
          last = record;
          processing = true;
          try {
            processor.process(record);
          } catch (error) {
            subscriber.error(error);
          } finally {
            processing = false;
          }
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
