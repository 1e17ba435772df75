import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The repository root (test-support/src/ is two levels below it). */
export const REPO_ROOT = path.resolve(__dirname, '../..');

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.data', 'test-output', 'coverage', 'generated']);
const TEXT_FILE = /\.(ts|tsx|js|mjs|cjs|json|ya?ml|md|env|sh)$|^(Dockerfile|\.env.*)$/;
/** A line that names something secret. */
const SECRET_CONTEXT = /secret|token|passw|api[_-]?key|private|credential|signing/i;

/**
 * Every string literal in the repository's sources, tests and docs that could be used as a
 * secret: quoted values of 8+ characters without spaces on lines that talk about secrets,
 * tokens or passwords, and `'x'.repeat(n)` expansions. A forged session signed with any of them
 * must be refused.
 */
export function secretLookingLiterals(root = REPO_ROOT): string[] {
  const found = new Set<string>();
  for (const file of walk(root)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!SECRET_CONTEXT.test(line)) continue;
      for (const m of line.matchAll(/(['"`])([^'"`\s\\$]{8,200})\1/g)) found.add(m[2]!);
      for (const m of line.matchAll(/(['"])([^'"\\]{1,8})\1\.repeat\((\d{1,3})\)/g)) found.add(m[2]!.repeat(Number(m[3])));
    }
  }
  return [...found].sort();
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && TEXT_FILE.test(entry.name) && statSync(full).size < 1_000_000) yield full;
  }
}
