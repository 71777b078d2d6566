import type { Db, Key } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

// The platform's own switches: one item, `PLATFORM` / `SETTINGS` (beside the platform's audit
// trail, whose sort keys all start `AUDIT#`). An absent item means every default: sign-up open.

export type PlatformSettings = {
  signupEnabled: boolean;
  updatedAt?: string;
  /** The platform admin who last changed them. */
  updatedBy?: string;
};

export const defaultPlatformSettings: PlatformSettings = { signupEnabled: true };

const settingsKey: Key = { PK: keys.platformPk, SK: 'SETTINGS' };

export class PlatformSettingsRepo {
  constructor(private readonly db: Db) {}

  async get(): Promise<PlatformSettings> {
    const item = await this.db.get(settingsKey);
    if (!item) return { ...defaultPlatformSettings };
    return {
      signupEnabled: item.signupEnabled !== false,
      updatedAt: item.updatedAt,
      updatedBy: item.updatedBy,
    };
  }

  async put(settings: Required<PlatformSettings>): Promise<PlatformSettings> {
    await this.db.put({ ...settingsKey, ...settings, entity: 'PlatformSettings' });
    return settings;
  }
}
