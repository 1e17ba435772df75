#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startMongoWireServer, type Logger } from './server';

/** `cmd-executor-mongod --port P [--dbpath DIR] [--host H]`: the embedded MongoDB-wire server as a process. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      dbpath: { type: 'string' },
      'snapshot-threshold-bytes': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const threshold = values['snapshot-threshold-bytes'] === undefined ? undefined : Number(values['snapshot-threshold-bytes']);
  const log = (level: string) => (msg: string, meta?: unknown) => {
    if (values.quiet && level === 'info') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${msg}${meta === undefined ? '' : ` ${meta instanceof Error ? meta.stack : JSON.stringify(meta)}`}\n`);
  };
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const server = await startMongoWireServer({ port, host: values.host, dbpath: values.dbpath, logger, snapshotThresholdBytes: threshold });
  process.stdout.write(`cmd-executor-mongod accepting connections at ${server.uri}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`mongo-wire: ${signal} received, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('mongo-wire: shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`cmd-executor-mongod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
