import { randomUUID } from 'node:crypto';
import type { AnyRecord, Subtopology, Topology } from '../../../processors/topologyGraph.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { ProcessingError } from '../../../runtime/processingError.ts';
import { TopologyTask, type OutputRecord } from '../../../runtime/topologyTask.ts';
import { isGlobalSubtopology } from '../../../runtime/worker/globalTables.ts';
import { PROCESSOR_TIMES_STORE, taskStores } from '../../../runtime/worker/taskStores.ts';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import { InMemoryKeyValueStore } from '../../../state/memory/inMemoryKeyValueStore.ts';
import { inMemoryStoreFor } from '../../../state/memory/inMemoryStoreFor.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../../state/redis/redisTaskState.ts';
import { StateCacheBudget } from '../../../state/redis/stateCacheBudget.ts';
import { StateNotLoadedError } from '../../../state/stateNotLoadedError.ts';
import type { StateStore } from '../../../state/stateStore.ts';

/** An input record of a run: the topic it is read from, then what the test driver's `pipe` takes. */
export interface RunInput {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
}

export interface RedisTopologyRunOptions {
  /** The application id, which names the tasks' Redis keys: one per run. */
  readonly app: string;
  /** RedisTaskState's `wholeReadMaxEntries`. */
  readonly wholeReadMaxEntries: number;
  /** Each task's cache budget, in entries. */
  readonly cacheEntries: number;
}

/** How a unit of inputs is run. */
export interface UnitPlan {
  /** Another owner claims the task first, with an empty cache. */
  readonly reclaim: boolean;
  /** The unit's keys are loaded before it runs, as a worker does; else each miss is loaded when met. */
  readonly prefetch: boolean;
}

/** A unit plan with its number of records. */
export interface SizedUnitPlan extends UnitPlan {
  readonly size: number;
}

/**
 * For a mocha suite of runs: a Redis connection, opened before the suite and closed after it
 * with the keys of every run deleted, and an application id of its own for each run.
 */
export function redisForRuns(name: string): { readonly redis: RedisClient; nextApp(): string } {
  const suite = `${name}-${randomUUID().slice(0, 8)}`;
  let redis: RedisClient | undefined;
  let runs = 0;
  before(() => {
    redis = connectRedis(loadConnectionConfig().redisUrl);
  });
  after(async () => {
    const keys = await redis!.keys(`tributary:{${suite}-*`);
    if (keys.length > 0) await redis!.del(...keys);
    await closeRedis(redis!);
  });
  return {
    get redis() {
      return redis!;
    },
    nextApp: () => `${suite}-${runs++}`,
  };
}

/** Partition 0 of one subtopology: its state in Redis and the task over it. */
interface Task {
  readonly subtopology: Subtopology;
  state: RedisTaskState | undefined;
  task: TopologyTask | undefined;
}

/**
 * A topology's tasks of partition 0 over a real Redis, run as a worker runs them but without
 * Kafka: units of records, each processed by a TopologyTask over RedisTaskState and committed;
 * a read of what is not loaded rolls the unit back, loads it and runs the unit again; a reclaim
 * is a new owner with an empty cache. What a unit writes to a topic another subtopology reads
 * (a repartition topic) is that subtopology's next unit, run at once. Global tables are kept
 * in memory, as a worker keeps them. Outputs and drops are those of committed units only, so
 * they can be compared with the test driver's.
 */
export class RedisTopologyRun {
  readonly outputs: OutputRecord[] = [];
  readonly drops: string[] = [];
  private readonly offsets = new Map<string, number>();
  private readonly tasks: Task[];
  /** The global tables' copies and the tasks that fill them, in memory as a worker keeps them. */
  private readonly globalStores = new Map<string, StateStore>();
  private readonly globalTasks: TopologyTask[];
  private attempt: { outputs: OutputRecord[]; drops: string[] } = { outputs: [], drops: [] };

  constructor(
    private readonly redis: RedisClient,
    private readonly topology: Topology,
    private readonly options: RedisTopologyRunOptions,
  ) {
    for (const definition of topology.stores.values()) if (definition.global) this.globalStores.set(definition.name, inMemoryStoreFor(definition));
    const global = topology.subtopologies.filter((s) => isGlobalSubtopology(topology, s));
    this.globalTasks = global.map(
      (subtopology) =>
        new TopologyTask(topology, subtopology, 0, {
          store: (name) => this.globalStores.get(name)!,
          processorTimes: new InMemoryKeyValueStore<string, number>('global-processor-times'),
          wallClockTime: () => 0,
          output: () => undefined,
          recordDropped: () => undefined,
        }),
    );
    this.tasks = topology.subtopologies.filter((s) => !global.includes(s)).map((subtopology) => ({ subtopology, state: undefined, task: undefined }));
  }

