import {
  formConfigCacheControl,
  formConfigFormat,
  formConfigPaths,
  formConfigPointerFormat,
  formConfigPointerSchema,
  publishedFormConfigSchema,
  type FormConfigPointer,
  type PublishedFormConfig,
} from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { sha256Hex } from '../../engine/ids';
import type { BlobStore } from '../../engine/ports/blobs';
import { TenantRepo } from '../platform/tenant.repo';
import { BrandingRepo, type Branding } from './branding.repo';
import { FormPointerRepo, type PublishedForm } from './form.repo';

// The published form config on the CDN: what the hosted page and the embed script read instead of
// the API. Each file is rendered from the table (the global FORM#<id> pointer and the tenant's
// branding), so writing it again is always safe: publish, archive and branding changes all call
// `syncFormConfig`, which converges the files to what the table says.
//
// Order, for crash safety: the logo copy and the versioned file first, the pointer last. A crash
// in between leaves the previous pointer (and so the previous version) served; the next sync heals.

export type FormConfigUrls = {
  /** The CDN's base URL: `https://<assets distribution>` in AWS, `<sandbox>/cdn` locally. */
  configBase: string;
  /** The API's public base URL, for the submit endpoint. */
  apiBase: string;
};

export type FormConfigDeps = {
  /** The unscoped (platform) Db: the FORM#<id> pointer lives outside the tenant's partitions. */
  db: Db;
  blobs: BlobStore;
  now: Date;
  urls: FormConfigUrls;
};

export type FormConfigWritten =
  { status: 'live'; version: number; configKey: string } | { status: 'withdrawn' };

const logoName = /^logo-[0-9a-f]{16}\.(?:png|jpg|jpeg|gif|webp|svg)$/;

/** Copies the tenant's logo to the public path (content-addressed: written once per form). */
async function publicLogo(
  blobs: BlobStore,
  formId: string,
  branding: Branding,
): Promise<string | undefined> {
  if (!branding.logoKey) return undefined;
  const name = branding.logoKey.slice(branding.logoKey.lastIndexOf('/') + 1);
  if (!logoName.test(name)) return undefined;
  const key = `${formConfigPaths.dir(formId)}${name}`;
  if (await blobs.get(key)) return key;
  const logo = await blobs.get(branding.logoKey);
  if (!logo) return undefined;
  await blobs.put(key, logo.body, logo.contentType, {
    cacheControl: formConfigCacheControl.version,
  });
  return key;
}

/** The public config of one published version: the definition less its allowed origins. */
export function renderFormConfig(
  form: PublishedForm,
  branding: Branding,
  logoKey: string | undefined,
  urls: FormConfigUrls,
): PublishedFormConfig {
  // Allowed origins gate submissions on the server, the WhatsApp follow-up runs there: the page
  // has no use for either.
  const { allowedOrigins: _origins, whatsappHandoff: _handoff, ...definition } = form.definition;
  return publishedFormConfigSchema.parse({
    format: formConfigFormat,
    id: form.formId,
    version: form.version,
    publishedAt: form.publishedAt,
    ...definition,
    branding: {
      displayName: branding.displayName ?? null,
      colors: branding.colors,
      logoUrl: logoKey ? `${urls.configBase}/${logoKey}` : null,
      ...(branding.defaultCountry ? { defaultCountry: branding.defaultCountry } : {}),
    },
    submitUrl: `${urls.apiBase}/public/forms/${form.formId}/submissions`,
  });
}

function json(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

async function writePointer(blobs: BlobStore, pointer: FormConfigPointer): Promise<void> {
  await blobs.put(
    formConfigPaths.pointer(pointer.formId),
    json(formConfigPointerSchema.parse(pointer)),
    'application/json; charset=utf-8',
    { cacheControl: formConfigCacheControl.pointer },
  );
}

type Source = { form?: PublishedForm; live: boolean; branding?: Branding };

async function readSource(db: Db, formId: string): Promise<Source> {
  const form = await new FormPointerRepo(db).get(formId, true);
  if (!form?.live) return { form, live: false };
  const [tenant, branding] = await Promise.all([
    new TenantRepo(db).get(form.tenantId),
    new BrandingRepo(db, form.tenantId).get(true),
  ]);
  return { form, live: tenant?.status === 'active', branding };
}

const sameSource = (a: Source, b: Source) =>
  a.live === b.live &&
  a.form?.version === b.form?.version &&
  a.branding?.updatedAt === b.branding?.updatedAt;

/**
 * Writes the form's config files from the table's current state. A publish or branding change
 * racing this one is caught by reading the state again after the pointer is written: if it moved,
 * the files are written again (a few rounds at most; each round is idempotent).
 */
export async function syncFormConfig(
  deps: FormConfigDeps,
  formId: string,
): Promise<FormConfigWritten> {
  let source = await readSource(deps.db, formId);
  for (let round = 0; ; round++) {
    const written = await writeFrom(deps, formId, source);
    const now = await readSource(deps.db, formId);
    if (sameSource(source, now) || round === 2) return written;
    source = now;
  }
}

async function writeFrom(
  deps: FormConfigDeps,
  formId: string,
  source: Source,
): Promise<FormConfigWritten> {
  if (!source.form || !source.live || !source.branding) {
    await writePointer(deps.blobs, {
      format: formConfigPointerFormat,
      formId,
      status: 'withdrawn',
      withdrawnAt: deps.now.toISOString(),
    });
    return { status: 'withdrawn' };
  }
  const { form, branding } = source;
  const logoKey = await publicLogo(deps.blobs, formId, branding);
  const body = json(renderFormConfig(form, branding, logoKey, deps.urls));
  const configKey = formConfigPaths.version(formId, form.version, sha256Hex(body).slice(0, 12));
  await deps.blobs.put(configKey, body, 'application/json; charset=utf-8', {
    cacheControl: formConfigCacheControl.version,
  });
  await writePointer(deps.blobs, {
    format: formConfigPointerFormat,
    formId,
    status: 'live',
    version: form.version,
    configPath: configKey,
    configUrl: `${deps.urls.configBase}/${configKey}`,
    publishedAt: form.publishedAt,
  });
  return { status: 'live', version: form.version, configKey };
}

/** After a branding change: every published form of the tenant gets a config with the new look. */
export async function syncTenantFormConfigs(
  deps: FormConfigDeps,
  data: Pick<TenantData, 'forms'>,
): Promise<number> {
  const published = (await data.forms.list()).filter(
    (f) => f.status === 'published' && f.publishedVersion !== undefined,
  );
  for (const form of published) await syncFormConfig(deps, form.id);
  return published.length;
}
