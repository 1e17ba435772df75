export { ConfigError, loadConfig } from './config';
export type { AppConfig, NodeEnv } from './config';
export { DEV_JWT_SECRET, DEV_WORKER_TOKEN_SECRET } from './config.schema';
