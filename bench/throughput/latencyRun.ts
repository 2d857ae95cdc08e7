import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pacer } from '../support/pacer.ts';
import { percentile } from '../support/percentile.ts';
import { until } from '../support/until.ts';
import type { BenchPhase } from './benchPhase.ts';
import type { KnobValues } from './benchSweep.ts';
import { orderAt } from './orderLoad.ts';
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
 * End-to-end latency at a steady rate: starts the workload on the phase's empty orders topic,
 * waits until it owns every partition, then sends orders at `rate` (stamped with the send
 * time, CreateTime) for `seconds`, while a consumer of the output topic (CreateTime: every
 * workload stamps an output with its order's timestamp) takes, for every output, the time it
 * was received minus that timestamp. So a figure is producer → broker → workload → broker →
 * consumer, fetch waits included.
 */
export async function measureLatency(kafka: Kafka, admin: Admin, producer: Producer, workload: Workload, phase: BenchPhase, group: string, settings: LatencySettings): Promise<LatencyResult> {
  const child = workload.start({ group, phase, ...(settings.knobs ? { knobs: settings.knobs } : {}) });
  const probe = kafka.consumer({ groupId: `${group}-latency-probe`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const samples: number[] = [];
  let measureFrom = Infinity;
  try {
    await until([child], `${workload.name} owns every partition`, () => {
      if (!child.running) throw new Error(`${workload.name} exited early:\n${child.tail()}`);
      return workload.ready ? workload.ready(child.lines) : groupOwnsAll(admin, group, workload.inputs(phase.topics), PARTITIONS);
    });
    let probeJoined = false;
    probe.on(probe.events.GROUP_JOIN, () => (probeJoined = true));
    await probe.connect();
    await probe.subscribe({ topics: [workload.output(phase.topics)], fromBeginning: true });
    await probe.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const received = Date.now();
        for (const m of batch.messages) if (Number(m.timestamp) >= measureFrom) samples.push(received - Number(m.timestamp));
      },
    });
    await until([child], 'the latency probe has joined', () => probeJoined);

    const started = Date.now();
    measureFrom = started + settings.seconds * settings.warmUpFraction * 1000;
    const pacer = new Pacer(
      settings.rate,
      async (due) => {
        const now = Date.now();
        const messages = await Promise.all(
          Array.from({ length: due }, async (_, k) => {
            const order = orderAt(pacer.sent + k, settings.customers, now);
            return { key: order.customerId, value: await phase.serde.serialize(phase.topics.orders, order), timestamp: String(now) };
          }),
        );
        await producer.send({ topic: phase.topics.orders, messages, acks: -1 });
      },
      10,
    );
    pacer.start();
    await new Promise((resolve) => setTimeout(resolve, settings.seconds * 1000));
    await pacer.stop();
    await until([child], `${workload.name} has caught up`, () => caughtUp(admin, group, workload.inputs(phase.topics)), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the probe's last fetch
    const sorted = [...samples].sort((a, b) => a - b);
    return { rate: settings.rate, samples: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? NaN };
  } finally {
    await probe.disconnect().catch(() => undefined);
    await child.stop(5_000);
  }
}
