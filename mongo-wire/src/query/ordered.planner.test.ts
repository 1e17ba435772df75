import { CollectionStore } from '../storage/collection.store';
import type { Doc } from '../storage/value.key';
import { candidateDocs } from './candidate.planner';
import { cleanSort, compileFilter, runFind } from './mingo.adapter';
import { orderedFind, planIndexWalk, rangeBounds } from './ordered.planner';
import type { SortSpec } from './sort.order';

const T0 = Date.UTC(2026, 0, 1);

function jobs(n: number): CollectionStore {
  const coll = new CollectionStore('db', 'jobs');
  coll.createIndex({ key: { createdAt: -1, _id: -1 }, name: 'createdAt_-1__id_-1' });
  coll.createIndex({ key: { owner: 1, createdAt: -1, _id: -1 }, name: 'owner' });
  coll.createIndex({ key: { status: 1 }, name: 'status_1' });
  for (let i = 0; i < n; i++) {
    // Several jobs per millisecond: ties on createdAt are broken by _id.
    coll.insert({ _id: i, owner: `u${i % 10}`, status: i % 500 === 0 ? 'RUNNING' : 'DONE', createdAt: new Date(T0 + Math.floor(i / 3)) });
  }
  return coll;
}

/** The result of the scan + sort path the walk must agree with. */
function fallback(coll: CollectionStore, filter: Doc, sort: SortSpec, skip = 0, limit = 0): Doc[] {
  return runFind(candidateDocs(coll, filter), compileFilter(filter), { sort, skip, limit });
}

test('newest-first page walks the index and reads only the page', () => {
  const coll = jobs(3000);
  const sort: SortSpec = { createdAt: -1, _id: -1 };
  const walk = planIndexWalk(coll, {}, sort, 21);
  expect(walk?.index.name).toBe('createdAt_-1__id_-1');
  expect(walk?.reverse).toBe(false);
  let tested = 0;
  const counting = { test: () => (tested++, true) };
  const page = orderedFind(coll, {}, counting, { sort, limit: 21 });
  expect(tested).toBe(21);
  expect(page).toEqual(fallback(coll, {}, sort, 0, 21));
  expect(page?.[0]._id).toBe(2999);
});

test('equality prefix, reverse direction, skip and the $or cursor filter agree with scan + sort', () => {
  const coll = jobs(3000);
  const cursor = { createdAt: new Date(T0 + 500), _id: 1501 };
  const cases: Array<[Doc, SortSpec, number, number]> = [
    [{ owner: 'u3' }, { createdAt: -1, _id: -1 }, 0, 21],
    [{ owner: 'u3' }, { createdAt: 1, _id: 1 }, 5, 10],
    [{ owner: 'u3', createdAt: { $gte: new Date(T0 + 100), $lt: new Date(T0 + 200) } }, { createdAt: -1, _id: -1 }, 0, 0],
    [{ $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, _id: { $lt: cursor._id } }] }, { createdAt: -1, _id: -1 }, 0, 21],
    [{ owner: 'u1', $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, _id: { $lt: cursor._id } }] }, { createdAt: -1, _id: -1 }, 0, 21],
    [{ owner: { $in: ['u2'] }, status: 'DONE' }, { owner: 1, createdAt: 1, _id: 1 }, 0, 7],
    // Several owners: one run per owner, merged.
    [{ owner: { $in: ['u1', 'u4', 'u1'] } }, { createdAt: -1, _id: -1 }, 3, 40],
    [{ owner: { $in: ['u1', 'u4'] }, createdAt: { $lt: new Date(T0 + 700) } }, { createdAt: 1, _id: 1 }, 0, 0],
  ];
  for (const [filter, sort, skip, limit] of cases) {
    const walked = orderedFind(coll, filter, compileFilter(filter), { sort, skip, limit });
    expect(walked).not.toBeNull();
    expect(walked).toEqual(fallback(coll, filter, sort, skip, limit));
    expect(walked!.length).toBeGreaterThan(0);
  }
  // The cursor filter's walk starts at the cursor instead of the newest job.
  const filter = { $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, _id: { $lt: cursor._id } }] };
  const walk = planIndexWalk(coll, filter, { createdAt: -1, _id: -1 }, 21)!;
  expect(walk.span).toBe(1503);
});

