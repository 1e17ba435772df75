import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface TestIssuer {
  /** http://127.0.0.1:<port> */
  url: string;
  clientId: string;
  clientSecret: string;
  output: () => string;
  stop(): Promise<void>;
}

/** A real OIDC issuer (oidc-provider) in its own process, with one client for `redirectUris`. */
export async function startTestIssuer(redirectUris: string[]): Promise<TestIssuer> {
  const clientId = 'cmdx-test';
  const clientSecret = 'cmdx-test-client-secret-0123456789';
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'oidc-issuer.mjs')], {
    env: { PATH: process.env.PATH, OIDC_TEST_REDIRECT_URIS: redirectUris.join(','), OIDC_TEST_CLIENT_ID: clientId, OIDC_TEST_CLIENT_SECRET: clientSecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test issuer did not start:\n${out}`)), 20_000);
    const check = () => {
      const m = /OIDC issuer ready at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test issuer exited (${code}):\n${out}`));
    });
  });
  return {
    url,
    clientId,
    clientSecret,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
