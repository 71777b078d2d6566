import type { FormDefinition } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { tenantAssetPrefix } from '../../engine/ports/asset-urls';
import type { BlobStore } from '../../engine/ports/blobs';
import type { StoredForm } from './form.repo';
import { compileFormPatterns, UnsafePatternError } from './safe-regex';

// A tenant's lead forms: drafts that any edit bumps, published versions that landing pages use.

/** Where a published version's config lives in the blob store (the CDN serves it in AWS). */
export const formBlobKey = (tenantId: string, formId: string, version: number) =>
  `${tenantAssetPrefix(tenantId)}forms/${formId}/v${version}.json`;

/**
 * Compiles every field pattern in RE2 and refuses the definition, naming each field, when one
 * cannot run safely (safe-regex.ts): invalid, unsupported by RE2, or too large alone or together.
 */
function vetPatterns(definition: FormDefinition): void {
  const refused: Record<string, string> = {};
  const patterns = compileFormPatterns(definition.fields);
  definition.fields.forEach((field, index) => {
    const pattern = patterns.get(field.key);
    if (pattern instanceof UnsafePatternError) {
      refused[`fields.${index}.validation.pattern`] = pattern.message;
    }
  });
  if (Object.keys(refused).length > 0) {
    throw new AppError('validation_failed', 'A field pattern is not allowed.', { fields: refused });
  }
}

export async function createForm(
  data: TenantData,
  definition: FormDefinition,
  now: Date,
): Promise<StoredForm> {
  vetPatterns(definition);
  const at = now.toISOString();
  const form: StoredForm = {
    ...definition,
    id: randomId('fm'),
    version: 1,
    status: 'draft',
    createdAt: at,
    updatedAt: at,
  };
  await data.forms.create(form);
  return form;
}

export async function updateForm(
  data: TenantData,
  formId: string,
  definition: FormDefinition,
  now: Date,
): Promise<StoredForm> {
  vetPatterns(definition);
  const form = await data.forms.update(formId, definition, now.toISOString());
  if (!form) throw new NotFoundError('Form');
  return form;
}

export type PublishedVersion = {
  formId: string;
  version: number;
  publishedAt: string;
  configKey: string;
};

/** Publishes the draft as the next version and writes its config where pages fetch it. */
export async function publishForm(
  deps: { data: TenantData; blobs: BlobStore; now: Date },
  formId: string,
): Promise<PublishedVersion> {
  const { data } = deps;
  const form = await data.forms.get(formId);
  if (!form || form.status === 'archived') throw new NotFoundError('Form');
  const published = await data.forms.publish(form, deps.now.toISOString());
  if (!published) {
    throw new AppError(
      'conflict',
      'The form changed while publishing; reload it and publish again.',
    );
  }
  const configKey = formBlobKey(data.tenantId, form.id, published.version);
  // The config pages can fetch (through the CDN in AWS); the API serves the same from the table.
  await deps.blobs.put(
    configKey,
    JSON.stringify({ id: form.id, version: published.version, ...published.definition }),
    'application/json',
  );
  return {
    formId: form.id,
    version: published.version,
    publishedAt: published.publishedAt,
    configKey,
  };
}
