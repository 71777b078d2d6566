'use client';

import { contactLimits } from '@switchboard/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { invalidateContacts, type ContactDto } from '@/lib/contact-queries';
import { PlusIcon } from '../icons';
import { Button, Field, InlineError, Input } from '../ui';

// The contact form: create a contact, or edit one (only what changed is sent; an emptied field
// is cleared). Custom attributes are key/value rows, tags a comma-separated list.

type Row = { key: string; value: string };

type Draft = {
  name: string;
  email: string;
  phone: string;
  company: string;
  tags: string;
  attributes: Row[];
};

function draftOf(contact?: ContactDto): Draft {
  return {
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    company: contact?.company ?? '',
    tags: (contact?.tags ?? []).join(', '),
    attributes: Object.entries(contact?.attributes ?? {}).map(([key, value]) => ({
      key,
      value: String(value),
    })),
  };
}

/** A typed value back from the text box: numbers and true/false keep their kind. */
function valueOf(text: string): string | number | boolean {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t) && t.length < 16) return Number(t);
  return t;
}

function bodyOf(draft: Draft) {
  const tags = draft.tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const attributes = Object.fromEntries(
    draft.attributes.filter((r) => r.key.trim()).map((r) => [r.key.trim(), valueOf(r.value)]),
  );
  return {
    name: draft.name.trim(),
    email: draft.email.trim(),
    phone: draft.phone.trim(),
    company: draft.company.trim(),
    tags,
    attributes,
  };
}

export function ContactForm({
  contact,
  onSaved,
  onCancel,
}: {
  /** Absent: a new contact. */
  contact?: ContactDto;
  onSaved: (contact: ContactDto) => void;
  onCancel?: () => void;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(contact));
  const save = useMutation({
    mutationFn: async (d: Draft) => {
      const next = bodyOf(d);
      if (!contact) {
        return api.call('customers.create', {
          body: {
            name: next.name || undefined,
            email: next.email || undefined,
            phone: next.phone || undefined,
            company: next.company || undefined,
            tags: next.tags.length ? next.tags : undefined,
            attributes: Object.keys(next.attributes).length ? next.attributes : undefined,
          },
        });
      }
      const before = bodyOf(draftOf(contact));
      const body: Record<string, unknown> = {};
      for (const field of ['name', 'email', 'phone', 'company'] as const) {
        if (next[field] !== before[field]) body[field] = next[field] || null;
      }
      if (next.tags.join('\n') !== before.tags.join('\n')) body.tags = next.tags;
      if (JSON.stringify(next.attributes) !== JSON.stringify(before.attributes)) {
        body.attributes = next.attributes;
      }
      if (Object.keys(body).length === 0) return contact;
      return api.call('customers.update', { params: { id: contact.id }, body });
    },
    onSuccess: (saved) => {
      invalidateContacts(queryClient, saved.id);
      onSaved(saved);
    },
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setRow = (i: number, patch: Partial<Row>) =>
    set({ attributes: draft.attributes.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(draft);
  }

  const text = (
    field: 'name' | 'email' | 'phone' | 'company',
    label: string,
    props: { type?: string; placeholder?: string; autoComplete?: string; hint?: string } = {},
  ) => (
    <Field label={label} error={fields[field]} hint={props.hint}>
      {({ id: inputId, describedBy, invalid }) => (
        <Input
          id={inputId}
          type={props.type ?? 'text'}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          autoComplete={props.autoComplete ?? 'off'}
          placeholder={props.placeholder}
          value={draft[field]}
          onChange={(e) => set({ [field]: e.target.value })}
        />
      )}
    </Field>
  );

  return (
    <form
      onSubmit={submit}
      className="space-y-4"
      aria-label={contact ? 'Edit contact' : 'New contact'}
    >
      {text('name', 'Name', { placeholder: 'e.g. Ana Souza' })}
      <div className="grid gap-4 sm:grid-cols-2">
        {text('phone', 'Phone', {
          type: 'tel',
          placeholder: '+1 650 253 0000',
          hint: 'Any format; read in your workspace’s country.',
        })}
        {text('email', 'E-mail', { type: 'email', placeholder: 'ana@example.com' })}
      </div>
      {text('company', 'Company')}
      <Field label="Tags" error={fields.tags} hint="Separate tags with commas.">
        {({ id: inputId, describedBy, invalid }) => (
          <Input
            id={inputId}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            placeholder="vip, wholesale"
            value={draft.tags}
            onChange={(e) => set({ tags: e.target.value })}
          />
        )}
      </Field>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">Attributes</legend>
        {draft.attributes.map((row, i) => (
          <div key={i} className="flex items-center gap-2">
            <Input
              aria-label={`Attribute ${i + 1} name`}
              placeholder="plan"
              value={row.key}
              maxLength={contactLimits.attributeKey}
              onChange={(e) => setRow(i, { key: e.target.value })}
              className="w-36"
            />
            <Input
              aria-label={`Attribute ${i + 1} value`}
              placeholder="pro"
              value={row.value}
              maxLength={contactLimits.attributeText}
              onChange={(e) => setRow(i, { value: e.target.value })}
              className="flex-1"
            />
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Remove attribute ${row.key || i + 1}`}
              onClick={() => set({ attributes: draft.attributes.filter((_, j) => j !== i) })}
            >
              Remove
            </Button>
          </div>
        ))}
        {fields.attributes ? <p className="text-sm text-red-700">{fields.attributes}</p> : null}
        {draft.attributes.length < contactLimits.attributes ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => set({ attributes: [...draft.attributes, { key: '', value: '' }] })}
          >
            <PlusIcon size={14} /> Add attribute
          </Button>
        ) : null}
      </fieldset>
      {save.error && Object.keys(fields).length === 0 ? <InlineError error={save.error} /> : null}
      <div className="flex justify-end gap-2">
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button variant="primary" type="submit" busy={save.isPending}>
          {contact ? 'Save contact' : 'Create contact'}
        </Button>
      </div>
    </form>
  );
}
