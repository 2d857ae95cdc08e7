import type { AnyRecord, Topology } from '../../../processors/topologyGraph.ts';
import { ProcessingError } from '../../../runtime/processingError.ts';
import { TopologyTask, type OutputRecord } from '../../../runtime/topologyTask.ts';
import { PROCESSOR_TIMES_STORE, taskStores } from '../../../runtime/worker/taskStores.ts';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import type { RedisClient } from '../../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../../state/redis/redisTaskState.ts';
import { StateCacheBudget } from '../../../state/redis/stateCacheBudget.ts';
import { StateNotLoadedError } from '../../../state/stateNotLoadedError.ts';

/** An input record of a run: the topic it is read from, then what the test driver's `pipe` takes. */
export interface RunInput {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
}

export interface RedisTopologyRunOptions {
  /** The application id, which names the task's Redis keys: one per run. */
  readonly app: string;
  /** RedisTaskState's `wholeReadMaxEntries`. */
  readonly wholeReadMaxEntries: number;
  /** The task's cache budget, in entries. */
  readonly cacheEntries: number;
}

/** How a unit of inputs is run. */
export interface UnitPlan {
  /** Another owner claims the task first, with an empty cache. */
  readonly reclaim: boolean;
  /** The unit's keys are loaded before it runs, as a worker does; else each miss is loaded when met. */
  readonly prefetch: boolean;
}

/**
 * One task of a single-subtopology topology over a real Redis, run as a worker runs it but
 * without Kafka: units of records, each processed by a TopologyTask over RedisTaskState and
 * committed; a read of what is not loaded rolls the unit back, loads it and runs the unit
 * again; a reclaim is a new owner with an empty cache. Its outputs and drops are those of
 * committed units only, so they can be compared with the test driver's.
 */
export class RedisTopologyRun {
  readonly outputs: OutputRecord[] = [];
  readonly drops: string[] = [];
  private readonly offsets = new Map<string, number>();
  private state: RedisTaskState | undefined;
  private task: TopologyTask | undefined;
  private attempt: { outputs: OutputRecord[]; drops: string[] } = { outputs: [], drops: [] };

  constructor(
    private readonly redis: RedisClient,
    private readonly topology: Topology,
    private readonly options: RedisTopologyRunOptions,
  ) {
    if (topology.subtopologies.length !== 1) throw new Error('a run takes a topology of one subtopology');
  }

  private get subtopology() {
    return this.topology.subtopologies[0]!;
  }

  /** Processes `inputs` as one unit and commits it. */
  async runUnit(inputs: readonly RunInput[], plan: UnitPlan): Promise<void> {
    if (plan.reclaim || !this.state) await this.claim();
    const state = this.state!;
    const records = inputs.map((input): AnyRecord => {
      const offset = this.offsets.get(input.topic) ?? 0;
      this.offsets.set(input.topic, offset + 1);
      return { ...input, headers: {}, partition: 0, offset };
    });
    if (plan.prefetch) {
      const keys = [...new Set(records.map((r) => r.key))];
      await state.load(this.subtopology.stores.flatMap((store) => keys.map((key) => ({ store, kind: 'key' as const, key }))));
    }
    const schedule = this.task!.punctuationSchedule();
    for (;;) {
      this.attempt = { outputs: [], drops: [] };
      try {
        for (const record of records) this.task!.process(record.topic, record);
        break;
      } catch (error) {
        const miss = error instanceof ProcessingError ? error.cause : error;
        if (!(miss instanceof StateNotLoadedError)) throw error;
        state.rollback();
        this.task = this.build(state);
        this.task.restorePunctuationSchedule(schedule);
        await state.load([miss.request]);
      }
    }
    const watermarks = Object.fromEntries(records.map((r) => [r.topic, r.offset]));
    await state.commit({ watermarks, outbox: [] });
    this.outputs.push(...this.attempt.outputs);
    this.drops.push(...this.attempt.drops);
  }

  close(): void {
    this.state?.close();
  }

  private async claim(): Promise<void> {
    this.state?.close();
    const state = new RedisTaskState(this.redis, {
      app: this.options.app,
      taskId: `${this.subtopology.id}_0`,
      stores: taskStores(this.topology, this.subtopology),
      wholeReadMaxEntries: this.options.wholeReadMaxEntries,
      cacheBudget: new StateCacheBudget(this.options.cacheEntries),
    });
    await state.claim();
    await state.load([{ store: PROCESSOR_TIMES_STORE, kind: 'all' }]);
    this.state = state;
    this.task = this.build(state);
  }

  private build(state: RedisTaskState): TopologyTask {
    return new TopologyTask(this.topology, this.subtopology, 0, {
      store: (name) => state.store(name),
      processorTimes: state.store(PROCESSOR_TIMES_STORE) as KeyValueStore<string, number>,
      wallClockTime: () => 0,
      output: (record) => this.attempt.outputs.push(record),
      recordDropped: (node, reason) => this.attempt.drops.push(`${node}:${reason}`),
    });
  }
}
