'use client';

import type { CampaignContactField, CampaignParameter } from '@switchboard/contracts';
import { cx, Field, Input, Select } from '../ui';

// One row per body variable of the template: where its value comes from (a field of each
// contact, with a fallback for contacts without it, or the same text for everyone).

export type ParameterDraft = {
  source: 'field' | 'attribute' | 'text';
  field: CampaignContactField;
  attribute: string;
  fallback: string;
  text: string;
};

export const emptyParameter: ParameterDraft = {
  source: 'field',
  field: 'contact.first_name',
  attribute: '',
  fallback: '',
  text: '',
};

const fieldOptions: { value: CampaignContactField; label: string }[] = [
  { value: 'contact.first_name', label: 'First name' },
  { value: 'contact.name', label: 'Full name' },
  { value: 'contact.phone', label: 'Phone number' },
  { value: 'contact.email', label: 'E-mail' },
  { value: 'contact.company', label: 'Company' },
];

/** The draft as the contract's parameter; undefined while it cannot be sent as is. */
export function parameterOf(draft: ParameterDraft): CampaignParameter | undefined {
  const fallback = draft.fallback.trim() ? { fallback: draft.fallback.trim() } : {};
  if (draft.source === 'text') return draft.text.trim() ? { text: draft.text.trim() } : undefined;
  if (draft.source === 'attribute') {
    const key = draft.attribute.trim();
    return key ? { field: `contact.attributes.${key}`, ...fallback } : undefined;
  }
  return { field: draft.field, ...fallback };
}

/** A sample of what one contact could see, for the preview. */
export function sampleOf(draft: ParameterDraft): string {
  if (draft.source === 'text') return draft.text;
  const sample: Record<string, string> = {
    'contact.first_name': 'Ana',
    'contact.name': 'Ana Souza',
    'contact.phone': '+55 11 98765-4321',
    'contact.email': 'ana@example.com',
    'contact.company': 'Ateliê Lume',
  };
  return draft.source === 'attribute'
    ? `[${draft.attribute || 'attribute'}]`
    : (sample[draft.field] ?? '');
}

export function ParameterRow({
  variable,
  draft,
  onChange,
  error,
}: {
  variable: string;
  draft: ParameterDraft;
  onChange: (next: ParameterDraft) => void;
  error?: string;
}) {
  const set = (patch: Partial<ParameterDraft>) => onChange({ ...draft, ...patch });
  const sourceValue = draft.source === 'field' ? draft.field : draft.source;
  return (
    <fieldset
      className={cx(
        'grid gap-3 rounded-lg border p-3 sm:grid-cols-[13rem_1fr_1fr]',
        error ? 'border-red-400' : 'border-slate-200',
      )}
    >
      <legend className="px-1 text-sm font-medium text-slate-700">{`{{${variable}}}`}</legend>
      <Field label={`Value of {{${variable}}}`}>
        {({ id }) => (
          <Select
            id={id}
            value={sourceValue}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'text' || v === 'attribute') set({ source: v });
              else set({ source: 'field', field: v as CampaignContactField });
            }}
          >
            <optgroup label="Each contact’s">
              {fieldOptions.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
              <option value="attribute">Custom field…</option>
            </optgroup>
            <option value="text">The same text for everyone</option>
          </Select>
        )}
      </Field>
      {draft.source === 'text' ? (
        <Field label={`Text for {{${variable}}}`} className="sm:col-span-2" error={error}>
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              value={draft.text}
              maxLength={1024}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(e) => set({ text: e.target.value })}
            />
          )}
        </Field>
      ) : (
        <>
          {draft.source === 'attribute' ? (
            <Field
              label={`Custom field key for {{${variable}}}`}
              hint="As on the contact, e.g. city."
            >
              {({ id, describedBy }) => (
                <Input
                  id={id}
                  value={draft.attribute}
                  maxLength={64}
                  pattern="[\w.\-]{1,64}"
                  aria-describedby={describedBy}
                  onChange={(e) => set({ attribute: e.target.value })}
                />
              )}
            </Field>
          ) : (
            <div className="hidden sm:block" />
          )}
          <Field
            label={`Fallback for {{${variable}}}`}
            hint="For contacts without it. Left empty, those contacts are not sent the campaign."
            error={error}
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                value={draft.fallback}
                maxLength={1024}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => set({ fallback: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
    </fieldset>
  );
}
