import { MultiBar, type SingleBar } from 'cli-progress';
import type { ReplayProgress } from './followReplay.ts';

/** Shows a replay's progress as `followReplay` reports it. */
export interface ReplayProgressDisplay {
  update(progress: readonly ReplayProgress[]): void;
  stop(): void;
}

/**
 * Progress for a person at the CLI, on stderr (stdout stays for the command's output): when
 * stderr is a terminal, a bar per partition with records replayed, the rate since following
 * began and the ETA at that rate; otherwise (CI logs, pipes) a line as each partition finishes.
 */
export function replayProgressDisplay(stream: NodeJS.WriteStream = process.stderr): ReplayProgressDisplay {
  const first = new Map<string, ReplayProgress>();
  const bars = new Map<string, SingleBar>();
  const finished = new Set<string>();
  const multibar = stream.isTTY
    ? new MultiBar({ stream, format: '{name} [{bar}] {value}/{total} records | {rate} records/s | ETA {timeLeft}', hideCursor: true, clearOnComplete: false, barsize: 30 })
    : undefined;
  return {
    update(progress) {
      for (const p of progress) {
        const name = `${p.topic}[${p.partition}]`;
        if (!first.has(name)) first.set(name, p);
        const { rate, eta } = pace(first.get(name)!, p);
        const payload = { name, rate: rate.toFixed(0), timeLeft: eta };
        if (multibar) {
          let bar = bars.get(name);
          if (!bar) bars.set(name, (bar = multibar.create(p.to - p.from, 0, payload)));
          bar.setTotal(p.to - p.from); // a shadow build chases a target that moves with the live workers
          bar.update(p.position - p.from, payload);
        } else if (p.position >= p.to && !finished.has(name)) {
          finished.add(name);
          stream.write(`replayed ${name}: ${p.to - p.from} records\n`);
        }
      }
    },
    stop() {
      multibar?.stop();
    },
  };
}

/** Records per second between two reports of a partition, and the time left at that rate. */
function pace(first: ReplayProgress, latest: ReplayProgress): { rate: number; eta: string } {
  const seconds = (latest.at - first.at) / 1000;
  const rate = seconds > 0 ? (latest.position - first.position) / seconds : 0;
  const left = latest.to - latest.position;
  if (!left) return { rate, eta: 'done' };
  if (!rate) return { rate, eta: '-' };
  const eta = Math.ceil(left / rate);
  return { rate, eta: eta < 120 ? `${eta} s` : `${Math.ceil(eta / 60)} min` };
}