  /**
   * Processes `inputs` as units of the subtopologies that read them (one per run of
   * consecutive records of one subtopology), commits each, and runs what each wrote to other
   * subtopologies' topics. A global table's records update its copy at once, as the test
   * driver does (a worker reads them on its own, apart from its tasks).
   */
  async runUnit(inputs: readonly RunInput[], plan: UnitPlan): Promise<void> {
    for (let at = 0; at < inputs.length; ) {
      const reader = this.readerOf(inputs[at]!.topic);
      let end = at + 1;
      while (end < inputs.length && this.readerOf(inputs[end]!.topic) === reader) end++;
      const unit = inputs.slice(at, end);
      at = end;
      if (reader instanceof TopologyTask) {
        for (const input of unit) reader.process(input.topic, this.recordOf(input));
        continue;
      }
      const written = await this.runTaskUnit(reader, unit, plan);
      await this.runUnit(written.filter((r) => this.tasks.some((t) => t.subtopology.sourceTopics.includes(r.topic))), plan);
    }
  }

  /** Processes every input, in units sized and run as `plans` say, taken in turn; then closes. */
  async runAll(inputs: readonly RunInput[], plans: readonly SizedUnitPlan[]): Promise<void> {
    try {
      for (let at = 0, u = 0; at < inputs.length; u++) {
        const plan = plans[u % plans.length]!;
        await this.runUnit(inputs.slice(at, at + plan.size), plan);
        at += plan.size;
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    for (const task of this.tasks) task.state?.close();
  }

  private readerOf(topic: string): Task | TopologyTask {
    const task = this.tasks.find((t) => t.subtopology.sourceTopics.includes(topic)) ?? this.globalTasks.find((t) => t.subtopology.sourceTopics.includes(topic));
    if (!task) throw new Error(`no subtopology reads topic '${topic}'`);
    return task;
  }

  private recordOf(input: RunInput): AnyRecord {
    const offset = this.offsets.get(input.topic) ?? 0;
    this.offsets.set(input.topic, offset + 1);
    return { topic: input.topic, key: input.key, value: input.value, timestamp: input.timestamp, headers: {}, partition: 0, offset };
  }

  /** One committed unit of one task; returns what it wrote. */
  private async runTaskUnit(task: Task, inputs: readonly RunInput[], plan: UnitPlan): Promise<OutputRecord[]> {
    if (plan.reclaim || !task.state) await this.claim(task);
    const state = task.state!;
    const records = inputs.map((input) => this.recordOf(input));
    if (plan.prefetch) {
      const keys = [...new Set(records.map((r) => r.key))];
      await state.load(task.subtopology.stores.flatMap((store) => keys.map((key) => ({ store, kind: 'key' as const, key }))));
    }
    const schedule = task.task!.punctuationSchedule();
    for (;;) {
      this.attempt = { outputs: [], drops: [] };
      try {
        for (const record of records) task.task!.process(record.topic, record);
        break;
      } catch (error) {
        const miss = error instanceof ProcessingError ? error.cause : error;
        if (!(miss instanceof StateNotLoadedError)) throw error;
        state.rollback();
        task.task = this.build(task.subtopology, state);
        task.task.restorePunctuationSchedule(schedule);
        await state.load([miss.request]);
      }
    }
    const watermarks = Object.fromEntries(records.map((r) => [r.topic, r.offset]));
    await state.commit({ watermarks, outbox: [] });
    this.outputs.push(...this.attempt.outputs);
    this.drops.push(...this.attempt.drops);
    return this.attempt.outputs;
  }

  private async claim(task: Task): Promise<void> {
    task.state?.close();
    const state = new RedisTaskState(this.redis, {
      app: this.options.app,
      taskId: `${task.subtopology.id}_0`,
      stores: taskStores(this.topology, task.subtopology),
      wholeReadMaxEntries: this.options.wholeReadMaxEntries,
      cacheBudget: new StateCacheBudget(this.options.cacheEntries),
    });
    await state.claim();
    await state.load([{ store: PROCESSOR_TIMES_STORE, kind: 'all' }]);
    task.state = state;
    task.task = this.build(task.subtopology, state);
  }

  private build(subtopology: Subtopology, state: RedisTaskState): TopologyTask {
    return new TopologyTask(this.topology, subtopology, 0, {
      store: (name) => this.globalStores.get(name) ?? state.store(name),
      processorTimes: state.store(PROCESSOR_TIMES_STORE) as KeyValueStore<string, number>,
      wallClockTime: () => 0,
      output: (record) => this.attempt.outputs.push(record),
      recordDropped: (node, reason) => this.attempt.drops.push(`${node}:${reason}`),
    });
  }
}
