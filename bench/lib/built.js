'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

/** A module of the built code (mongo-wire/dist, worker/dist, api/dist), with a clear message when it is not built. */
function requireBuilt(rel) {
  const full = path.join(ROOT, rel);
  if (!fs.existsSync(full) && !fs.existsSync(`${full}.js`) && !fs.existsSync(path.join(full, 'index.js'))) {
    throw new Error(`${rel} is not built: run \`npm run build -w mongo-wire && npm run build -w worker && npx tsc -p api/tsconfig.build.json\` first`);
  }
  return require(full);
}

module.exports = { ROOT, requireBuilt };
