import { Types } from 'mongoose';
import { SandboxKind, WorkerStatus } from '../domain/enums';
import { capabilityKey, standingOf, wakeJobOf } from './dispatch-wake';
import type { SlotView } from './worker-slot.cache';

const view = (over: Partial<SlotView> = {}): SlotView => ({
  objectId: new Types.ObjectId(),
  status: WorkerStatus.ONLINE,
  capacity: 2,
  labels: ['linux'],
  sandboxes: [SandboxKind.NONE],
  held: new Set(),
  readAt: 0,
  stale: false,
  ...over,
});

describe('standingOf', () => {
  it('a worker with a claim loop running is busy, whatever its view says', () => {
    expect(standingOf({ busy: true, streams: 0, view: undefined })).toBe('busy');
  });

  it('only a read tells about a worker with no view yet or a stale one', () => {
    expect(standingOf({ busy: false, streams: 1, view: undefined })).toBe('unknown');
    expect(standingOf({ busy: false, streams: 1, view: view({ stale: true }) })).toBe('unknown');
  });

  it('takes no wake without an open stream or when not ONLINE', () => {
    expect(standingOf({ busy: false, streams: 0, view: view() })).toBe('off');
    expect(standingOf({ busy: false, streams: 1, view: view({ status: WorkerStatus.DRAINING }) })).toBe('off');
  });

  it('tells idle (no slot held), partial and full apart', () => {
    expect(standingOf({ busy: false, streams: 1, view: view() })).toBe('idle');
    expect(standingOf({ busy: false, streams: 1, view: view({ held: new Set(['a:1']) }) })).toBe('partial');
    expect(standingOf({ busy: false, streams: 2, view: view({ held: new Set(['a:1', 'b:1']) }) })).toBe('full');
  });
});

describe('capabilityKey', () => {
  it('is the same for workers that may run the same jobs, in any label order', () => {
    expect(capabilityKey({ labels: ['a', 'b'], sandboxes: [SandboxKind.NONE] })).toBe(capabilityKey({ labels: ['b', 'a'], sandboxes: [SandboxKind.NONE] }));
    expect(capabilityKey({ labels: ['a', 'b'], sandboxes: [SandboxKind.NONE] })).not.toBe(capabilityKey({ labels: ['a'], sandboxes: [SandboxKind.NONE] }));
    expect(capabilityKey({ labels: ['a,b'], sandboxes: [SandboxKind.NONE] })).not.toBe(capabilityKey({ labels: ['a', 'b'], sandboxes: [SandboxKind.NONE] }));
  });
});

describe('wakeJobOf', () => {
  it('carries the id and what decides who may run the job', () => {
    const _id = new Types.ObjectId();
    expect(wakeJobOf({ _id, requirements: ['gpu'] })).toEqual({ id: _id.toHexString(), requirements: ['gpu'], sandbox: null });
    expect(wakeJobOf({ id: 'x', requirements: null, sandbox: SandboxKind.NONE })).toEqual({ id: 'x', requirements: [], sandbox: SandboxKind.NONE });
  });
});
