import { SingleBar } from 'cli-progress';
import type { ProgressPhase, ProgressReporter } from './progressReporter.ts';

/**
 * Progress for a person at the CLI, on stderr (stdout stays for command output): a bar for
 * downloads when stderr is a terminal, otherwise one line when a phase starts and one when it ends
 * (CI logs, pipes).
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return {
    phase(title: string): ProgressPhase {
      const started = Date.now();
      let bar: SingleBar | undefined;
      stream.write(`${title}…\n`);
      const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
      return {
        update(done, total) {
          if (!stream.isTTY) return;
          if (!bar) {
            bar = new SingleBar({ stream, format: '  [{bar}] {percentage}% {mb} MB', hideCursor: true, clearOnComplete: true });
            bar.start(total, 0, { mb: '0' });
          }
          bar.update(Math.min(done, total), { mb: (done / 1e6).toFixed(0) });
        },
        done(detail) {
          bar?.stop();
          stream.write(`  done: ${title} (${detail ?? seconds()})\n`);
        },
        fail() {
          bar?.stop();
          stream.write(`  failed: ${title} (after ${seconds()})\n`);
        },
      };
    },
  };
}
