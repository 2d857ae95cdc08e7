import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../support/runCommand.ts';
import type { Workload } from '../throughput/workloads.ts';
import { cachedInstall } from './cachedInstall.ts';
import { peerWorkload, type PeerRuntime } from './peerWorkload.ts';

const PROJECT = fileURLToPath(new URL('./quix/', import.meta.url));

/**
 * Quix Streams 3.28.1 (bench/peers/quix): installed once with pip from PyPI into a venv in the
 * cache (`python3 -m venv` needs Debian's python3-venv; confluent-kafka's wheel brings librdkafka).
 */
const quix: PeerRuntime = {
  framework: 'quix',
  logsRunning: false,
  install: async (progress) => {
    const dir = await cachedInstall('quix', PROJECT, async (target) => {
      progress(`installing Quix Streams into ${target} (python3 -m venv, pip from PyPI)`);
      try {
        await runCommand('python3', ['-m', 'venv', target]);
      } catch (error) {
        throw new Error(`python3 -m venv failed (on Debian, install python3-venv): ${(error as Error).message}`);
      }
      await runCommand(path.join(target, 'bin', 'pip'), ['install', '-q', '-r', path.join(PROJECT, 'requirements.txt')]);
    });
    return [path.join(dir, 'bin', 'python'), ['-W', 'ignore', path.join(PROJECT, 'bench_quix.py')]];
  },
};

export const quixWorkloads: readonly Workload[] = [
  peerWorkload(quix, 'stateful', 'Quix Streams 3.28.1: the stateful workload, RocksDB + changelog'),
  peerWorkload(quix, 'join-windowed', 'Quix Streams 3.28.1: the join (join_asof) + windowed workload, RocksDB + changelogs'),
];
