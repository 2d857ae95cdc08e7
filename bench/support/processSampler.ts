import { readFileSync } from 'node:fs';
import { processCpuSeconds } from './cpuTime.ts';

interface Sample {
  readonly at: number;
  readonly cpuSeconds: number;
  /** VmRSS then (bytes); 0 when it could not be read. */
  readonly rssBytes: number;
}

/**
 * Samples a process's CPU time (user + system, /proc/<pid>/stat) every `intervalMs`, its
 * resident set (VmRSS) and peak resident set (VmHWM, /proc/<pid>/status), so the CPU spent
 * between two instants of the run, and the memory held at any of them, can be read afterwards.
 */
export class ProcessSampler {
  private readonly samples: Sample[] = [];
  private peakRssBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Stops sampling (take the last sample before the process exits). */
  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  /** Largest resident set the process ever had, as the kernel counts it (bytes). */
  get peakRss(): number {
    return this.peakRssBytes;
  }

  /** CPU seconds the process spent between `from` and `to` (epoch ms), linearly interpolated between samples. */
  cpuSecondsBetween(from: number, to: number): number {
    return this.cpuAt(to) - this.cpuAt(from);
  }

  /** The resident set at the last sample taken at or before `at` (bytes): memory over a long run is flat when these stop growing. */
  rssAt(at: number): number {
    let rss = this.samples[0]?.rssBytes ?? 0;
    for (const sample of this.samples) {
      if (sample.at > at) break;
      rss = sample.rssBytes;
    }
    return rss;
  }

  private cpuAt(at: number): number {
    const s = this.samples;
    if (!s.length) return 0;
    if (at <= s[0]!.at) return s[0]!.cpuSeconds;
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1]!;
      const b = s[i]!;
      if (at <= b.at) return a.cpuSeconds + ((b.cpuSeconds - a.cpuSeconds) * (at - a.at)) / Math.max(1, b.at - a.at);
    }
    return s[s.length - 1]!.cpuSeconds;
  }

  private sample(): void {
    const cpuSeconds = processCpuSeconds(this.pid);
    if (cpuSeconds === undefined) return; // the process is gone: the samples so far are all there is
    let rssBytes = 0;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (hwm) this.peakRssBytes = Math.max(this.peakRssBytes, Number(hwm[1]) * 1024);
      rssBytes = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // Gone between the two reads.
    }
    this.samples.push({ at: Date.now(), cpuSeconds, rssBytes });
  }
}
