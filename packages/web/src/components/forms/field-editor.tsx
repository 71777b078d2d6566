'use client';

import type { FieldType, FormField } from '@switchboard/contracts';
import { useId, useState } from 'react';
import { ChevronDownIcon, TrashIcon } from '../icons';
import { Button, cx, Field, Input, Select } from '../ui';

export const fieldTypes: { value: FieldType; label: string }[] = [
  { value: 'text', label: 'Short text' },
  { value: 'email', label: 'E-mail' },
  { value: 'phone', label: 'Phone' },
  { value: 'textarea', label: 'Long text' },
  { value: 'number', label: 'Number' },
  { value: 'select', label: 'Dropdown' },
  { value: 'multi-select', label: 'Multiple choice' },
  { value: 'checkbox', label: 'Checkbox' },
  { value: 'date', label: 'Date' },
  { value: 'hidden', label: 'Hidden (tracking)' },
];

/** A field key from its label: `Your company?` → `your_company`. */
export function keyFromLabel(label: string, taken: string[]): string {
  const base =
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .replace(/^[^a-z]+/, '')
      .slice(0, 36) || 'field';
  let key = base;
  for (let n = 2; taken.includes(key); n++) key = `${base}_${n}`;
  return key;
}

function optionsText(field: FormField): string {
  return (field.options ?? []).map((o) => o.label).join('\n');
}

function parseOptions(text: string): FormField['options'] {
  const labels = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return labels.map((label) => {
    let value = keyFromLabel(label, []).slice(0, 100) || 'option';
    for (let n = 2; seen.has(value); n++) value = `${value}_${n}`;
    seen.add(value);
    return { value, label };
  });
}

