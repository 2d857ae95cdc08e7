import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** Runs a command to its end; fails with its own output, which says what went wrong. */
export async function runCommand(command: string, args: readonly string[]): Promise<void> {
  try {
    await promisify(execFile)(command, [...args], { maxBuffer: 16 * 2 ** 20 });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${output.message}\n${output.stdout ?? ''}${output.stderr ?? ''}`);
  }
}
