import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildApiSchema, schemaSdl } from './schema';

/** Writes schema/schema.graphql at the repository root (run from the built dist or through jest's transform). */
export const SCHEMA_PATH = resolve(__dirname, '../../../../schema/schema.graphql');

export async function emitSchema(path = SCHEMA_PATH): Promise<string> {
  const sdl = schemaSdl(await buildApiSchema());
  writeFileSync(path, sdl);
  return path;
}

if (require.main === module) {
  emitSchema().then(
    (p) => process.stdout.write(`wrote ${p}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
      process.exit(1);
    },
  );
}
