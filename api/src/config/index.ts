export { ConfigError, loadConfig } from './config';
export type { AppConfig, NodeEnv } from './config';
export { MIN_SECRET_BYTES, PUBLISHED_SECRETS, weakSecretReason } from './known-secrets';
export { ensurePrivateDir, loadOrCreateLocalSecrets, SECRETS_FILE } from './local-secrets';
