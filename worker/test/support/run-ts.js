/**
 * Runs a TypeScript module of this repo as a real, separate process (compiled on the fly by
 * swc, as the tests are): `node run-ts.js worker/src/cli.ts --server …` calls its `main(argv)`.
 * For tests that need the agent in a process of its own (kill -9, signals).
 */
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

require.extensions['.ts'] = (m, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    module: { type: 'commonjs' },
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
  });
  m._compile(code, filename);
};

const target = path.resolve(process.argv[2]);
const mod = require(target);
const argv = [process.argv[0], target, ...process.argv.slice(3)];
Promise.resolve(mod.main(argv)).then(
  (code) => {
    process.exitCode = typeof code === 'number' ? code : 0;
  },
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
