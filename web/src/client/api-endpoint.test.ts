import { apiEndpoint } from './api-endpoint';

const page = { origin: 'https://ui.example.com', href: 'https://ui.example.com/#/jobs' };

describe('api endpoint from config.js', () => {
  it('defaults to the origin that served the page', () => {
    expect(apiEndpoint(undefined, page)).toEqual({
      httpUrl: 'https://ui.example.com/graphql',
      wsUrl: 'wss://ui.example.com/graphql',
      graphiqlUrl: 'https://ui.example.com/graphiql',
      crossOrigin: false,
    });
    expect(apiEndpoint({ apiUrl: '  ' }, page).crossOrigin).toBe(false);
  });

  it('points at an API on another origin, with or without a path and trailing slash', () => {
    expect(apiEndpoint({ apiUrl: 'https://api.example.com/' }, page)).toEqual({
      httpUrl: 'https://api.example.com/graphql',
      wsUrl: 'wss://api.example.com/graphql',
      graphiqlUrl: 'https://api.example.com/graphiql',
      crossOrigin: true,
    });
    expect(apiEndpoint({ apiUrl: 'http://10.0.0.5:4000/cmdx' }, page).wsUrl).toBe('ws://10.0.0.5:4000/cmdx/graphql');
  });

  it('counts another port of the same host as another origin', () => {
    expect(apiEndpoint({ apiUrl: 'http://127.0.0.1:4000' }, { origin: 'http://127.0.0.1:5000', href: 'http://127.0.0.1:5000/' }).crossOrigin).toBe(true);
  });
});
