// Test tiers are jest projects: `jest --selectProjects unit|integration|e2e`.
// @swc/jest emits decorator metadata (esbuild-based transforms do not), which
// type-graphql and typegoose need.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const base = {
  transform: { '^.+\\.(t|j)sx?$': swc },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // openid-client 6 and its dependencies are ESM-only; Jest on Node 20 cannot require() ESM, so compile them to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'],
  // The api imports the worker, mongo-wire and json-text packages (the worker json-text too); tests use their sources, not a build.
  // (@cmd-executor/test-support is not built at all: it resolves through its workspace link.)
  moduleNameMapper: {
    '^@cmd-executor/worker$': '<rootDir>/worker/src/index.ts',
    '^@cmd-executor/mongo-wire$': '<rootDir>/mongo-wire/src/index.ts',
    '^@cmd-executor/json-text$': '<rootDir>/json-text/src/index.ts',
  },
};

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      // Pure tests live beside the code they test.
      testMatch: ['<rootDir>/{api,worker,web,cli,mongo-wire,json-text,test-support}/src/**/*.test.{ts,tsx}'],
    },
    {
      ...base,
      displayName: 'integration',
      // Real Redis, the embedded MongoDB-wire server, real child processes.
      testMatch: ['<rootDir>/{api,worker,mongo-wire}/test/integration/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      // The built API and worker on real sockets; the web UI in real Chromium.
      testMatch: ['<rootDir>/{api,worker,web,cli}/test/e2e/**/*.test.ts'],
      // Once per run, not per file: one Chromium the browser tests connect to, and one API stack
      // for the browser tests that need no API configuration of their own (web/test/e2e/support).
      globalSetup: '<rootDir>/web/test/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/web/test/e2e/support/global-teardown.ts',
    },
  ],
};
