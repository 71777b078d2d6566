import type { Db, Item, Key } from '../../engine/data/dynamo';
import { tenantPk } from '../../engine/data/keys';
import { sha256Hex } from '../../engine/ids';

// Single sign-on items:
// - a workspace's settings, in its own partition: `TENANT#<id>` / `SSOSETTINGS` (the client
//   secret as a ciphertext of the token cipher, bound to the tenant);
// - global pointers the login page resolves (a sign-in address, an e-mail domain → the
//   workspace), each claimed with a conditional put so two workspaces never hold the same one:
//   `SSOSLUG#<slug>` / `TENANT` and `SSODOMAIN#<domain>` / `TENANT`;
// - an account's link to a provider's subject: `USER#<id>` / `SSOLINK#<sha256(issuer)>`.

export type StoredIdentityProvider = {
  issuer: string;
  clientId: string;
  /** Ciphertext (token cipher, context `{ tenantId, purpose: 'sso-client-secret' }`). */
  clientSecretCiphertext?: string;
  displayName?: string;
};

export type TenantSsoSettings = {
  slug?: string;
  allowedDomains: string[];
  identityProvider?: StoredIdentityProvider;
  updatedAt?: string;
  updatedBy?: string;
};

export const noSsoSettings: TenantSsoSettings = { allowedDomains: [] };

const settingsKey = (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'SSOSETTINGS' });

/** A workspace's SSO settings; built on the tenant's scoped Db. */
export class SsoSettingsRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(): Promise<TenantSsoSettings> {
    const item = await this.db.get(settingsKey(this.tenantId));
    if (!item) return noSsoSettings;
    const idp = item.identityProvider as Item | undefined;
    return {
      slug: item.slug,
      allowedDomains: Array.isArray(item.allowedDomains) ? item.allowedDomains : [],
      identityProvider: idp
        ? {
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecretCiphertext: idp.clientSecretCiphertext,
            displayName: idp.displayName,
          }
        : undefined,
      updatedAt: item.updatedAt,
      updatedBy: item.updatedBy,
    };
  }

  async put(settings: TenantSsoSettings): Promise<void> {
    await this.db.put({
      ...settingsKey(this.tenantId),
      ...settings,
      tenantId: this.tenantId,
      entity: 'SsoSettings',
    });
  }

  async delete(): Promise<void> {
    await this.db.delete(settingsKey(this.tenantId));
  }
}

export type PointerKind = 'slug' | 'domain';

const pointerKey = (kind: PointerKind, value: string): Key => ({
  PK: `${kind === 'slug' ? 'SSOSLUG' : 'SSODOMAIN'}#${value.toLowerCase()}`,
  SK: 'TENANT',
});

/** Sign-in addresses and e-mail domains → the workspace holding them (global, platform Db). */
export class SsoDirectory {
  constructor(private readonly db: Db) {}

  async resolve(kind: PointerKind, value: string): Promise<string | undefined> {
    const item = await this.db.get(pointerKey(kind, value));
    return item?.tenantId as string | undefined;
  }

  /** Claims for `tenantId`; false when another workspace holds it. Idempotent for the holder. */
  async claim(kind: PointerKind, value: string, tenantId: string): Promise<boolean> {
    return this.db.put(
      { ...pointerKey(kind, value), tenantId, entity: 'SsoPointer' },
      {
        condition: 'attribute_not_exists(PK) OR tenantId = :tenant',
        values: { ':tenant': tenantId },
      },
    );
  }

  /** Lets go, only if `tenantId` holds it. */
  async release(kind: PointerKind, value: string, tenantId: string): Promise<void> {
    await this.db.delete(pointerKey(kind, value), {
      condition: 'tenantId = :tenant',
      values: { ':tenant': tenantId },
    });
  }
}

export type SsoLink = { issuer: string; subject: string; linkedAt: string; via: string };

const linkKey = (userId: string, issuer: string): Key => ({
  PK: `USER#${userId}`,
  SK: `SSOLINK#${sha256Hex(issuer).slice(0, 32)}`,
});

/** Which subject of an issuer an account is linked to (one per issuer). */
export class SsoLinkRepo {
  constructor(private readonly db: Db) {}

  async get(userId: string, issuer: string): Promise<SsoLink | undefined> {
    const item = await this.db.get(linkKey(userId, issuer));
    return item
      ? { issuer: item.issuer, subject: item.subject, linkedAt: item.linkedAt, via: item.via }
      : undefined;
  }

  /** Links the account; false when it already is (to this subject or another: read it). */
  async link(userId: string, link: SsoLink): Promise<boolean> {
    return this.db.put(
      { ...linkKey(userId, link.issuer), ...link, userId, entity: 'SsoLink' },
      { ifNotExists: true },
    );
  }
}