export function FieldEditor({
  field,
  index,
  count,
  errors,
  onChange,
  onMove,
  onRemove,
  disabled,
  defaultOpen,
  takenKeys,
}: {
  field: FormField;
  index: number;
  count: number;
  errors: Record<string, string>;
  onChange: (next: FormField) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  disabled?: boolean;
  /** A field added in this session: its key follows its label until the key is edited by hand. */
  defaultOpen?: boolean;
  takenKeys: string[];
}) {
  const [open, setOpen] = useState(Boolean(defaultOpen));
  const [autoKey, setAutoKey] = useState(Boolean(defaultOpen));
  const optInHint = useId();
  const [options, setOptions] = useState(optionsText(field));
  const err = (name: string) => errors[`fields.${index}.${name}`];
  const hasError = Object.keys(errors).some(
    (k) => k.startsWith(`fields.${index}.`) || k === `fields.${index}`,
  );
  const set = (patch: Partial<FormField>) => onChange({ ...field, ...patch });
  const typeLabel = fieldTypes.find((t) => t.value === field.type)?.label ?? field.type;

  function setType(type: FieldType) {
    const next: FormField = { ...field, type };
    if (type === 'select' || type === 'multi-select') {
      next.options = field.options ?? [
        { value: 'option_1', label: 'Option 1' },
        { value: 'option_2', label: 'Option 2' },
      ];
      setOptions(optionsText(next));
    } else delete next.options;
    if (type !== 'checkbox') {
      delete next.consent;
      delete next.consentChannel;
    }
    if (type !== 'hidden') {
      delete next.queryParam;
      delete next.defaultValue;
    }
    onChange(next);
  }

  return (
    <li
      className={cx(
        'rounded-xl border bg-white shadow-sm',
        hasError ? 'border-red-300' : 'border-slate-200',
      )}
    >
      <div className="flex items-center gap-2 px-3 py-2">
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          className="flex min-w-0 flex-1 items-center gap-2 rounded-md py-1 text-left"
        >
          <ChevronDownIcon
            size={16}
            className={cx('shrink-0 text-slate-400 transition-transform', !open && '-rotate-90')}
          />
          <span className="min-w-0 flex-1">
            <span className="block truncate text-sm font-medium text-slate-900">
              {field.label || 'Untitled field'}
              {field.required ? <span className="text-red-600"> *</span> : null}
            </span>
            <span className="block truncate text-xs text-slate-500">
              {typeLabel} · <code>{field.key}</code>
            </span>
          </span>
        </button>
        <div className="flex shrink-0 items-center gap-0.5">
          <Button
            size="sm"
            variant="ghost"
            className="px-2"
            disabled={disabled || index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move ${field.label} up`}
          >
            ↑
          </Button>
          <Button
            size="sm"
            variant="ghost"
            className="px-2"
            disabled={disabled || index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move ${field.label} down`}
          >
            ↓
          </Button>
          <Button
            size="sm"
            variant="ghost"
            className="px-2 text-red-600"
            disabled={disabled || count === 1}
            onClick={onRemove}
            aria-label={`Remove ${field.label}`}
          >
            <TrashIcon size={16} />
          </Button>
        </div>
      </div>
      {open ? (
        <div className="grid gap-3 border-t border-slate-100 p-3 sm:grid-cols-2">
          <Field label="Label" error={err('label')} className="sm:col-span-2">
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                value={field.label}
                disabled={disabled}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) =>
                  set({
                    label: e.target.value,
                    ...(autoKey ? { key: keyFromLabel(e.target.value, takenKeys) } : {}),
                  })
                }
              />
            )}
          </Field>
          <Field label="Type">
            {({ id }) => (
              <Select
                id={id}
                value={field.type}
                disabled={disabled}
                onChange={(e) => setType(e.target.value as FieldType)}
              >
                {fieldTypes.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Key" hint="Column name in exports and the CRM." error={err('key')}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                className="font-mono"
                value={field.key}
                disabled={disabled}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => {
                  setAutoKey(false);
                  set({
                    key: e.target.value
                      .toLowerCase()
                      .replace(/[^a-z0-9_]/g, '_')
                      .slice(0, 40),
                  });
                }}
              />
            )}
          </Field>
          {field.type !== 'hidden' ? (
            <>
              {field.type !== 'checkbox' && field.type !== 'multi-select' ? (
                <Field label="Placeholder">
                  {({ id }) => (
                    <Input
                      id={id}
                      value={field.placeholder ?? ''}
                      disabled={disabled}
                      onChange={(e) => set({ placeholder: e.target.value || undefined })}
                    />
                  )}
                </Field>
              ) : null}
              <Field label="Help text">
                {({ id }) => (
                  <Input
                    id={id}
                    value={field.helpText ?? ''}
                    disabled={disabled}
                    onChange={(e) => set({ helpText: e.target.value || undefined })}
                  />
                )}
              </Field>
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input
                  type="checkbox"
                  className="size-4 accent-[var(--sb-brand)]"
                  checked={field.required}
                  disabled={disabled}
                  onChange={(e) => set({ required: e.target.checked })}
                />
                Required
              </label>
              {field.type === 'checkbox' ? (
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input
                    type="checkbox"
                    className="size-4 accent-[var(--sb-brand)]"
                    checked={Boolean(field.consent)}
                    disabled={disabled}
                    onChange={(e) =>
                      // An opt-in only makes sense on a consent box: it goes with it.
                      set(
                        e.target.checked
                          ? { consent: true }
                          : { consent: undefined, consentChannel: undefined },
                      )
                    }
                  />
                  Consent (terms, marketing)
                </label>
              ) : null}
              {field.type === 'checkbox' && field.consent ? (
                <div className="space-y-1">
                  <label className="flex items-center gap-2 text-sm text-slate-700">
                    <input
                      type="checkbox"
                      className="size-4 accent-[var(--sb-brand)]"
                      checked={field.consentChannel === 'whatsapp'}
                      disabled={disabled}
                      aria-describedby={optInHint}
                      onChange={(e) =>
                        set({ consentChannel: e.target.checked ? 'whatsapp' : undefined })
                      }
                    />
                    WhatsApp marketing opt-in
                  </label>
                  <p id={optInHint} className="pl-6 text-xs text-slate-500">
                    Ticked, it opts the phone number in to WhatsApp messages, with this label kept
                    as the evidence. People may leave it unticked unless it is required.
                  </p>
                  {err('consentChannel') ? (
                    <p className="pl-6 text-sm text-red-700">{err('consentChannel')}</p>
                  ) : null}
                </div>
              ) : null}
              {field.type === 'text' ? (
                <Field label="Fills the lead’s">
                  {({ id }) => (
                    <Select
                      id={id}
                      value={field.role ?? ''}
                      disabled={disabled}
                      onChange={(e) =>
                        set({ role: (e.target.value || undefined) as FormField['role'] })
                      }
                    >
                      <option value="">Nothing (custom field)</option>
                      <option value="name">Full name</option>
                      <option value="firstName">First name</option>
                      <option value="lastName">Last name</option>
                      <option value="company">Company</option>
                    </Select>
                  )}
                </Field>
              ) : null}
            </>
          ) : (
            <>
              <Field
                label="From URL parameter"
                hint="e.g. utm_source, gclid"
                error={err('queryParam')}
              >
                {({ id, describedBy }) => (
                  <Input
                    id={id}
                    className="font-mono"
                    value={field.queryParam ?? ''}
                    disabled={disabled}
                    aria-describedby={describedBy}
                    onChange={(e) => set({ queryParam: e.target.value || undefined })}
                  />
                )}
              </Field>
              <Field label="Default value">
                {({ id }) => (
                  <Input
                    id={id}
                    value={field.defaultValue ?? ''}
                    disabled={disabled}
                    onChange={(e) => set({ defaultValue: e.target.value || undefined })}
                  />
                )}
              </Field>
            </>
          )}
          {field.type === 'select' || field.type === 'multi-select' ? (
            <Field
              label="Options"
              hint="One per line."
              error={err('options')}
              className="sm:col-span-2"
            >
              {({ id, describedBy, invalid }) => (
                <textarea
                  id={id}
                  rows={4}
                  value={options}
                  disabled={disabled}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => {
                    setOptions(e.target.value);
                    const parsed = parseOptions(e.target.value);
                    set({ options: parsed && parsed.length ? parsed : undefined });
                  }}
                  className="w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand focus:outline-2 focus:outline-brand/30"
                />
              )}
            </Field>
          ) : null}
          {err('') || errors[`fields.${index}`] ? (
            <p className="text-sm text-red-700 sm:col-span-2">
              {err('') ?? errors[`fields.${index}`]}
            </p>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
