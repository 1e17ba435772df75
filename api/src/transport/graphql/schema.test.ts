import { readFileSync } from 'node:fs';
import { buildApiSchema, schemaSdl } from './schema';
import { emitSchema, SCHEMA_PATH } from './emit-schema';

// The committed schema/schema.graphql is what clients (web, worker, codegen) build against:
// it must be exactly what the code emits. Refresh it with `UPDATE_SCHEMA=1 npx jest schema.test`
// or `npm run build -w api && npm run emit-schema -w api`.
describe('schema/schema.graphql', () => {
  it('is the schema the code emits', async () => {
    if (process.env.UPDATE_SCHEMA === '1') await emitSchema();
    const emitted = schemaSdl(await buildApiSchema());
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(emitted);
  });
});
