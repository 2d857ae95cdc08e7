import { Observable, type OperatorFunction } from 'rxjs';
import type { ProcessorContext } from './processorContext.ts';
import type { Headers, StreamRecord } from './record.ts';

/** The context a custom processor gets: the task's context plus `forward`. */
export interface CustomProcessorContext<KOut, VOut> extends ProcessorContext {
  /**
   * Sends a record downstream. It takes the context (topic, partition, offset, headers)
   * of the input being processed; from a punctuation, that of the last input, with the
   * punctuation's time as timestamp unless one is given.
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
      const context: CustomProcessorContext<KOut, VOut> = {
        ...ctx,
        forward(key, value, fields = {}) {
          const timestamp = fields.timestamp ?? (processing && last ? last.timestamp : ctx.streamTime());
          subscriber.next({
            key,
            value,
            timestamp,
            headers: fields.headers ?? last?.headers ?? {},
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
