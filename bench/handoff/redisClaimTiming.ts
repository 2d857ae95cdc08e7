import type { Topology } from '../../processors/topologyGraph.ts';
import { PROCESSOR_TIMES_STORE, taskStores } from '../../runtime/worker/taskStores.ts';
import type { RedisClient } from '../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../state/redis/redisTaskState.ts';
import { subtopologyOf } from './stateFill.ts';

/**
 * The Redis share of a claim, timed straight from the bench: what StreamTask.open asks of
 * Redis (the claim script: epoch INCR, watermarks, outbox; then the processor-times store),
 * `repeats` times per task, in ms. Bumps every task's epoch, so run it while no worker owns
 * the tasks.
 */
export async function timeRedisClaims(redis: RedisClient, app: string, topology: Topology, store: string, partitions: number, repeats: number): Promise<number[]> {
  const subtopology = subtopologyOf(topology, store);
  const samples: number[] = [];
  for (let round = 0; round < repeats; round++) {
    for (let p = 0; p < partitions; p++) {
      const state = new RedisTaskState(redis, { app, taskId: `${subtopology.id}_${p}`, stores: taskStores(topology, subtopology) });
      const started = performance.now();
      await state.claim();
      await state.load([{ store: PROCESSOR_TIMES_STORE, kind: 'all' }]);
      samples.push(performance.now() - started);
      state.close();
    }
  }
  return samples;
}
