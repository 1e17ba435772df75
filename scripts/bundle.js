// Bundles a workspace's entry point into one file that needs nothing but Node >= 20 (the API
// serves these at /downloads/), with `<file>.sha256` beside it in `sha256sum -c` format.
// Usage, from a workspace directory: node ../scripts/bundle.js src/main.ts dist/name.js
const { createHash } = require('node:crypto');
const { chmodSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

async function bundle(entry, outfile, version) {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    // The bundle has no package.json beside it to read its version from.
    define: { BUNDLED_VERSION: JSON.stringify(version) },
    // ws loads these native speed-ups when they are installed and works without them.
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  const digest = createHash('sha256').update(readFileSync(outfile)).digest('hex');
  writeFileSync(`${outfile}.sha256`, `${digest}  ${path.basename(outfile)}\n`);
}

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: node scripts/bundle.js ENTRY OUTFILE');
  process.exit(2);
}
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
bundle(path.resolve(entry), path.resolve(outfile), version).catch((err) => {
  console.error(err);
  process.exit(1);
});
