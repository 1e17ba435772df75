/**
 * What `npm start` prints once it listens: where to go, how to sign in (a password made by this
 * start is shown here, in the terminal, never in the JSON log), and how to expose a loopback-only
 * server.
 */
export interface BannerInput {
  apiUrl: string;
  host: string;
  port: number;
  adminUsername: string;
  adminPasswordFromEnv: boolean;
  /** A password this start made (first admin, or --reset-admin-password). */
  newPassword?: string;
  newPasswordWhy: 'first start' | 'reset';
  worker: string;
}

export function banner(b: BannerInput): string {
  const origin = b.apiUrl.replace(/\/graphql$/, '');
  const login = b.newPassword
    ? `    log in as "${b.adminUsername}" with password: ${b.newPassword}\n` +
      `              (${b.newPasswordWhy === 'reset' ? 'just reset' : 'made at first start'}; shown once: keep it, or run \`npm start -- --reset-admin-password\`)\n`
    : `    log in as "${b.adminUsername}" ${b.adminPasswordFromEnv ? 'with ADMIN_PASSWORD' : 'with the password printed at first start (lost it? `npm start -- --reset-admin-password`)'}\n`;
  const loopback = b.host === '127.0.0.1' || b.host === 'localhost' || b.host === '::1';
  const reach = loopback
    ? `    reachable from this machine only; to expose it set HOST=0.0.0.0 (and put TLS in front)\n`
    : `    listening on ${b.host}:${b.port}: reachable from the network\n`;
  return (
    `\n  cmd-executor is running\n` +
    `    web UI:   ${origin}/\n` +
    `    GraphQL:  ${b.apiUrl}  (playground in development)\n` +
    login +
    reach +
    `    worker:   ${b.worker}\n\n`
  );
}
