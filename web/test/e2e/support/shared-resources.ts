import type { BrowserServer } from 'playwright-core';
import type { Stack } from './stack';

/** What the global setup started, kept on globalThis (the one place jest's global setup and teardown both see). */
export interface SharedResources {
  browser?: BrowserServer;
  stack?: Stack;
}

export const SHARED_RESOURCES = Symbol.for('cmd-executor.e2e.shared-resources');
