import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type CachedTemplate = {
  id?: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameterFormat?: string;
  components: Record<string, unknown>[];
};

export type TemplateCacheEntry = { templates: CachedTemplate[]; fetchedAt: string };

/** DynamoDB items stop at 400 KB; a list larger than this is served uncached. */
const MAX_CACHED_BYTES = 350 * 1024;

/** A channel's approved templates as Meta last listed them, kept for a few minutes. */
export class TemplateCacheRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** The cached list when it is younger than `maxAgeMs`. */
  async get(
    channelId: string,
    maxAgeMs: number,
    now: Date,
  ): Promise<TemplateCacheEntry | undefined> {
    const item = await this.db.get(keys.templateCache(this.tenantId, channelId), false);
    if (!item) return undefined;
    if (now.getTime() - Date.parse(item.fetchedAt) > maxAgeMs) return undefined;
    return { templates: item.templates ?? [], fetchedAt: item.fetchedAt };
  }

  async put(channelId: string, entry: TemplateCacheEntry, ttlSeconds: number): Promise<void> {
    if (Buffer.byteLength(JSON.stringify(entry.templates)) > MAX_CACHED_BYTES) return;
    await this.db.put({
      ...keys.templateCache(this.tenantId, channelId),
      ...entry,
      expiresAt: Math.floor(Date.parse(entry.fetchedAt) / 1000) + ttlSeconds,
      entity: 'TemplateCache',
    });
  }
}
