import type { FormDefinition } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { StoredForm } from './form.repo';
import { syncFormConfig, type FormConfigDeps } from './form-config.service';
import { compileFormPatterns, UnsafePatternError } from './safe-regex';
import { checkWhatsappHandoff } from './whatsapp-handoff.service';
import type { OutboundDeps } from '../messaging/outbound-deps';

// A tenant's lead forms: drafts that any edit bumps, published versions that landing pages use.

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
  outbound: OutboundDeps,
  data: TenantData,
  definition: FormDefinition,
  now: Date,
): Promise<StoredForm> {
  vetPatterns(definition);
  await checkWhatsappHandoff(outbound, data, definition);
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
  outbound: OutboundDeps,
  data: TenantData,
  formId: string,
  definition: FormDefinition,
  now: Date,
): Promise<StoredForm> {
  vetPatterns(definition);
  await checkWhatsappHandoff(outbound, data, definition);
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

/**
 * Publishes the draft as the next version, then writes its config where pages fetch it (the CDN:
 * the versioned file, then the `current.json` pointer; form-config.service.ts).
 */
export async function publishForm(
  deps: { data: TenantData; config: FormConfigDeps },
  formId: string,
): Promise<PublishedVersion> {
  const { data } = deps;
  const form = await data.forms.get(formId);
  if (!form || form.status === 'archived') throw new NotFoundError('Form');
  const published = await data.forms.publish(form, deps.config.now.toISOString());
  if (!published) {
    throw new AppError(
      'conflict',
      'The form changed while publishing; reload it and publish again.',
    );
  }
  const written = await syncFormConfig(deps.config, form.id);
  if (written.status !== 'live') {
    // Archived (or its workspace suspended) between the publish and the config write.
    throw new NotFoundError('Form');
  }
  return {
    formId: form.id,
    version: published.version,
    publishedAt: published.publishedAt,
    configKey: written.configKey,
  };
}

/** Archives the form and withdraws its config: pages stop showing it within the pointer's cache. */
export async function archiveForm(
  deps: { data: TenantData; config: FormConfigDeps },
  formId: string,
): Promise<void> {
  if (!(await deps.data.forms.archive(formId, deps.config.now.toISOString()))) {
    throw new NotFoundError('Form');
  }
  await syncFormConfig(deps.config, formId);
}
