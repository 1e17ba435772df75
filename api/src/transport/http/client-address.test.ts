import { clientAddress } from './client-address';

const req = (peer: string, xff?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as Parameters<typeof clientAddress>[0];

describe('clientAddress', () => {
  it('ignores X-Forwarded-For without trusted proxies', () => {
    expect(clientAddress(req('10.0.0.1', '1.2.3.4'), 0)).toBe('10.0.0.1');
  });
  it('takes the entry TRUST_PROXY hops from the right, never a client-written one further left', () => {
    expect(clientAddress(req('10.0.0.1', 'forged, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientAddress(req('10.0.0.1', 'forged, 1.2.3.4, 10.0.0.2'), 2)).toBe('1.2.3.4');
    expect(clientAddress(req('10.0.0.1', ['forged', '1.2.3.4']), 1)).toBe('1.2.3.4');
  });
  it('stops at the leftmost entry when the chain is shorter than the trusted hops', () => {
    expect(clientAddress(req('10.0.0.1', '1.2.3.4'), 3)).toBe('1.2.3.4');
    expect(clientAddress(req('10.0.0.1'), 2)).toBe('10.0.0.1');
  });
});
