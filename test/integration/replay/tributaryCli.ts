import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs the CLI as a user would; resolves with its exit code and output, never rejects. */
export function tributary(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/tributary.js', ...args], { cwd: REPO, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The CLI as a child process whose JSON output can be read before it exits (`--follow` runs on after printing it). */
export function startCli(env: Record<string, string>, ...args: string[]) {
  const child = spawn(process.execPath, ['bin/tributary.js', ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return {
    exited,
    /** The JSON object on stdout, once its closing brace is there; fails if the command exits first. */
    async printed(): Promise<string> {
      while (!/^}$/m.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before printing: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return stdout;
    },
  };
}
