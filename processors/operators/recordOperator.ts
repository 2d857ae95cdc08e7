import { Observable, type OperatorFunction } from 'rxjs';

/**
 * The plumbing every stateful operator shares: call `onRecord` for each input, in
 * order and synchronously, with an `emit` that forwards zero or more outputs before
 * the next input is taken. Errors thrown by `onRecord` end the stream with that error.
 */
export function recordOperator<In, Out>(onRecord: (record: In, emit: (out: Out) => void) => void): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((subscriber) => {
      const emit = (out: Out) => subscriber.next(out);
      return source.subscribe({
        next(record) {
          try {
            onRecord(record, emit);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
