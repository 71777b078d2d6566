import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { UpdateExpression } from '../../engine/data/update-expression';

export type Branding = {
  displayName?: string;
  colors: { primary?: string; background?: string; text?: string; accent?: string };
  /** Blob key of the logo, under the tenant's prefix. */
  logoKey?: string;
  logoContentType?: string;
  /** ISO 3166 alpha-2: where phone numbers typed without a country code are read (phone.ts). */
  defaultCountry?: string;
  updatedAt?: string;
};

function toBranding(item: Item | undefined): Branding {
  return {
    displayName: item?.displayName,
    colors: item?.colors ?? {},
    logoKey: item?.logoKey,
    logoContentType: item?.logoContentType,
    defaultCountry: item?.defaultCountry,
    updatedAt: item?.updatedAt,
  };
}

export class BrandingRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Eventually consistent by default (public reads); `consistent` for form config writes. */
  async get(consistent = false): Promise<Branding> {
    return toBranding(await this.db.get(keys.branding(this.tenantId), consistent));
  }

  /**
   * Sets the name and colours; the logo is kept (it has its own route). The default country is
   * kept when `defaultCountry` is undefined and removed when it is null.
   */
  async put(
    input: Pick<Branding, 'displayName' | 'colors'> & { defaultCountry?: string | null },
    now: string,
  ): Promise<Branding> {
    const u = new UpdateExpression()
      .set('entity', 'Branding')
      .set('colors', input.colors)
      .set('updatedAt', now);
    if (input.displayName === undefined) u.remove('displayName');
    else u.set('displayName', input.displayName);
    if (input.defaultCountry === null) u.remove('defaultCountry');
    else if (input.defaultCountry !== undefined) u.set('defaultCountry', input.defaultCountry);
    const item = await this.db.update(keys.branding(this.tenantId), u.parts(), {
      names: u.names,
      values: u.values,
    });
    return toBranding(item);
  }

  async setLogo(logoKey: string, contentType: string, now: string): Promise<Branding> {
    const u = new UpdateExpression()
      .set('entity', 'Branding')
      .setIfNotExists('colors', {})
      .set('logoKey', logoKey)
      .set('logoContentType', contentType)
      .set('updatedAt', now);
    const item = await this.db.update(keys.branding(this.tenantId), u.parts(), {
      names: u.names,
      values: u.values,
    });
    return toBranding(item);
  }
}
