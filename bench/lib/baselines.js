'use strict';
/* The baselines the system's figures are divided by: what this machine does with no executor in
 * the way. Shared so that every benchmark comparing with "bare spawns" or "the raw pipe" (the
 * real ones and the transport floors) measures the very same thing, in its own run. */
const { spawn } = require('node:child_process');
const { wallMs } = require('./common');

/** Runs `file args` (piped stdout/stderr) `n` times, `slots` in flight; returns spawns per second. */
async function spawnLoop(n, slots, file, args, options = {}) {
  let next = 0;
  const t0 = wallMs();
  await Promise.all(
    Array.from({ length: slots }, async () => {
      while (next < n) {
        next += 1;
        await new Promise((resolve, reject) => {
          const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
          child.once('error', reject);
          child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
        });
      }
    }),
  );
  return n / ((wallMs() - t0) / 1000);
}

/** The throughput baseline: `true` spawned `n` times, `slots` in flight; spawns per second. */
function bareLoop(n, slots) {
  return spawnLoop(n, slots, 'true', []);
}

/**
 * The same loop spawning what an agent must for the job `true`: `/bin/sh -c true` in its own
 * process group (worker/src/runner/process-group.ts). Shows what the shell alone costs.
 */
function shellLoop(n, slots) {
  return spawnLoop(n, slots, '/bin/sh', ['-c', 'true'], { detached: true });
}

/** The shell command writing `bytes` bytes of 100-byte lines to stdout (the log-stream job). */
function logProducer(bytes) {
  return `yes ${'a'.repeat(99)} | head -c ${bytes}`;
}

/** MB/s of logProducer(bytes) spawned by Node and read from its stdout pipe (spawn → last byte). */
async function rawPipeRate(bytes) {
  const t0 = wallMs();
  const child = spawn('/bin/sh', ['-c', logProducer(bytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let n = 0;
  child.stdout.on('data', (d) => (n += d.length));
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (n !== bytes) throw new Error(`producer wrote ${n} bytes, expected ${bytes}`);
  return bytes / 1e6 / ((wallMs() - t0) / 1000);
}

module.exports = { bareLoop, shellLoop, logProducer, rawPipeRate };
