import { Types } from 'mongoose';
import { attemptKey } from './attempt-key';

describe('attemptKey', () => {
  it('gives an ObjectId and its hex string the same key', () => {
    const id = new Types.ObjectId();
    expect(attemptKey(id, 3)).toBe(attemptKey(id.toHexString(), 3));
    expect(attemptKey(id, 3)).toBe(`${id.toHexString()}:3`);
  });

  it('tells attempts of one job apart', () => {
    const id = new Types.ObjectId().toHexString();
    expect(attemptKey(id, 1)).not.toBe(attemptKey(id, 11));
  });
});
