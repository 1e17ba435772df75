/** Stops what support/global-setup.ts started: the shared API stack, then the shared Chromium. */
import { SHARED_RESOURCES, type SharedResources } from './shared-resources';

export default async function globalTeardown(): Promise<void> {
  const held = (globalThis as Record<symbol, SharedResources | undefined>)[SHARED_RESOURCES];
  if (!held) return;
  try {
    await held.stack?.close();
  } finally {
    await held.browser?.close();
  }
}
