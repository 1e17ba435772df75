import type { Command } from 'commander';
import { WorkersDocument } from '../api/operations';
import { connect } from './connection';
import { example, table, withServer } from './options';

export function registerWorkers(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command('workers').description('the worker agents the API knows, with their labels and load').option('--json', 'as a JSON array');
  withServer(cmd);
  example(cmd, 'cmd-executor workers');
  cmd.action(async (opts: { json?: boolean; server?: string }) => {
    const { api } = connect(opts.server);
    const { workers } = await api.request(WorkersDocument, {});
    if (opts.json) process.stdout.write(`${JSON.stringify(workers, null, 2)}\n`);
    else {
      process.stdout.write(
        table(
          ['NAME', 'STATUS', 'RUNNING', 'TOKEN', 'HOST', 'VERSION', 'LAST HEARTBEAT', 'LABELS'],
          workers.map((w) => [w.name, w.status, `${w.running}/${w.capacity}`, w.tokenName ?? '', w.hostname ?? '', w.version ?? '', w.lastHeartbeatAt ?? '', w.labels.join(',')]),
        ),
      );
    }
    setExit(0);
  });
}
