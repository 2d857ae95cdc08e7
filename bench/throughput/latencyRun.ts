import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pacer } from '../support/pacer.ts';
import { percentile } from '../support/percentile.ts';
import { until } from '../support/until.ts';
import type { BenchPhase } from './benchPhase.ts';
import type { KnobValues } from './benchSweep.ts';
import { orderFeed } from './orderFeed.ts';
import { orderAt, sendAll } from './orderLoad.ts';
import { followOutput, type OutputFollower } from './outputFollower.ts';
import { PARTITIONS } from './benchTopics.ts';
import { caughtUp, groupOwnsAll } from './topicProbes.ts';
import type { Workload } from './workloads.ts';

export interface LatencyResult {
  /** Orders per second sent while measuring. */
  readonly rate: number;
  /** Outputs measured (those of orders sent after the warm-up). */
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface LatencySettings {
  readonly rate: number;
  readonly seconds: number;
  /** Leading part of the run left out of the figures (JIT warm-up, first fetches). */
  readonly warmUpFraction: number;
  readonly customers: number;
  /** In a sweep, the knob values the workload is started with. */
  readonly knobs?: KnobValues;
}

/**
 * End-to-end latency at a steady rate: starts the workload on the phase's empty orders topic
 * (the one it reads, orderFeed.ts), waits until it owns every partition, then sends orders at
 * `rate` (stamped with the send time, CreateTime) for `seconds`, while a consumer of the output
 * topic (CreateTime: every workload stamps an output with its order's timestamp) takes, for
 * every output (an order's completion, for a workload that says which outputs are one), the
 * time it was received minus that timestamp. So a figure is producer → broker → workload →
 * broker → consumer, fetch waits included.
 */
export async function measureLatency(kafka: Kafka, admin: Admin, producer: Producer, workload: Workload, phase: BenchPhase, group: string, settings: LatencySettings): Promise<LatencyResult> {
  const child = workload.start({ group, phase, ...(settings.knobs ? { knobs: settings.knobs } : {}) });
  const feed = orderFeed(phase, workload.orders ?? 'bench');
  const samples: number[] = [];
  let measureFrom = Infinity;
  let probe: OutputFollower | undefined;
  try {
    await until([child], `${workload.name} owns every partition`, () => {
      if (!child.running) throw new Error(`${workload.name} exited early:\n${child.tail()}`);
      return workload.ready ? workload.ready(child.lines) : groupOwnsAll(admin, group, workload.inputs(phase.topics), PARTITIONS);
    });
    const outputs = await followOutput(kafka, admin, workload, phase, `${group}-latency-probe`, (timestamp, receivedAt) => {
      if (timestamp >= measureFrom) samples.push(receivedAt - timestamp);
    });
    probe = outputs;

    const started = Date.now();
    measureFrom = started + settings.seconds * settings.warmUpFraction * 1000;
    const pacer = new Pacer(
      settings.rate,
      async (due) => {
        const now = Date.now();
        // A send that fell behind catches up in one go: in sendAll's batches, so no partition's batch outgrows the broker's message.max.bytes.
        await sendAll(due, (k) => feed.message(orderAt(pacer.sent + k, settings.customers, now), now), { producer, topic: feed.topic });
      },
      10,
    );
    pacer.start();
    await new Promise((resolve) => setTimeout(resolve, settings.seconds * 1000));
    await pacer.stop();
    const sent = pacer.sent;
    await until([child], `${workload.name} has caught up`, () => (workload.completes ? outputs.outputs >= sent : caughtUp(admin, group, workload.inputs(phase.topics))), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the probe's last fetch
    const sorted = [...samples].sort((a, b) => a - b);
    return { rate: settings.rate, samples: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? NaN };
  } finally {
    await probe?.stop();
    await child.stop(5_000);
  }
}
