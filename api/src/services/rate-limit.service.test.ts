import pino from 'pino';
import { RateLimitedError } from '../errors';
import { Role } from '../domain/enums';
import { MemoryRateLimiter } from '../storage/rate-limit';
import type { RateLimiter } from '../storage/rate-limit';
import { RateLimitService } from './rate-limit.service';

const silent = pino({ level: 'silent' });
const user = { kind: 'user' as const, userId: 'u1', username: 'u', role: Role.USER };
const worker = { kind: 'worker' as const, tokenId: 't1', workerName: 'w', labels: [] };

describe('RateLimitService', () => {
  it('keeps separate budgets per principal, workers with their own max', async () => {
    const limiter = new MemoryRateLimiter();
    const svc = new RateLimitService(limiter, { windowMs: 10_000, max: 2, workerMax: 4 }, silent);
    await svc.check(user, '1.1.1.1');
    await svc.check(user, '2.2.2.2');
    await expect(svc.check(user, '1.1.1.1')).rejects.toBeInstanceOf(RateLimitedError);
    for (let i = 0; i < 4; i += 1) await svc.check(worker, undefined);
    await expect(svc.check(worker, undefined)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfter: 10 } });
    await svc.check({ kind: 'anonymous' }, '1.1.1.1');
    await svc.check({ kind: 'anonymous' }, '1.1.1.1');
    await expect(svc.check({ kind: 'anonymous' }, '1.1.1.1')).rejects.toBeInstanceOf(RateLimitedError);
    await svc.check({ kind: 'anonymous' }, '3.3.3.3');
    await limiter.close();
  });

  it('lets requests through when the limiter itself fails', async () => {
    const broken: RateLimiter = { hit: () => Promise.reject(new Error('redis down')), close: async () => undefined };
    const svc = new RateLimitService(broken, { windowMs: 1000, max: 1, workerMax: 1 }, silent);
    await expect(svc.check(user, undefined)).resolves.toBeUndefined();
  });
});
