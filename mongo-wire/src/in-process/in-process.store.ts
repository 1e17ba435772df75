import type { Doc } from '../storage/value.key';
import { cloneIn, cloneOut } from './bson-clone';

/** Runs one command as the server runs a decoded one (journaled before it answers). */
export type RunCommand = (command: Doc, db: string) => Promise<Doc>;

/**
 * A server started in this process, reached without the wire: the command goes straight to the
 * dispatcher and the reply comes straight back, each as a copy that stands in for a BSON round
 * trip (bson-clone.ts). The same commands, the same replies as over a socket, minus the
 * driver's and the server's encoding and the socket both ways: for the embedded default the
 * store is in the API's own process, and its hot paths (claims, completions, log chunks) spent
 * about as much CPU on that as on everything else they do.
 */
export class InProcessStore {
  private closed = false;

  constructor(private readonly runCommand: RunCommand) {}

  /**
   * The reply document, `ok: 0` included (as a driver gets it before it throws). Rejects only
   * when the server has been closed, as a connection to it would.
   */
  async command(db: string, command: Doc): Promise<Doc> {
    if (this.closed) throw new Error('the embedded MongoDB-wire server is closed');
    return cloneOut(await this.runCommand(cloneIn(command), db));
  }

  /** @internal the server's close */
  close(): void {
    this.closed = true;
  }
}

/** The servers started in this process, by their URI (`mongodb://…`, no database). */
const started = new Map<string, InProcessStore>();

/** @internal the server registers itself when it listens and leaves when it closes. */
export function registerInProcess(uri: string, store: InProcessStore | undefined): void {
  if (store) started.set(uri, store);
  else started.delete(uri);
}

/**
 * The server `uri` points at, when it runs in this process (started by startMongoWireServer
 * here); undefined otherwise (another process, a real MongoDB). `uri` may name a database and
 * options after the server's own URI: `mongodb://host:port/db?opts`.
 */
export function inProcessStore(uri: string): InProcessStore | undefined {
  const server = /^mongodb:\/\/[^/?]*/u.exec(uri);
  return server ? started.get(server[0]) : undefined;
}
