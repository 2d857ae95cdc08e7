import os from 'node:os';

/** The machine a bench ran on, in one sentence, with the load average when it started (the stack runs beside it). */
export function describeMachine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, Linux ${os.release()}, Node ${process.version}; Kafka, the registry and Redis on the same machine; load average at start ${load}.`;
}
