import { Types, isValidObjectId } from 'mongoose';
import { hashWorkerToken, mintWorkerToken, verifyWorkerTokenSignature } from '../auth/worker-token';
import { validateLabels } from '../domain/label.rules';
import { BadUserInputError, NotFoundError } from '../errors';
import { findWorkerToken, insertWorkerToken, revokeWorkerToken, workerTokenExists } from '../storage/repositories/worker-token.repository';
import type { PubSubPort } from '../storage/pubsub';
import { Topics } from '../storage/pubsub';
import type { WorkerPrincipal } from '../auth/principal';
import type { AuditService } from './audit.service';

export interface IssuedWorkerToken {
  id: string;
  /** Shown once; only its hash is stored. */
  token: string;
  workerName: string;
  labels: string[];
  expiresAt?: Date;
}

export class WorkerTokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlDays: number,
    private readonly audit: AuditService,
    private readonly pubsub: PubSubPort,
  ) {}

  async create(actorId: string, name: string, labels: readonly string[] | null | undefined): Promise<IssuedWorkerToken> {
    const workerName = name.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(workerName)) {
      throw new BadUserInputError('name', 'worker name must be 1-64 characters: letters, digits, _ . - (not first)');
    }
    const cleanLabels = validateLabels(labels, 'labels', 64);
    const id = new Types.ObjectId();
    const expiresAt = this.ttlDays > 0 ? new Date(Date.now() + this.ttlDays * 86_400_000) : undefined;
    const token = mintWorkerToken(id.toHexString(), expiresAt, this.secret);
    await insertWorkerToken({
      _id: id,
      name: workerName,
      labels: cleanLabels,
      tokenHash: hashWorkerToken(token),
      expiresAt,
      createdById: new Types.ObjectId(actorId),
    });
    await this.audit.record(actorId, 'workerToken.create', id.toHexString(), { name: workerName, labels: cleanLabels });
    return { id: id.toHexString(), token, workerName, labels: cleanLabels, expiresAt };
  }

  /** True when this call revoked it; false when it was already revoked. */
  async revoke(actorId: string, id: string): Promise<boolean> {
    if (!isValidObjectId(id)) throw new NotFoundError('worker token not found');
    if (!(await workerTokenExists(id))) throw new NotFoundError('worker token not found');
    const revoked = await revokeWorkerToken(id, new Date());
    if (revoked) {
      await this.audit.record(actorId, 'workerToken.revoke', id);
      await this.pubsub.publish(Topics.WORKER_TOKEN_REVOKED, { tokenId: id });
    }
    return revoked;
  }

  /** The worker behind a token, or null when it is forged, expired, revoked or unknown. */
  async verify(token: string): Promise<WorkerPrincipal | null> {
    const claims = verifyWorkerTokenSignature(token, this.secret);
    if (!claims) return null;
    const record = await findWorkerToken(claims.tokenId, hashWorkerToken(token));
    if (!record || record.revokedAt) return null;
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) return null;
    return { kind: 'worker', tokenId: String(record._id), workerName: record.name, labels: record.labels ?? [] };
  }
}
