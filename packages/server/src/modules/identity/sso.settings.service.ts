import type { SsoSettings, UpdateSsoSettingsRequest } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { discover, OidcError, type SsoDeps } from './sso.oidc';
import {
  SsoDirectory,
  SsoSettingsRepo,
  type PointerKind,
  type StoredIdentityProvider,
  type TenantSsoSettings,
} from './sso.repo';

// A workspace's single sign-on settings (its owner's): its own identity provider, checked by
// reading its discovery document before anything is saved, with the client secret encrypted by
// the token cipher bound to the workspace (KMS in AWS: the key policy allows this context because
// it names the tenant); its sign-in address and the e-mail domains it admits, each a global
// pointer no other workspace can hold at the same time.

/** The client secret's encryption context: bound to the workspace, like channel tokens. */
export const ssoSecretContext = (tenantId: string) => ({
  tenantId,
  purpose: 'sso-client-secret',
});

/**
 * Mailbox providers anyone can sign up with: admitting "everyone at gmail.com" is never what an
 * owner means, and would let any stranger with such an address in.
 */
export const publicMailDomains = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'mail.com',
  'yandex.ru',
  'yandex.com',
  'qq.com',
  '163.com',
  'zoho.com',
]);

export type SsoSettingsDeps = {
  /** The tenant's scoped Db (its settings item). */
  db: Db;
  /** The function's own Db (the global pointers). */
  platformDb: Db;
  cipher: TokenCipher;
  sso: SsoDeps;
  now: Date;
};

export function ssoSettingsView(
  settings: TenantSsoSettings,
  callbackUrl: string,
  sso: SsoDeps,
): SsoSettings {
  const idp = settings.identityProvider;
  return {
    slug: settings.slug,
    allowedDomains: settings.allowedDomains,
    identityProvider: idp && {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecretSet: Boolean(idp.clientSecretCiphertext),
      displayName: idp.displayName,
    },
    callbackUrl,
    platformProvider: sso.platform ? { name: sso.platform.name } : undefined,
    updatedAt: settings.updatedAt,
    updatedBy: settings.updatedBy,
  };
}

function normalisedDomains(domains: readonly string[]): string[] {
  const out = [...new Set(domains.map((d) => d.trim().toLowerCase().replace(/\.$/, '')))];
  const public_ = out.filter((d) => publicMailDomains.has(d));
  if (public_.length > 0) {
    throw new AppError('validation_failed', 'The request body is invalid.', {
      fields: {
        allowedDomains: `${public_.join(', ')}: anyone can have an address there. List your organisation’s own domains.`,
      },
    });
  }
  return out.sort();
}

async function identityProviderOf(
  deps: SsoSettingsDeps,
  tenantId: string,
  current: StoredIdentityProvider | undefined,
  input: NonNullable<UpdateSsoSettingsRequest['identityProvider']>,
): Promise<StoredIdentityProvider> {
  const issuer = input.issuer.trim();
  try {
    await discover(issuer, deps.sso);
  } catch (err) {
    if (!(err instanceof OidcError)) throw err;
    throw new AppError('sso_discovery_failed', err.message, { fields: { issuer: err.message } });
  }
  const sameClient = current?.issuer === issuer && current.clientId === input.clientId;
  const clientSecretCiphertext = input.clientSecret
    ? await deps.cipher.encrypt(input.clientSecret, ssoSecretContext(tenantId))
    : // Left out: the stored secret stays, only for the same client; none is a public client.
      sameClient
      ? current?.clientSecretCiphertext
      : undefined;
  return {
    issuer,
    clientId: input.clientId,
    clientSecretCiphertext,
    displayName: input.displayName,
  };
}

/** Claims what is new, releases what is gone; nothing is kept claimed when a claim fails. */
async function movePointers(
  directory: SsoDirectory,
  tenantId: string,
  kind: PointerKind,
  before: readonly string[],
  after: readonly string[],
): Promise<void> {
  const added = after.filter((v) => !before.includes(v));
  const claimed: string[] = [];
  for (const value of added) {
    if (!(await directory.claim(kind, value, tenantId))) {
      await Promise.all(claimed.map((v) => directory.release(kind, v, tenantId)));
      throw kind === 'slug'
        ? new AppError('sso_slug_taken', `The sign-in address ${value} is taken.`, {
            fields: { slug: 'Another workspace uses this address.' },
          })
        : new AppError('sso_domain_taken', `${value} is admitted by another workspace.`, {
            fields: { allowedDomains: `${value} is admitted by another workspace.` },
          });
    }
    claimed.push(value);
  }
  await Promise.all(
    before.filter((v) => !after.includes(v)).map((v) => directory.release(kind, v, tenantId)),
  );
}

export async function updateSsoSettings(
  deps: SsoSettingsDeps,
  tenantId: string,
  actorId: string,
  input: UpdateSsoSettingsRequest,
): Promise<TenantSsoSettings> {
  const repo = new SsoSettingsRepo(deps.db, tenantId);
  const directory = new SsoDirectory(deps.platformDb);
  const current = await repo.get();
  const allowedDomains = normalisedDomains(input.allowedDomains ?? []);
  const slug = input.slug === undefined ? current.slug : (input.slug ?? undefined);
  const identityProvider =
    input.identityProvider === undefined
      ? current.identityProvider
      : input.identityProvider === null
        ? undefined
        : await identityProviderOf(
            deps,
            tenantId,
            current.identityProvider,
            input.identityProvider,
          );

  await movePointers(
    directory,
    tenantId,
    'slug',
    current.slug ? [current.slug] : [],
    slug ? [slug] : [],
  );
  try {
    await movePointers(directory, tenantId, 'domain', current.allowedDomains, allowedDomains);
  } catch (err) {
    // Put the sign-in address back as it was.
    await movePointers(
      directory,
      tenantId,
      'slug',
      slug ? [slug] : [],
      current.slug ? [current.slug] : [],
    );
    throw err;
  }
  const settings: TenantSsoSettings = {
    slug,
    allowedDomains,
    identityProvider,
    updatedAt: deps.now.toISOString(),
    updatedBy: actorId,
  };
  await repo.put(settings);
  return settings;
}

/** Turns it all off: the provider (and its secret), the address and the domains. */
export async function removeSsoSettings(
  deps: Pick<SsoSettingsDeps, 'db' | 'platformDb'>,
  tenantId: string,
): Promise<boolean> {
  const repo = new SsoSettingsRepo(deps.db, tenantId);
  const directory = new SsoDirectory(deps.platformDb);
  const current = await repo.get();
  const had = Boolean(current.identityProvider || current.slug || current.allowedDomains.length);
  await Promise.all([
    ...(current.slug ? [directory.release('slug', current.slug, tenantId)] : []),
    ...current.allowedDomains.map((d) => directory.release('domain', d, tenantId)),
  ]);
  await repo.delete();
  return had;
}
