import { type FormDefinition } from '@switchboard/contracts';
import type { Context } from 'hono';
import type { StoredForm } from './form.repo';
import { compileForm } from './form-schema';
import { UnsafePatternError } from './safe-regex';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { tenantAssetPrefix } from '../../engine/ports/asset-urls';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { apiBaseUrl } from '../../engine/http/public-urls';
import { embedSnippet } from './lead-view';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

/** Refuses a definition whose tenant patterns could backtrack catastrophically. */
function vetPatterns(definition: FormDefinition): void {
  try {
    compileForm(definition);
  } catch (err) {
    if (!(err instanceof UnsafePatternError)) throw err;
    const index = definition.fields.findIndex((f) => {
      try {
        compileForm({ fields: [f] });
        return false;
      } catch {
        return true;
      }
    });
    throw new AppError('validation_failed', 'A field pattern is not allowed.', {
      fields: { [`fields.${index}.validation.pattern`]: err.message },
    });
  }
}

function formView(c: Context, deps: AppDeps, form: StoredForm) {
  return {
    ...form,
    embedSnippet: form.publishedVersion ? embedSnippet(apiBaseUrl(c, deps), form.id) : undefined,
    hostedPath: form.publishedVersion ? `/f/${form.id}` : undefined,
  };
}

export const formBlobKey = (tenantId: string, formId: string, version: number) =>
  `${tenantAssetPrefix(tenantId)}forms/${formId}/v${version}.json`;

export const formHandlers = {
  'forms.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const definition = await body();
    vetPatterns(definition);
    const now = nowOf(deps).toISOString();
    const form: StoredForm = {
      ...definition,
      id: randomId('fm'),
      version: 1,
      status: 'draft',
      createdAt: now,
      updatedAt: now,
    };
    await data.forms.create(form);
    await audit(c, caller, deps, { action: 'form.created', target: { type: 'form', id: form.id } });
    return c.json(formView(c, deps, form), 201);
  },

  'forms.list': async ({ c, caller, deps }) => {
    const { data } = tenantOf(caller);
    const forms = await data.forms.list();
    return c.json({ items: forms.map((f) => formView(c, deps, f)), nextCursor: null });
  },

  'forms.get': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const form = await data.forms.get(params.id);
    if (!form) throw new NotFoundError('Form');
    return c.json(formView(c, deps, form));
  },

  'forms.update': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const id = params.id;
    const definition = await body();
    vetPatterns(definition);
    const form = await data.forms.update(id, definition, nowOf(deps).toISOString());
    if (!form) throw new NotFoundError('Form');
    return c.json(formView(c, deps, form));
  },

  'forms.publish': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const form = await data.forms.get(params.id);
    if (!form || form.status === 'archived') throw new NotFoundError('Form');
    const now = nowOf(deps).toISOString();
    const published = await data.forms.publish(form, now);
    if (!published) {
      throw new AppError(
        'conflict',
        'The form changed while publishing; reload it and publish again.',
      );
    }
    // The config pages can fetch (through the CDN in AWS); the API serves the same from the table.
    await deps.blobs.put(
      formBlobKey(data.tenantId, form.id, published.version),
      JSON.stringify({ id: form.id, version: published.version, ...published.definition }),
      'application/json',
    );
    await audit(c, caller, deps, {
      action: 'form.published',
      target: { type: 'form', id: form.id },
      details: { version: String(published.version) },
    });
    return c.json({
      id: form.id,
      version: published.version,
      publishedAt: published.publishedAt,
      embedSnippet: embedSnippet(apiBaseUrl(c, deps), form.id),
      hostedPath: `/f/${form.id}`,
      configKey: formBlobKey(data.tenantId, form.id, published.version),
    });
  },

  'forms.archive': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const id = params.id;
    if (!(await data.forms.archive(id, nowOf(deps).toISOString()))) throw new NotFoundError('Form');
    await audit(c, caller, deps, { action: 'form.archived', target: { type: 'form', id } });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;