test('falls back when no index gives the order or a hash lookup is much cheaper', () => {
  const coll = jobs(3000);
  expect(planIndexWalk(coll, {}, { createdAt: -1, status: 1 }, 21)).toBeNull();
  expect(planIndexWalk(coll, {}, { createdAt: -1, _id: 1 }, 21)).toBeNull();
  expect(planIndexWalk(coll, {}, { _id: -1 }, 21)).toBeNull();
  // Sorting on a field pinned to several values needs more than a merge of runs.
  expect(planIndexWalk(coll, { owner: { $in: ['u1', 'u2'] } }, { owner: 1, createdAt: -1, _id: -1 }, 21)).toBeNull();
  expect(planIndexWalk(coll, { owner: { $in: ['u1', 'u2'] } }, { createdAt: -1, _id: -1 }, 21)?.runs).toHaveLength(2);
  // 6 RUNNING jobs among 3000: sorting those beats walking the whole index.
  expect(planIndexWalk(coll, { status: 'RUNNING' }, { createdAt: -1, _id: -1 }, 21)).toBeNull();
  expect(planIndexWalk(coll, { _id: 5 }, { createdAt: -1, _id: -1 }, 21)).toBeNull();
  // Half of the jobs match: the walk wins.
  expect(planIndexWalk(coll, { status: 'DONE' }, { createdAt: -1, _id: -1 }, 21)).not.toBeNull();
});

test('multikey, sparse and partial indexes are never walked', () => {
  const coll = jobs(100);
  coll.createIndex({ key: { tag: 1 }, name: 'tag_sparse', sparse: true });
  coll.createIndex({ key: { n: 1 }, name: 'n_partial', partialFilterExpression: { n: { $exists: true } } });
  coll.createIndex({ key: { m: 1 }, name: 'm_1' });
  expect(planIndexWalk(coll, {}, { tag: 1 }, 5)).toBeNull();
  expect(planIndexWalk(coll, {}, { n: 1 }, 5)).toBeNull();
  expect(planIndexWalk(coll, {}, { m: 1 }, 5)).not.toBeNull();
  coll.insert({ _id: 'arr', m: [3, 1] });
  expect(planIndexWalk(coll, {}, { m: 1 }, 5)).toBeNull();
});

test('range bounds: type brackets, $and, and the hull of an $or', () => {
  const t = new Date(T0);
  const r = rangeBounds({ a: { $gt: 5 }, $and: [{ b: { $lte: 'x', $gte: 'a' } }], $or: [{ c: { $lt: t } }, { c: t, d: 1 }], e: { $gt: 1, $lt: 'z' } });
  expect(r.get('a')).toMatchObject({ lo: 5, loIncl: false, hi: { rank: 2, edge: 1 } });
  expect(r.get('b')).toMatchObject({ lo: 'a', loIncl: true, hi: 'x', hiIncl: true });
  expect(r.get('c')).toMatchObject({ lo: { rank: 9, edge: -1 }, hi: t, hiIncl: true });
  expect(r.has('d')).toBe(false);
  expect(r.has('e')).toBe(false);
});

test('random data, writes and queries: the walk returns what scan + sort returns', () => {
  let x = 42;
  const rnd = (n: number) => (x = (x * 1103515245 + 12345) % 2147483648) % n;
  const coll = new CollectionStore('db', 'logs');
  coll.createIndex({ key: { job: 1, attempt: 1, seq: 1 }, name: 'job_attempt_seq', unique: true });
  coll.createIndex({ key: { at: -1, seq: -1 }, name: 'at_seq' });
  const seqs = new Map<string, number>();
  for (let i = 0; i < 800; i++) {
    const job = `j${rnd(5)}`;
    const attempt = rnd(2);
    const k = `${job}/${attempt}`;
    const seq = (seqs.get(k) ?? 0) + 1 + rnd(2);
    seqs.set(k, seq);
    const at = rnd(10) === 0 ? null : new Date(T0 + rnd(400));
    coll.insert({ _id: i, job, attempt, seq, at });
  }
  for (let i = 0; i < 200; i++) {
    const id = rnd(800);
    const doc = coll.get(String(`n${id}`));
    if (!doc) continue;
    if (i % 3 === 0) coll.remove(`n${id}`);
    else coll.replace(`n${id}`, { ...doc, at: new Date(T0 + rnd(400)) });
  }
  let walks = 0;
  for (let q = 0; q < 60; q++) {
    const job = `j${rnd(5)}`;
    const attempt = rnd(2);
    const n = rnd(40);
    const dir = rnd(2) === 0 ? 1 : -1;
    const filters: Array<[Doc, SortSpec]> = [
      [{ job, attempt, seq: { $gt: n } }, { seq: dir }],
      [{ job, attempt, seq: { $gte: n, $lte: n + 10 } }, { attempt: 1, seq: dir }],
      [{ job, $or: [{ attempt, seq: { $gt: n } }, { attempt: { $gt: attempt } }] }, { attempt: dir, seq: dir }],
      [{ at: { $lt: new Date(T0 + n * 10) } }, { at: dir, seq: dir }],
      [{ $or: [{ at: { $lt: new Date(T0 + n * 10) } }, { at: new Date(T0 + n * 10), seq: { $lt: n } }] }, { at: -1, seq: -1 }],
      [{ job }, { at: dir, seq: dir }],
      [{ job: { $in: [job, `j${rnd(5)}`] }, attempt, seq: { $lt: n } }, { seq: dir }],
    ];
    for (const [filter, sort] of filters) {
      const limit = rnd(3) === 0 ? 0 : 1 + rnd(30);
      const skip = rnd(4) === 0 ? rnd(10) : 0;
      const walked = orderedFind(coll, filter, compileFilter(filter), { sort: cleanSort(sort), skip, limit });
      if (!walked) continue;
      walks++;
      const expected = fallback(coll, filter, sort, skip, limit);
      // Sort keys are unique within each filter's matches except (at, seq), where index order breaks ties.
      const keyOf = (d: Doc) => Object.keys(sort).map((f) => String(d[f] instanceof Date ? (d[f] as Date).getTime() : d[f]));
      expect(walked.map(keyOf)).toEqual(expected.map(keyOf));
      if (typeof filter.job === 'string') expect(walked).toEqual(expected);
    }
  }
  expect(walks).toBeGreaterThan(200);
});

