// `npm start` on a fresh clone: install the locked dependencies once, so the
// README's main command is a single step.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  console.log('cmd-executor: installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
