import { TributaryError } from '../runtime/errors.ts';

/** A newer owner claimed the task: this worker's writes for it are refused, and it must drop the task. */
export class TaskFencedError extends TributaryError {
  constructor(
    readonly taskId: string,
    readonly epoch: number,
    readonly currentEpoch: number,
  ) {
    super('TASK_FENCED', `task ${taskId} was claimed by a newer owner (epoch ${currentEpoch}, ours ${epoch}); its writes are refused`);
  }
}
