/**
 * The sandbox module the CLI plugs in (see `SandboxModule` in ../runner/sandbox.types):
 * `none`, `namespace` (bubblewrap) and `docker`, with resource limits.
 */
import type { SandboxModule } from '../runner/sandbox.types';
import { createSandboxProvider } from './sandbox.provider';
import { addSandboxOptions } from './sandbox.options';

export { addSandboxOptions } from './sandbox.options';
export { createHostSandboxProvider, createSandboxProvider, HostSandboxProvider } from './sandbox.provider';
export { detectSandboxes } from './detect';
export { NamespaceSandbox } from './namespace.sandbox';
export { DockerSandbox } from './docker.sandbox';

export const sandboxModule: SandboxModule = { addSandboxOptions, createSandboxProvider };
