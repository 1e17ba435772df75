import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformFileSync } from '@swc/core';

const SRC = path.resolve(__dirname, '../../src');
const ROOT_MODULES = path.resolve(__dirname, '../../../node_modules');

/**
 * Transpiles the server's sources (only them: the build of the whole API may be mid-change by
 * others) to a temp dir, so the tests run the real bin as a child process without `tsc`.
 */
export function buildBin(): { binPath: string; cleanup(): void } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-wire-bin-'));
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const { code } = transformFileSync(full, {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
        });
        const dest = path.join(out, path.relative(SRC, full)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, code);
      }
    }
  };
  walk(SRC);
  return { binPath: path.join(out, 'bin.js'), cleanup: () => fs.rmSync(out, { recursive: true, force: true }) };
}

export interface RunningBin {
  child: ChildProcess;
  uri: string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts the bin and waits for its "accepting connections at mongodb://…" line. */
export async function startBin(binPath: string, args: string[], timeoutMs = 10_000): Promise<RunningBin> {
  const child = spawn(process.execPath, [binPath, '--port', '0', ...args], {
    env: { ...process.env, NODE_PATH: ROOT_MODULES },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const uri = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`bin did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /mongodb:\/\/[\d.]+:\d+/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bin exited (${code}) before accepting connections: ${stderr}`));
    });
  });
  return { child, uri, stderr: () => stderr, exited };
}
