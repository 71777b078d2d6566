import type { Context } from 'hono';
import type { StoredForm } from './form.repo';
import { archiveForm, createForm, publishForm, updateForm } from './forms.service';
import { formConfigDeps } from './form-config.urls';
import { NotFoundError } from '../../engine/errors';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { apiBaseUrl } from '../../engine/http/public-urls';
import { embedSnippet } from './lead-view';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { outboundDepsOf } from '../messaging/outbound-deps';

function formView(c: Context, deps: AppDeps, form: StoredForm) {
  return {
    ...form,
    embedSnippet: form.publishedVersion ? embedSnippet(apiBaseUrl(c, deps), form.id) : undefined,
    hostedPath: form.publishedVersion ? `/f/${form.id}` : undefined,
  };
}

export const formHandlers = {
  'forms.create': async ({ c, caller, deps, body }) => {
    const definition = await body();
    const form = await createForm(
      outboundDepsOf(deps),
      tenantOf(caller).data,
      definition,
      nowOf(deps),
    );
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
    const form = await updateForm(outboundDepsOf(deps), data, params.id, await body(), nowOf(deps));
    return c.json(formView(c, deps, form));
  },

  'forms.publish': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const published = await publishForm(
      { data, config: formConfigDeps(apiBaseUrl(c, deps), deps) },
      params.id,
    );
    await audit(c, caller, deps, {
      action: 'form.published',
      target: { type: 'form', id: published.formId },
      details: { version: String(published.version) },
    });
    return c.json({
      id: published.formId,
      version: published.version,
      publishedAt: published.publishedAt,
      embedSnippet: embedSnippet(apiBaseUrl(c, deps), published.formId),
      hostedPath: `/f/${published.formId}`,
      configKey: published.configKey,
    });
  },

  'forms.archive': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const id = params.id;
    await archiveForm({ data, config: formConfigDeps(apiBaseUrl(c, deps), deps) }, id);
    await audit(c, caller, deps, { action: 'form.archived', target: { type: 'form', id } });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;