test('the sweeper and claim queries of the jobs model agree with scan + sort', () => {
  const coll = new CollectionStore('db', 'jobs');
  const specs: Array<Record<string, 1 | -1>> = [
    { status: 1, priority: -1, queuedAt: 1 },
    { createdById: 1, status: 1, createdAt: -1, _id: -1 },
    { createdById: 1, createdAt: -1, _id: -1 },
    { createdAt: -1, _id: -1 },
    { status: 1, leaseExpiresAt: 1 },
    { workerId: 1, status: 1 },
  ];
  for (const key of specs) coll.createIndex({ key, name: Object.keys(key).join('_') });
  const statuses = ['QUEUED', 'ASSIGNED', 'RUNNING', 'SUCCEEDED'];
  for (let i = 0; i < 400; i++) {
    const status = statuses[i % 4];
    const leased = status === 'ASSIGNED' || status === 'RUNNING';
    coll.insert({
      _id: i,
      status,
      priority: i % 3,
      queuedAt: new Date(T0 + ((i * 7) % 400)),
      createdAt: new Date(T0 + i),
      createdById: `u${i % 3}`,
      requirements: ['linux'],
      ...(leased ? { workerId: `w${i % 2}`, leaseExpiresAt: new Date(T0 + ((i * 11) % 400)) } : {}),
    });
  }
  // A lease renewed in place, as the heartbeat does.
  coll.replace('n1', { ...coll.get('n1')!, leaseExpiresAt: new Date(T0 + 1) });
  const now = new Date(T0 + 200);
  const cases: Array<[Doc, SortSpec, number]> = [
    [{ status: { $in: ['ASSIGNED', 'RUNNING'] }, leaseExpiresAt: { $lt: now } }, { leaseExpiresAt: 1 }, 50],
    [{ status: 'QUEUED', requirements: { $not: { $elemMatch: { $nin: ['linux'] } } } }, { priority: -1, queuedAt: 1 }, 1],
  ];
  for (const [filter, sort, limit] of cases) {
    const walked = orderedFind(coll, filter, compileFilter(filter), { sort, limit });
    expect(walked).not.toBeNull();
    const expected = fallback(coll, filter, sort, 0, limit);
    expect(walked!.length).toBe(limit);
    expect(walked!.map((d) => Object.keys(sort).map((f) => String(d[f])))).toEqual(expected.map((d) => Object.keys(sort).map((f) => String(d[f]))));
  }
});

test('an $in with null pins the walk to the null bracket too: missing and null fields, merged with the other runs', () => {
  const coll = new CollectionStore('db', 'jobs');
  coll.createIndex({ key: { status: 1, priority: -1, queuedAt: 1 }, name: 'claim' });
  coll.createIndex({ key: { status: 1, kind: 1, priority: -1, queuedAt: 1 }, name: 'claim_by_kind' });
  for (let i = 0; i < 600; i++) {
    const doc: Doc = { _id: i, status: i % 5 === 0 ? 'RUNNING' : 'QUEUED', priority: i % 3, queuedAt: new Date(T0 + ((i * 13) % 600)) };
    if (i % 4 === 1) doc.kind = 'a';
    else if (i % 4 === 2) doc.kind = 'b';
    else if (i % 4 === 3) doc.kind = null;
    coll.insert(doc);
  }
  const sort: SortSpec = { priority: -1, queuedAt: 1 };
  const filter = { status: 'QUEUED', kind: { $in: ['a', null] } };
  const walk = planIndexWalk(coll, filter, sort, 10);
  expect(walk?.index.name).toBe('claim_by_kind');
  expect(walk?.runs).toHaveLength(2);
  for (const limit of [1, 10, 0]) {
    const walked = orderedFind(coll, filter, compileFilter(filter), { sort, limit });
    expect(walked?.map((d) => d._id)).toEqual(fallback(coll, filter, sort, 0, limit).map((d) => d._id));
  }
  expect(orderedFind(coll, { status: 'QUEUED', kind: null }, compileFilter({ status: 'QUEUED', kind: null }), { sort })).toHaveLength(240);
});
