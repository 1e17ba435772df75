import { publicBaseUrl, workerInstallCommand } from './downloads.route';

describe('workerInstallCommand', () => {
  it('downloads from the API and passes the token in the environment, not as an argument', () => {
    expect(workerInstallCommand('http://10.0.0.5:4000', 'abc.DEF-1_2')).toBe(
      'curl -fsSLO http://10.0.0.5:4000/downloads/cmd-executor-worker.js && CMD_EXECUTOR_WORKER_TOKEN=abc.DEF-1_2 node cmd-executor-worker.js --server http://10.0.0.5:4000',
    );
  });

  it('quotes what the shell would otherwise interpret', () => {
    expect(workerInstallCommand('https://h/ci path', "t'$x")).toBe(
      "curl -fsSLO 'https://h/ci path/downloads/cmd-executor-worker.js' && CMD_EXECUTOR_WORKER_TOKEN='t'\\''$x' node cmd-executor-worker.js --server 'https://h/ci path'",
    );
  });
});

describe('publicBaseUrl', () => {
  const req = { protocol: 'http', get: (h: string) => (h === 'host' ? 'api.internal:4000' : undefined) } as never;
  it('is PUBLIC_URL when set, else the address the request came to', () => {
    expect(publicBaseUrl('https://ci.example.com', req)).toBe('https://ci.example.com');
    expect(publicBaseUrl(undefined, req)).toBe('http://api.internal:4000');
  });
});
