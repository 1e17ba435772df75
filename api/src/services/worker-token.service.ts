import { Types, isValidObjectId } from 'mongoose';
import { hashWorkerToken, mintWorkerToken, verifyWorkerTokenSignature } from '../auth/worker-token';
import { validateLabels } from '../domain/label.rules';
import { BadUserInputError, ConflictError, NotFoundError } from '../errors';
import {
  findWorkerToken,
  findWorkerTokenById,
  insertWorkerToken,
  listWorkerTokens,
  revokeWorkerToken,
  rotateWorkerTokenHash,
  touchWorkerToken,
  workerTokenExists,
} from '../storage/repositories/worker-token.repository';
import type { WorkerTokenRecord } from '../storage/models';
import type { PubSubPort } from '../storage/pubsub';
import { Topics } from '../storage/pubsub';
import type { WorkerPrincipal } from '../auth/principal';
import type { Actor, AuditService } from './audit.service';

export interface IssuedWorkerToken {
  id: string;
  /** Shown once; only its hash is stored. */
  token: string;
  workerName: string;
  labels: string[];
  expiresAt?: Date;
}

/** A token as an admin sees it in the list (never the token or its hash). */
export interface WorkerTokenView {
  id: string;
  name: string;
  labels: string[];
  createdAt: Date;
  lastUsedAt?: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  rotatedAt?: Date;
  /** Until when the token replaced by the last rotation still works (absent once past). */
  previousValidUntil?: Date;
}

export const DEFAULT_ROTATION_GRACE_SECONDS = 3600;
const MAX_GRACE_SECONDS = 30 * 86_400;
const MAX_EXPIRES_IN_DAYS = 3650;
const LIST_LIMIT = 1000;
/** "Last used" is kept to the minute: one write per token per minute, not one per call. */
const TOUCH_EVERY_MS = 60_000;

export class WorkerTokenService {
  /** The current secret first, then the ones it replaced (accepted, never used to sign). */
  private readonly secrets: readonly string[];

  constructor(
    secrets: string | readonly string[],
    private readonly ttlDays: number,
    private readonly audit: AuditService,
    private readonly pubsub: PubSubPort,
  ) {
    this.secrets = typeof secrets === 'string' ? [secrets] : secrets;
  }

  private get secret(): string {
    return this.secrets[0];
  }

