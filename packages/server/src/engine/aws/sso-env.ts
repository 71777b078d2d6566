import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SsoDeps } from '../../modules/identity/sso.oidc';
import { lazy } from '../lazy';

// The platform's identity provider on AWS (the Cognito user pool the stack can create, or any
// issuer the operator configures): names shared by the CDK app, which sets them on the functions
// serving the single sign-on routes, and the Lambda composition (deps.ts), which reads them.

export const ssoEnvNames = {
  issuer: 'SSO_PLATFORM_ISSUER',
  clientId: 'SSO_PLATFORM_CLIENT_ID',
  /** The Secrets Manager entry holding the client secret (absent: a public client). */
  clientSecretArn: 'SSO_PLATFORM_CLIENT_SECRET_ARN',
  name: 'SSO_PLATFORM_NAME',
  /** `off` | `optional` | `required`: whether the provider asks every user for a second factor. */
  mfa: 'SSO_PLATFORM_MFA',
} as const;

type Env = Record<string, string | undefined>;

/** Single sign-on for a function: the platform's provider when configured; https issuers only. */
export function awsSsoDeps(env: Env, secrets: Pick<SecretsManagerClient, 'send'>): SsoDeps {
  const issuer = env[ssoEnvNames.issuer];
  const clientId = env[ssoEnvNames.clientId];
  if (!issuer || !clientId) return { allowLoopback: false };
  const arn = env[ssoEnvNames.clientSecretArn];
  // Read once per container, at the first sign-in that needs it.
  const clientSecret = arn
    ? lazy(async () => {
        const out = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
        if (!out.SecretString) throw new Error('the platform SSO client secret is empty');
        return out.SecretString;
      })
    : async () => undefined;
  const mfa = env[ssoEnvNames.mfa];
  return {
    allowLoopback: false,
    platform: {
      issuer,
      clientId,
      clientSecret,
      name: env[ssoEnvNames.name] || 'Single sign-on',
      mfa: mfa === 'off' || mfa === 'optional' || mfa === 'required' ? mfa : undefined,
    },
  };
}
