// `npm start`'s build step: build only when a source changed since the last good build, and
// never while another instance started from this folder serves the current build (a rebuild
// empties dist/ under it: its UI would answer 404 until the build ends).
const { createHash } = require('node:crypto');
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'node_modules', '.cache', 'cmd-executor-build.json');
/** What the build reads; everything under a directory counts (tests too: cheap and safe). */
const INPUTS = [
  'package.json', 'package-lock.json', 'tsconfig.json', 'schema',
  'json-text/package.json', 'json-text/tsconfig.json', 'json-text/tsconfig.build.json', 'json-text/src',
  'mongo-wire/package.json', 'mongo-wire/tsconfig.json', 'mongo-wire/tsconfig.build.json', 'mongo-wire/src',
  'api/package.json', 'api/tsconfig.json', 'api/tsconfig.build.json', 'api/src',
  'worker/package.json', 'worker/tsconfig.json', 'worker/tsconfig.build.json', 'worker/src',
  'web/package.json', 'web/tsconfig.json', 'web/vite.config.mts', 'web/index.html', 'web/src', 'web/public',
];
/** What a build leaves; a missing one means build again. */
const OUTPUTS = ['json-text/dist/index.js', 'mongo-wire/dist/index.js', 'api/dist/main.js', 'worker/dist/cli.js', 'web/dist/index.html'];

function fingerprint() {
  const hash = createHash('sha256');
  const visit = (rel) => {
    let st;
    try {
      st = fs.statSync(path.join(root, rel));
    } catch {
      return; // optional input
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(path.join(root, rel)).sort()) visit(path.join(rel, name));
    } else {
      hash.update(`${rel}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  INPUTS.forEach(visit);
  return hash.digest('hex');
}

/** pids of processes running this folder's built API (Linux; elsewhere none are found). */
function runningInstances() {
  const main = path.join(root, 'api', 'dist', 'main.js');
  const found = [];
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      if (args.slice(1).some((a) => a && path.resolve(cwd, a) === main)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const fresh = fingerprint();
let stamp;
try {
  stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8')).fingerprint;
} catch {
  stamp = undefined;
}
const built = OUTPUTS.every((f) => fs.existsSync(path.join(root, f)));
const running = runningInstances();

if (built && stamp === fresh) {
  console.log('cmd-executor: build is up to date');
} else if (built && running.length > 0) {
  console.log(`cmd-executor: not rebuilding while another instance from this folder runs (process ${running.join(', ')}); starting the current build`);
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, JSON.stringify({ fingerprint: fresh, builtAt: new Date().toISOString() }));
}