  async create(actor: Actor & { id: string }, name: string, labels: readonly string[] | null | undefined, expiresInDays?: number | null): Promise<IssuedWorkerToken> {
    const workerName = name.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(workerName)) {
      throw new BadUserInputError('name', 'worker name must be 1-64 characters: letters, digits, _ . - (not first)');
    }
    const cleanLabels = validateLabels(labels, 'labels', 64);
    const days = this.lifetimeDays(expiresInDays);
    const id = new Types.ObjectId();
    const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : undefined;
    const token = mintWorkerToken(id.toHexString(), expiresAt, this.secret);
    await insertWorkerToken({
      _id: id,
      name: workerName,
      labels: cleanLabels,
      tokenHash: hashWorkerToken(token),
      expiresAt,
      expiresInDays: days,
      createdById: new Types.ObjectId(actor.id),
    });
    await this.audit.record(actor, 'workerToken.create', id.toHexString(), { name: workerName, labels: cleanLabels, expiresAt });
    return { id: id.toHexString(), token, workerName, labels: cleanLabels, expiresAt };
  }

  /**
   * A new token for the same record (workers keep their identity); the one it replaces keeps
   * working for `graceSeconds`, so agents can be redeployed with the new one without downtime.
   */
  async rotate(actor: Actor, id: string, graceSeconds?: number | null): Promise<IssuedWorkerToken> {
    const grace = graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw new BadUserInputError('graceSeconds', `graceSeconds must be an integer from 0 to ${MAX_GRACE_SECONDS}`);
    }
    const record = isValidObjectId(id) ? await findWorkerTokenById(id) : null;
    if (!record) throw new NotFoundError('worker token not found');
    if (record.revokedAt) throw new ConflictError('this worker token is revoked; create a new one');
    const now = new Date();
    const expiresAt = record.expiresInDays ? new Date(now.getTime() + record.expiresInDays * 86_400_000) : undefined;
    const token = mintWorkerToken(id, expiresAt, this.secret);
    const validUntil = new Date(now.getTime() + grace * 1000);
    const retired = [...(record.retired ?? []).filter((r) => r.validUntil > now), ...(grace > 0 ? [{ hash: record.tokenHash, validUntil }] : [])];
    const rotated = await rotateWorkerTokenHash(id, record.tokenHash, { tokenHash: hashWorkerToken(token), expiresAt, retired, at: now });
    if (!rotated) throw new ConflictError('the token changed meanwhile (rotated or revoked); reload and try again');
    await this.audit.record(actor, 'workerToken.rotate', id, { name: record.name, graceSeconds: grace, expiresAt });
    // Sockets opened with the replaced token close when its grace ends, on every replica.
    await this.pubsub.publish(Topics.WORKER_TOKEN_ROTATED, { tokenId: id, retiredHash: record.tokenHash, validUntil: validUntil.toISOString() });
    return { id, token, workerName: record.name, labels: record.labels ?? [], expiresAt };
  }

  /** True when this call revoked it; false when it was already revoked. */
  async revoke(actor: Actor, id: string): Promise<boolean> {
    if (!isValidObjectId(id)) throw new NotFoundError('worker token not found');
    if (!(await workerTokenExists(id))) throw new NotFoundError('worker token not found');
    const revoked = await revokeWorkerToken(id, new Date());
    if (revoked) {
      await this.audit.record(actor, 'workerToken.revoke', id);
      await this.pubsub.publish(Topics.WORKER_TOKEN_REVOKED, { tokenId: id });
    }
    return revoked;
  }

  async list(): Promise<WorkerTokenView[]> {
    const now = new Date();
    return (await listWorkerTokens(LIST_LIMIT)).map((r) => view(r, now));
  }

  /** The worker behind a token, or null when it is forged, expired, revoked, past its grace or unknown. */
  async verify(token: string): Promise<WorkerPrincipal | null> {
    const claims = verifyWorkerTokenSignature(token, this.secrets);
    if (!claims) return null;
    const hash = hashWorkerToken(token);
    const record = await findWorkerToken(claims.tokenId, hash);
    if (!record || record.revokedAt) return null;
    const now = new Date();
    let expiresAt: Date | undefined;
    if (record.tokenHash === hash) {
      expiresAt = record.expiresAt;
    } else {
      const retired = record.retired?.find((r) => r.hash === hash);
      if (!retired) return null;
      expiresAt = claims.expiresAt && claims.expiresAt < retired.validUntil ? claims.expiresAt : retired.validUntil;
    }
    if (expiresAt && expiresAt.getTime() <= now.getTime()) return null;
    if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      await touchWorkerToken(record._id, now, TOUCH_EVERY_MS);
    }
    return { kind: 'worker', tokenId: String(record._id), workerName: record.name, labels: record.labels ?? [], expiresAt, tokenHash: hash };
  }

  private lifetimeDays(expiresInDays: number | null | undefined): number | undefined {
    if (expiresInDays === null || expiresInDays === undefined) return this.ttlDays > 0 ? this.ttlDays : undefined;
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_EXPIRES_IN_DAYS) {
      throw new BadUserInputError('expiresInDays', `expiresInDays must be an integer from 1 to ${MAX_EXPIRES_IN_DAYS}`);
    }
    return expiresInDays;
  }
}

function view(r: WorkerTokenRecord, now: Date): WorkerTokenView {
  const grace = (r.retired ?? []).filter((x) => x.validUntil > now).map((x) => x.validUntil.getTime());
  return {
    id: String(r._id),
    name: r.name,
    labels: r.labels ?? [],
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    rotatedAt: r.rotatedAt,
    previousValidUntil: grace.length > 0 ? new Date(Math.max(...grace)) : undefined,
  };
}
