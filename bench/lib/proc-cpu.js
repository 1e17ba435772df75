'use strict';
/* CPU time of other processes, read from /proc (Linux), for figures given per job or per
 * second beside a benchmark's rates: CPU spent is the part of a figure that load on a shared
 * machine moves least. */
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) a process used so far; 0 once it is gone. */
function cpuSecs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

/** Direct children of `pid` (the local agent is the API's child). */
function childrenOf(pid) {
  const out = [];
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const list = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (list) out.push(...list.split(/\s+/).map(Number));
  }
  return out;
}

/** The agent's own helper processes name themselves in their argv. */
const AGENT_HELPERS = ['cmd-executor-spawn-helper', 'cmd-executor-guardian'];

/**
 * CPU seconds of an agent with its own helpers (the spawn helper and the guardian, its
 * direct children), without its job processes.
 */
function agentCpuSecs(pid) {
  let secs = cpuSecs(pid);
  try {
    for (const child of childrenOf(pid)) {
      const argv = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => AGENT_HELPERS.includes(a))) secs += cpuSecs(child);
    }
  } catch {
    // the agent or a child is gone
  }
  return secs;
}

/**
 * The whole machine's CPU as a snapshot to diff: busy and total jiffies over every core, from the
 * first line of /proc/stat. `busyShare(a, b)` is the share of all cores busy between two snapshots
 * (1 = every core busy all the time): a benchmark whose latency tail comes from a saturated
 * machine shows it here.
 */
function machineCpu() {
  const [, ...nums] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = nums.map(Number);
  const idle = v[3] + (v[4] || 0); // idle + iowait
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user…steal (guest time is inside user)
  return { busy: total - idle, total };
}
const busyShare = (a, b) => (b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0);

module.exports = { cpuSecs, agentCpuSecs, childrenOf, machineCpu, busyShare };
