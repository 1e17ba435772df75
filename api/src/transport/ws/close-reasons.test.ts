import { safeCloseReason } from './close-reasons';

describe('safeCloseReason', () => {
  it('replaces whatever reason graphql-ws gives with a fixed text for the code', () => {
    expect(safeCloseReason(4409, 'Subscriber for S3cr3t already exists')).toBe('Subscriber already exists');
    expect(safeCloseReason(4500, 'Variable "$f" got invalid value "S3cr3t"')).toBe('Internal server error');
    expect(safeCloseReason(4400, 'Invalid message received')).toBe('Bad request');
    expect(safeCloseReason(1009, 'Max payload size exceeded')).toBe('Message too big');
    expect(safeCloseReason(4999, 'anything')).toBe('');
  });

  it('keeps our own fixed reasons', () => {
    expect(safeCloseReason(4403, 'token expired')).toBe('token expired');
  });
});
