/**
 * The session token, in memory only (never storage a script could read later), for an API
 * on another origin whose cookie the browser may not send. Same-origin sessions use the
 * httpOnly cookie alone and leave this empty.
 */
let token: string | undefined;

export const sessionToken = {
  get: (): string | undefined => token,
  set: (value: string | undefined): void => {
    token = value;
  },
};
