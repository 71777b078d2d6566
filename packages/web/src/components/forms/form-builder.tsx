'use client';

import {
  formDefinitionSchema,
  type FieldType,
  type FormDefinition,
  type FormField,
  type FormView,
} from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { brandingQuery, formQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { CopyButton } from '../copy-button';
import { ChevronLeftIcon, ExternalIcon, PlusIcon } from '../icons';
import {
  Badge,
  Button,
  Card,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  Select,
  Textarea,
} from '../ui';
import { fieldTypes, FieldEditor, keyFromLabel } from './field-editor';
import { FormRenderer, initialValues, type FieldValue, type Values } from './form-renderer';
import { hasWhatsappOptIn, WhatsappFollowUp } from './whatsapp-follow-up';

export const starterForm: FormDefinition = {
  name: 'Contact us',
  fields: [
    { key: 'name', type: 'text', label: 'Your name', required: true, role: 'name' },
    { key: 'email', type: 'email', label: 'E-mail', required: true },
    {
      key: 'phone',
      type: 'phone',
      label: 'WhatsApp number',
      required: false,
      helpText: 'With country code, e.g. +55 11 91234 5678.',
    },
    { key: 'message', type: 'textarea', label: 'How can we help?', required: false },
  ],
  allowedOrigins: [],
  submitLabel: 'Send',
  successMessage: 'Thank you! We will get back to you shortly.',
};

/** A new form is created; an existing one's draft is replaced. */
function saveForm(formId: string | null | undefined, body: FormDefinition): Promise<FormView> {
  return formId
    ? api.call('forms.update', { params: { id: formId }, body })
    : api.call('forms.create', { body });
}

function definitionOf(form: FormView): FormDefinition {
  return {
    name: form.name,
    fields: form.fields,
    allowedOrigins: form.allowedOrigins,
    ...(form.submitLabel ? { submitLabel: form.submitLabel } : {}),
    ...(form.successMessage ? { successMessage: form.successMessage } : {}),
    ...(form.redirectUrl ? { redirectUrl: form.redirectUrl } : {}),
    ...(form.defaultCountryCode ? { defaultCountryCode: form.defaultCountryCode } : {}),
    ...(form.whatsappHandoff ? { whatsappHandoff: form.whatsappHandoff } : {}),
  };
}

/** Zod issues as `{ "fields.2.key": "message" }`, the same shape the API answers with. */
function localErrors(def: FormDefinition): Record<string, string> {
  const parsed = formDefinitionSchema.safeParse(def);
  if (parsed.success) return {};
  const out: Record<string, string> = {};
  for (const issue of parsed.error.issues) out[issue.path.join('.') || '(body)'] ??= issue.message;
  return out;
}

export function hostedUrl(formId: string): string {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return `${origin}/f/?id=${encodeURIComponent(formId)}`;
}

function ShareCard({ form }: { form: FormView }) {
  const link = hostedUrl(form.id);
  return (
    <Card className="space-y-4 p-5">
      <div>
        <h3 className="font-semibold text-slate-900">Share</h3>
        <p className="text-sm text-slate-500">
          Published version {form.publishedVersion}. Changes you save stay in draft until you
          publish again.
        </p>
      </div>
      <div className="space-y-1.5">
        <p className="text-sm font-medium text-slate-700">Hosted link</p>
        <div className="flex flex-wrap items-center gap-2">
          <code
            className="min-w-0 flex-1 break-all rounded-md bg-slate-100 px-2 py-1.5 text-xs"
            data-testid="hosted-link"
          >
            {link}
          </code>
          <CopyButton text={link} />
          <a
            href={link}
            target="_blank"
            rel="noopener"
            className="inline-flex h-8 items-center gap-1.5 rounded-lg border border-slate-300 px-3 text-sm font-medium hover:bg-slate-50"
          >
            <ExternalIcon size={14} /> Open
          </a>
        </div>
      </div>
      {form.embedSnippet ? (
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-slate-700">Embed on your site</p>
          <pre
            role="region"
            aria-label="Embed code"
            tabIndex={0}
            className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100"
            data-testid="embed-snippet"
          >
            <code>{form.embedSnippet}</code>
          </pre>
          <div className="flex items-center justify-between gap-2">
            <p className="text-xs text-slate-500">
              Add your site’s address to “Allowed websites” so its submissions are accepted.
            </p>
            <CopyButton text={form.embedSnippet} label="Copy snippet" />
          </div>
        </div>
      ) : null}
    </Card>
  );
}

export function FormBuilder({
  formId,
  onCreated,
  onBack,
}: {
  formId: string | null;
  onCreated: (id: string) => void;
  onBack: () => void;
}) {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const existing = useQuery({ ...formQuery(formId ?? ''), enabled: Boolean(formId) });
  const branding = useQuery(brandingQuery());
  const [def, setDef] = useState<FormDefinition | null>(formId ? null : starterForm);
  const [origins, setOrigins] = useState('');
  const [dirty, setDirty] = useState(false);
  const [newType, setNewType] = useState<FieldType>('text');
  const [previewValues, setPreviewValues] = useState<Values>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  // Stable ids for the field editors (keys change as labels are typed; positions as fields move).
  const [uids, setUids] = useState<string[]>(() =>
    formId ? [] : starterForm.fields.map((_, i) => `f${i}`),
  );
  const [fresh, setFresh] = useState<Set<string>>(new Set());

  useEffect(() => {
    if (existing.data && !dirty) {
      const d = definitionOf(existing.data);
      setDef(d);
      setUids(d.fields.map((_, i) => `f${i}`));
      setOrigins(d.allowedOrigins.join('\n'));
    }
  }, [existing.data, dirty]);

  useEffect(() => {
    if (def) setPreviewValues((v) => ({ ...initialValues(def.fields), ...v }));
  }, [def]);

  const errors = useMemo(
    () => ({ ...(def ? localErrors(def) : {}), ...serverErrors }),
    [def, serverErrors],
  );

  const save = useMutation({
    mutationFn: (body: FormDefinition): Promise<FormView> => saveForm(formId, body),
    onSuccess: (form) => {
      setDirty(false);
      setServerErrors({});
      queryClient.setQueryData(formQuery(form.id).queryKey, form);
      void queryClient.invalidateQueries({ queryKey: ['forms'] });
      if (!formId) onCreated(form.id);
    },
    onError: (err) => {
      if (err instanceof ApiError) setServerErrors(err.fields);
    },
  });
  const publish = useMutation({
    mutationFn: async () => {
      let id = formId;
      if ((!id || dirty) && def) {
        const saved = await saveForm(id, def);
        id = saved.id;
        setDirty(false);
      }
      if (!id) throw new Error('Nothing to publish yet.');
      const result = await api.call('forms.publish', { params: { id } });
      return { id, result };
    },
    onSuccess: async ({ id }) => {
      setServerErrors({});
      await queryClient.invalidateQueries({ queryKey: ['form', id] });
      void queryClient.invalidateQueries({ queryKey: ['forms'] });
      if (!formId) onCreated(id);
    },
    onError: (err) => {
      if (err instanceof ApiError) setServerErrors(err.fields);
    },
  });

  if (formId && existing.isLoading) return <LoadingState label="Loading the form…" />;
  if (formId && existing.error)
    return (
      <ErrorState error={existing.error} onRetry={() => void existing.refetch()} what="Form" />
    );
  if (!def) return <LoadingState />;

  const update = (patch: Partial<FormDefinition>) => {
    setDef({ ...def, ...patch });
    setDirty(true);
  };
  const setField = (i: number, f: FormField) =>
    update({ fields: def.fields.map((x, j) => (j === i ? f : x)) });
  const form = existing.data;
  const status = form?.status ?? 'draft';
  const hasLocalErrors = Object.keys(localErrors(def)).length > 0;

  function addField() {
    const label = fieldTypes.find((t) => t.value === newType)?.label ?? 'Field';
    const key = keyFromLabel(
      label,
      def!.fields.map((f) => f.key),
    );
    const field: FormField = {
      key,
      type: newType,
      label,
      required: false,
      ...(newType === 'select' || newType === 'multi-select'
        ? {
            options: [
              { value: 'option_1', label: 'Option 1' },
              { value: 'option_2', label: 'Option 2' },
            ],
          }
        : {}),
    };
    const uid = `n${Date.now()}`;
    update({ fields: [...def!.fields, field] });
    setUids((u) => [...u, uid]);
    setFresh((f) => new Set(f).add(uid));
  }

  return (
    <div className="min-h-full">
      <header className="sticky top-0 z-10 flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-3 md:px-6">
        <button
          type="button"
          onClick={onBack}
          className="rounded-lg p-1.5 text-slate-600 hover:bg-slate-100"
          aria-label="Back to forms"
        >
          <ChevronLeftIcon />
        </button>
        <label className="min-w-48 flex-1">
          <span className="sr-only">Form name</span>
          <Input
            value={def.name}
            disabled={!canEdit}
            onChange={(e) => update({ name: e.target.value })}
            className="h-10 text-base font-semibold"
            aria-invalid={Boolean(errors.name)}
          />
        </label>
        <Badge tone={status === 'published' ? 'green' : status === 'archived' ? 'red' : 'slate'}>
          {status === 'published'
            ? `Published v${form?.publishedVersion}`
            : status === 'archived'
              ? 'Archived'
              : 'Draft'}
        </Badge>
        {dirty ? (
          <span className="text-xs text-amber-700">Unsaved changes</span>
        ) : form ? (
          <span className="text-xs text-slate-500">Saved {fullDate(form.updatedAt)}</span>
        ) : null}
        {canEdit ? (
          <div className="flex gap-2">
            <Button
              onClick={() => save.mutate(def)}
              busy={save.isPending && !publish.isPending}
              disabled={hasLocalErrors || (!dirty && Boolean(formId))}
            >
              Save draft
            </Button>
            <Button
              variant="primary"
              onClick={() => publish.mutate()}
              busy={publish.isPending}
              disabled={hasLocalErrors}
            >
              Publish
            </Button>
          </div>
        ) : null}
      </header>
      <div className="grid gap-6 p-4 md:p-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,28rem)]">
        <div className="space-y-6">
          {save.error && !Object.keys(serverErrors).length ? (
            <InlineError error={save.error} />
          ) : null}
          {publish.error ? <InlineError error={publish.error} /> : null}
          {publish.isSuccess ? (
            <p role="status" className="rounded-lg bg-emerald-50 p-3 text-sm text-emerald-800">
              Published. The hosted link and the embed now serve this version.
            </p>
          ) : null}
          {errors.fields || errors['(body)'] ? (
            <InlineError error={errors.fields ?? errors['(body)']} />
          ) : null}
          {form?.publishedVersion ? <ShareCard form={form} /> : null}
          <Card className="p-5">
            <div className="mb-3 flex items-center justify-between">
              <h3 className="font-semibold text-slate-900">Fields</h3>
              <span className="text-xs text-slate-500">{def.fields.length} of 50</span>
            </div>
            <ol className="space-y-2">
              {def.fields.map((f, i) => (
                <FieldEditor
                  key={uids[i] ?? `f${i}`}
                  field={f}
                  index={i}
                  count={def.fields.length}
                  errors={errors}
                  disabled={!canEdit}
                  defaultOpen={fresh.has(uids[i] ?? '')}
                  takenKeys={def.fields.filter((_, j) => j !== i).map((x) => x.key)}
                  onChange={(next) => setField(i, next)}
                  onRemove={() => {
                    update({ fields: def.fields.filter((_, j) => j !== i) });
                    setUids((u) => u.filter((_, j) => j !== i));
                  }}
                  onMove={(d) => {
                    const move = <T,>(list: T[]) => {
                      const next = [...list];
                      const [moved] = next.splice(i, 1);
                      next.splice(i + d, 0, moved!);
                      return next;
                    };
                    update({ fields: move(def.fields) });
                    setUids((u) => move(u));
                  }}
                />
              ))}
            </ol>
            {canEdit ? (
              <div className="mt-3 flex flex-wrap items-center gap-2">
                <label>
                  <span className="sr-only">Type of the new field</span>
                  <Select
                    className="h-9 w-48"
                    value={newType}
                    onChange={(e) => setNewType(e.target.value as FieldType)}
                  >
                    {fieldTypes.map((t) => (
                      <option key={t.value} value={t.value}>
                        {t.label}
                      </option>
                    ))}
                  </Select>
                </label>
                <Button size="sm" onClick={addField} disabled={def.fields.length >= 50}>
                  <PlusIcon size={14} /> Add field
                </Button>
              </div>
            ) : null}
          </Card>
          {/* Kept in view while a follow-up is set, so one left without its box can be removed. */}
          {hasWhatsappOptIn(def) || def.whatsappHandoff ? (
            <WhatsappFollowUp
              def={def}
              errors={errors}
              disabled={!canEdit}
              onChange={(whatsappHandoff) => update({ whatsappHandoff })}
            />
          ) : null}
          <Card className="grid gap-4 p-5 sm:grid-cols-2">
            <h3 className="font-semibold text-slate-900 sm:col-span-2">After sending</h3>
            <Field label="Button text" error={errors.submitLabel}>
              {({ id }) => (
                <Input
                  id={id}
                  value={def.submitLabel ?? ''}
                  disabled={!canEdit}
                  maxLength={60}
                  onChange={(e) => update({ submitLabel: e.target.value || undefined })}
                />
              )}
            </Field>
            <Field
              label="Default country code"
              hint="For numbers typed without one, e.g. 55."
              error={errors.defaultCountryCode}
            >
              {({ id, describedBy }) => (
                <Input
                  id={id}
                  inputMode="numeric"
                  value={def.defaultCountryCode ?? ''}
                  disabled={!canEdit}
                  aria-describedby={describedBy}
                  onChange={(e) =>
                    update({ defaultCountryCode: e.target.value.replace(/\D/g, '') || undefined })
                  }
                />
              )}
            </Field>
            <Field
              label="Thank-you message"
              error={errors.successMessage}
              className="sm:col-span-2"
            >
              {({ id }) => (
                <Textarea
                  id={id}
                  rows={2}
                  value={def.successMessage ?? ''}
                  disabled={!canEdit}
                  maxLength={500}
                  onChange={(e) => update({ successMessage: e.target.value || undefined })}
                />
              )}
            </Field>
            <Field
              label="Or redirect to"
              hint="An https:// page on your site."
              error={errors.redirectUrl}
              className="sm:col-span-2"
            >
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  type="url"
                  placeholder="https://example.com/thanks"
                  value={def.redirectUrl ?? ''}
                  disabled={!canEdit}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => update({ redirectUrl: e.target.value || undefined })}
                />
              )}
            </Field>
            <Field
              label="Allowed websites"
              hint="One origin per line (https://www.example.com). The embed only accepts submissions from these; the hosted link always works."
              error={Object.entries(errors).find(([k]) => k.startsWith('allowedOrigins'))?.[1]}
              className="sm:col-span-2"
            >
              {({ id, describedBy, invalid }) => (
                <Textarea
                  id={id}
                  rows={3}
                  className="font-mono text-xs"
                  value={origins}
                  disabled={!canEdit}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => {
                    setOrigins(e.target.value);
                    update({
                      allowedOrigins: e.target.value
                        .split(/\s+/)
                        .map((o) => o.trim().replace(/\/$/, ''))
                        .filter(Boolean),
                    });
                  }}
                />
              )}
            </Field>
          </Card>
        </div>
        <div className="space-y-2 xl:sticky xl:top-20 xl:self-start">
          <p className="text-sm font-medium text-slate-700">Live preview</p>
          <div
            className="rounded-2xl bg-page p-4 text-page-ink ring-1 ring-slate-200"
            data-testid="form-preview"
          >
            <div className="rounded-xl bg-white/80 p-5 text-slate-900 shadow-sm ring-1 ring-black/5">
              {branding.data?.logoUrl ? (
                <img src={branding.data.logoUrl} alt="" className="mb-3 h-8 object-contain" />
              ) : null}
              {branding.data?.displayName ? (
                <p className="text-sm font-medium text-brand-strong">{branding.data.displayName}</p>
              ) : null}
              <p className="mb-4 text-xl font-semibold">{def.name || 'Untitled form'}</p>
              <FormRenderer
                form={def}
                values={previewValues}
                errors={{}}
                preview
                onChange={(key: string, value: FieldValue) =>
                  setPreviewValues((v) => ({ ...v, [key]: value }))
                }
              />
            </div>
          </div>
          {form ? (
            <p className="text-xs text-slate-500">
              Leads from this form:{' '}
              <Link
                className="font-medium text-brand-strong hover:underline"
                href={`/app/leads/?view=table&form=${encodeURIComponent(form.id)}`}
              >
                open in Leads
              </Link>
            </p>
          ) : null}
        </div>
      </div>
    </div>
  );
}
