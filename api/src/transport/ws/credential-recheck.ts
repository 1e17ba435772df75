import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { readmit } from '../../auth/admission-recheck';
import type { Credential } from '../../auth/credentials';
import type { Principal } from '../../auth/principal';
import type { Logger } from '../../logger';
import type { WsConnection } from './connection';

/** What a pass needs of one open socket. */
export interface RecheckedSocket {
  principal?: Principal;
  /** The credential it connected with, as presented. */
  credential?: Credential;
  connection?: WsConnection;
}

/** Sockets checked at once: a pass after an outage reads the store once per worker socket. */
const PARALLEL = 16;

/**
 * Checks the credentials of open sockets against the store again and closes those no longer
 * valid (auth/admission-recheck.ts), for when the messages that would have closed them — a
 * worker token revoked or rotated, a user disabled, re-roled or signed out — may have been lost
 * (Redis away). One pass at a time; asked again meanwhile, one more pass follows it.
 */
export class CredentialRecheck {
  private running: Promise<void> | undefined;
  private again = false;
  private disposed = false;

  constructor(
    private readonly sockets: () => Iterable<[WebSocket, RecheckedSocket]>,
    private readonly principalFor: (credential: Credential) => Promise<Principal>,
    private readonly logger: Logger,
  ) {}

  request(): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** No new pass starts; resolves when the current one ended. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.pass().catch((err: unknown) => this.logger.error({ err }, 'rechecking socket credentials failed'));
    } while (this.again && !this.disposed);
  }

  private async pass(): Promise<void> {
    const open = [...this.sockets()].filter(([, s]) => s.principal && s.principal.kind !== 'anonymous' && s.credential);
    let closed = 0;
    let unchecked = 0;
    for (let i = 0; i < open.length && !this.disposed; i += PARALLEL) {
      await Promise.all(
        open.slice(i, i + PARALLEL).map(async ([socket, s]) => {
          let now: Principal;
          try {
            now = await this.principalFor(s.credential as Credential);
          } catch (err) {
            // The store is away too: leave the socket; the next pass (or its expiry) decides.
            unchecked += 1;
            this.logger.debug({ err }, 'socket credential could not be rechecked');
            return;
          }
          if (socket.readyState !== socket.OPEN) return;
          const verdict = readmit(s.principal as Principal, now);
          if (!verdict.keep) {
            closed += 1;
            socket.close(CloseCode.Forbidden, 'Forbidden');
          } else if (verdict.until) {
            const timer = setTimeout(() => socket.close(CloseCode.Forbidden, 'Forbidden'), Math.max(0, verdict.until.getTime() - Date.now()));
            timer.unref();
            s.connection?.onClose(() => clearTimeout(timer));
          }
        }),
      );
    }
    const level = closed > 0 || unchecked > 0 ? 'info' : 'debug';
    this.logger[level]({ sockets: open.length, closed, unchecked }, 'socket credentials rechecked after live events may have been lost');
  }
}
