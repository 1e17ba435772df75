/**
 * Walks an authorization request through the test issuer's development login and consent forms
 * over plain HTTP (a cookie jar of its own), up to the redirect back to the client.
 */
export interface IssuerWalk {
  /** the issuer's redirect to the client: the callback URL with code/state (or error) */
  callbackUrl: URL;
}

export async function walkIssuer(authorizationUrl: string, redirectUri: string, login: string, opts: { abort?: boolean } = {}): Promise<IssuerWalk> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = authorizationUrl;
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookie(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    keep(res);
    body = undefined;
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return { callbackUrl: next };
      url = next.href;
      await res.arrayBuffer();
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`issuer answered ${res.status}: ${html.slice(0, 500)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no interaction form at ${url}: ${html.slice(0, 500)}`);
    if (opts.abort) {
      const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
      if (!abort) throw new Error(`no abort link at ${url}`);
      url = new URL(abort, url).href;
      continue;
    }
    url = new URL(action, url).href;
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any-password' } : { prompt });
  }
  throw new Error('the issuer never redirected back to the client');
}
