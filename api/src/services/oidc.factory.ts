import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import type { AuditService } from './audit.service';
import { OidcService } from './oidc.service';

export type { OidcService };

/** The OIDC service when an issuer is configured (the config check makes the rest present). */
export function createOidcService(config: AppConfig, audit: AuditService, logger: Logger): OidcService | undefined {
  const { issuer, clientId, clientSecret, redirectUri, displayName, adminClaim, adminValues } = config.oidc;
  if (!issuer || !clientId || !redirectUri) return undefined;
  return new OidcService(
    { issuer, clientId, clientSecret, redirectUri, displayName, roleRule: { claim: adminClaim, adminValues }, allowHttpIssuer: !config.isProduction },
    config.auth.jwtSecret,
    audit,
    logger,
  );
}
