import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Router, type Request } from 'express';

/** Repository root, from api/src or api/dist alike. */
const ROOT = resolve(__dirname, '../../../..');

/**
 * The worker agent and the CLI as single files (bundled by `npm run build`, each needing only
 * Node ≥ 20), so another host installs them from this API rather than from a package registry
 * (where anyone could publish under the same name). Each has its `sha256sum -c` file beside it.
 */
export const DOWNLOADS: Readonly<Record<string, string>> = {
  'cmd-executor-worker.js': resolve(ROOT, 'worker/dist/cmd-executor-worker.js'),
  'cmd-executor.js': resolve(ROOT, 'cli/dist/cmd-executor.js'),
};

export function createDownloadsRouter(files: Readonly<Record<string, string>> = DOWNLOADS): Router {
  const router = Router();
  router.get('/:file', (req, res) => {
    const name = req.params.file;
    const checksum = name.endsWith('.sha256');
    const path = files[checksum ? name.slice(0, -'.sha256'.length) : name];
    const file = path && (checksum ? `${path}.sha256` : path);
    if (!file || !existsSync(file)) {
      res.status(404).json({ errors: [{ message: path ? `${name} is not built on this server (npm run build)` : `no download named ${name}`, extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type(checksum ? 'text/plain' : 'application/javascript');
    res.sendFile(file);
  });
  return router;
}

/** Where other hosts reach this API: PUBLIC_URL, else the address this request came to. */
export function publicBaseUrl(publicUrl: string | undefined, req: Pick<Request, 'protocol' | 'get'>): string {
  return publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** A command that installs and starts an agent on another host, the token in its environment (not in argv). */
export function workerInstallCommand(baseUrl: string, token: string): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `curl -fsSLO ${q(`${baseUrl}/downloads/cmd-executor-worker.js`)} && CMD_EXECUTOR_WORKER_TOKEN=${q(token)} node cmd-executor-worker.js --server ${q(baseUrl)}`;
}
