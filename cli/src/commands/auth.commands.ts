import { Option, type Command } from 'commander';
import { ApiClient } from '../api/api-client';
import { LoginDocument } from '../api/operations';
import { credentialsPath, readCredentials, removeCredentials, writeCredentials } from '../config/credentials.store';
import { DEFAULT_SERVER, normalizeServer } from '../config/server-url';
import { CliError } from '../errors';
import { ask, readStdin } from '../util/prompt';
import { retryBudgetFrom } from './connection';
import { example } from './options';

interface LoginOptions {
  server?: string;
  username?: string;
  passwordStdin?: boolean;
}

export function registerAuthCommands(program: Command, setExit: (code: number) => void): void {
  example(
    program
      .command('login')
      .description(`log in and keep the session token in ${credentialsPath()} (mode 0600)`)
      .addOption(new Option('--server <url>', 'API address (default: CMD_EXECUTOR_SERVER, else the last one, else ' + DEFAULT_SERVER + ')'))
      .option('--username <name>', 'user name (asked for on a terminal when missing)')
      .option('--password-stdin', 'read the password from stdin (for scripts); otherwise it is asked for without echo')
      .action(async (opts: LoginOptions) => {
        const server = normalizeServer(opts.server ?? process.env.CMD_EXECUTOR_SERVER ?? readCredentials()?.server ?? DEFAULT_SERVER);
        const username = opts.username ?? (await ask('user name: '));
        const password = opts.passwordStdin ? await readStdin() : await ask(`password for ${username}: `, true);
        if (!username || !password) throw new CliError('login: user name and password must not be empty');
        const api = new ApiClient({ server, budget: retryBudgetFrom(process.env) });
        let result;
        try {
          result = await api.request(LoginDocument, { username, password });
        } catch (err) {
          if (err instanceof CliError && err.code === 'UNAUTHENTICATED') throw new CliError(`login refused by ${server}: wrong user name or password`, err.code);
          throw err;
        }
        const file = writeCredentials({ server, token: result.login.token, username: result.login.user.username });
        process.stderr.write(`logged in to ${server} as ${result.login.user.username} (${result.login.user.role.toLowerCase()}); session kept in ${file}\n`);
        setExit(0);
      }),
    'cmd-executor login --server http://ci-host:4000 --username alice',
    'printf %s "$PASSWORD" | cmd-executor login --username ci --password-stdin',
  );

  example(
    program
      .command('logout')
      .description('forget the saved session (the token itself stays valid until it expires)')
      .action(() => {
        process.stderr.write(removeCredentials() ? 'logged out\n' : 'not logged in\n');
        setExit(0);
      }),
    'cmd-executor logout',
  );
}
