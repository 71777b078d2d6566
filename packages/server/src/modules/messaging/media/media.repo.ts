import type { MediaKind } from '@switchboard/contracts';
import type { Db, Item } from '../../../engine/data/dynamo';
import { keys } from '../../../engine/data/keys';

/** Meta's copy of an upload on one WhatsApp number: its media id, and when it was uploaded. */
export type MetaUpload = { id: string; uploadedAt: string };

/** A file a member uploaded to send (`POST /media`). Its bytes are the blob at `key`. */
export type UploadedMediaItem = {
  id: string;
  type: MediaKind;
  mimeType: string;
  size: number;
  filename?: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** Blob key: `tenants/<tenantId>/media/<id>/<file name>`. */
  key: string;
  createdAt: string;
  uploadedBy?: { kind: 'user'; userId: string } | { kind: 'apiKey'; keyId: string };
  /** Meta's media id per phone number id (uploads are per number, kept 30 days). */
  metaIds: Record<string, MetaUpload>;
};

/** A direct upload under way (`POST /media/uploads`): what was declared, and where the bytes go. */
export type PendingMediaUpload = {
  /** Also the id of the media it becomes. */
  id: string;
  contentType: string;
  size: number;
  filename?: string;
  /** Staging blob key: `tenants/<tenantId>/media/<id>/_upload` (media-keys.ts). */
  key: string;
  createdAt: string;
  /** When the signed URL stops working (ISO 8601). */
  urlExpiresAt: string;
  uploadedBy?: UploadedMediaItem['uploadedBy'];
};

/** Pending uploads are kept a day (TTL): long enough to complete, never forever. */
const pendingUploadTtlSeconds = 24 * 3600;

const metaFields = ['PK', 'SK', 'entity'] as const;

function toMedia(item: Item): UploadedMediaItem {
  const out: Item = { ...item };
  for (const field of metaFields) delete out[field];
  out.metaIds ??= {};
  return out as UploadedMediaItem;
}

/** One tenant's uploads, `TENANT#<id>` / `MEDIA#<mediaId>` (keys.ts). */
export class MediaRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Stores a new upload; false when the id was taken (never, with random ids). */
  async create(media: UploadedMediaItem): Promise<boolean> {
    return this.db.put(
      { ...keys.media(this.tenantId, media.id), ...media, entity: 'Media' },
      { ifNotExists: true },
    );
  }

  async get(mediaId: string): Promise<UploadedMediaItem | undefined> {
    const item = await this.db.get(keys.media(this.tenantId, mediaId));
    return item ? toMedia(item) : undefined;
  }

  /** Records a direct upload under way (`MEDIAUPLOAD#<id>`). */
  async createPendingUpload(upload: PendingMediaUpload): Promise<boolean> {
    const expiresAt = Math.floor(Date.parse(upload.createdAt) / 1000) + pendingUploadTtlSeconds;
    return this.db.put(
      {
        ...keys.mediaUpload(this.tenantId, upload.id),
        ...upload,
        expiresAt,
        entity: 'MediaUpload',
      },
      { ifNotExists: true },
    );
  }

  async getPendingUpload(uploadId: string): Promise<PendingMediaUpload | undefined> {
    const item = await this.db.get(keys.mediaUpload(this.tenantId, uploadId));
    if (!item) return undefined;
    const out: Item = { ...item };
    for (const field of [...metaFields, 'expiresAt']) delete out[field];
    return out as PendingMediaUpload;
  }

  /** Remembers Meta's id of this upload on a number, so the next send of it skips the upload. */
  async setMetaId(mediaId: string, phoneNumberId: string, upload: MetaUpload): Promise<void> {
    await this.db.update(
      keys.media(this.tenantId, mediaId),
      { set: 'metaIds.#pn = :upload' },
      {
        condition: 'attribute_exists(PK)',
        names: { '#pn': phoneNumberId },
        values: { ':upload': upload },
      },
    );
  }

  /** Forgets Meta's id on a number (Meta said it no longer knows it). */
  async clearMetaId(mediaId: string, phoneNumberId: string): Promise<void> {
    await this.db.update(
      keys.media(this.tenantId, mediaId),
      { remove: 'metaIds.#pn' },
      { condition: 'attribute_exists(PK)', names: { '#pn': phoneNumberId } },
    );
  }
}
