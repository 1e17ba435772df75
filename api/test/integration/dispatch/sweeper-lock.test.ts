import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import pino from 'pino';
import { leaseSettings } from '../../../src/domain/lease';
import { startMongoWireServer } from '@cmd-executor/mongo-wire';
import { DispatchService } from '../../../src/services/dispatch.service';
import { JobLogService } from '../../../src/services/job-log.service';
import { SweeperService } from '../../../src/services/sweeper.service';
import { MemoryLock, RedisLock, type LockPort } from '../../../src/storage/lock';
import { createMemoryPubSub } from '../../../src/storage/pubsub';
import { deleteRedisKeys, TEST_REDIS_URL } from '@cmd-executor/test-support/test-api';

jest.setTimeout(20_000);

const prefix = `test:lock:${randomBytes(6).toString('hex')}:`;
const redises: Redis[] = [];
const redisLock = (): RedisLock => {
  const r = new Redis(TEST_REDIS_URL);
  redises.push(r);
  return new RedisLock(r, prefix);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await deleteRedisKeys(prefix);
  await Promise.all(redises.map((r) => r.quit()));
});

describe.each([
  ['redis', () => [redisLock(), redisLock()] as const],
  ['in-process', () => {
    const shared = new MemoryLock();
    return [shared, shared] as const;
  }],
])('%s lock', (_name, make) => {
  let a: LockPort;
  let b: LockPort;
  let key: string;
  beforeEach(() => {
    [a, b] = make();
    key = `k:${randomBytes(4).toString('hex')}`;
  });

  it('has one holder; only the owner renews or releases', async () => {
    const ta = await a.tryAcquire(key, 5000);
    expect(ta).toEqual(expect.any(String));
    expect(await b.tryAcquire(key, 5000)).toBeNull();
    expect(await b.renew(key, 'not-the-token', 5000)).toBe(false);
    expect(await b.release(key, 'not-the-token')).toBe(false);
    expect(await b.tryAcquire(key, 5000)).toBeNull();
    expect(await a.renew(key, ta as string, 5000)).toBe(true);
    expect(await a.release(key, ta as string)).toBe(true);
    expect(await b.tryAcquire(key, 5000)).toEqual(expect.any(String));
  });

  it('expires without renewal; the old owner can then neither renew nor release the new lock', async () => {
    const ta = (await a.tryAcquire(key, 150)) as string;
    await sleep(250);
    const tb = await b.tryAcquire(key, 5000);
    expect(tb).toEqual(expect.any(String));
    expect(await a.renew(key, ta, 5000)).toBe(false);
    expect(await a.release(key, ta)).toBe(false);
    expect(await a.tryAcquire(key, 5000)).toBeNull();
  });
});

describe('sweeper across two replicas', () => {
  let mongo: Awaited<ReturnType<typeof startMongoWireServer>>;
  beforeAll(async () => {
    mongo = await startMongoWireServer({ port: 0 });
    await mongoose.connect(`${mongo.uri}/sweeper-lock`);
  });
  afterAll(async () => {
    await mongoose.disconnect();
    await mongo.close();
  });

  it('only the lock holder sweeps; the other takes over when it stops', async () => {
    const logger = pino({ level: 'silent' });
    const lease = leaseSettings(2, 1, { sweepIntervalMs: 100 });
    const lockKey = `sweeper:${randomBytes(4).toString('hex')}`;
    const make = () => {
      const pubsub = createMemoryPubSub();
      const jobLogs = new JobLogService({ pubsub, logger, logMaxBytes: 1 << 20 });
      const dispatcher = new DispatchService({ pubsub, logger, lease, jobLogs, instanceId: randomBytes(4).toString('hex') });
      return { pubsub, dispatcher, sweeper: new SweeperService({ pubsub, logger, lock: redisLock(), lease, dispatcher, lockKey }) };
    };
    const one = make();
    const two = make();
    let swept1 = 0;
    let swept2 = 0;
    for (let i = 0; i < 10; i += 1) {
      const [r1, r2] = await Promise.all([one.sweeper.tick(), two.sweeper.tick()]);
      if (r1) swept1 += 1;
      if (r2) swept2 += 1;
      expect(one.sweeper.isLeader && two.sweeper.isLeader).toBe(false);
    }
    expect(swept1 + swept2).toBe(10);
    expect(swept1 === 0 || swept2 === 0).toBe(true);
    const [leader, follower] = one.sweeper.isLeader ? [one, two] : [two, one];
    await leader.sweeper.close(); // releases the lock
    expect(await follower.sweeper.tick()).not.toBeNull();
    expect(follower.sweeper.isLeader).toBe(true);
    await follower.sweeper.close();
    for (const r of [one, two]) {
      await r.dispatcher.close();
      await r.pubsub.close();
    }
  });
});
