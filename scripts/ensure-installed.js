// `npm start` on a fresh clone: install the locked dependencies once, so the
// README's main command is a single step. A checkout whose node_modules predates a
// workspace (its link is missing) is installed again too.
const { existsSync, readFileSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const workspaces = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces ?? [];
const missingLink = workspaces.find((dir) => {
  const { name } = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
  return !existsSync(path.join(root, 'node_modules', name));
});
if (!existsSync(path.join(root, 'node_modules', '.package-lock.json')) || missingLink) {
  console.log('cmd-executor: installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
