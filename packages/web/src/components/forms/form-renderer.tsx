'use client';

import type { FormField } from '@switchboard/contracts';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { useId, useRef, useState, type FormEvent } from 'react';
import { cx } from '../ui';
import { mustFill } from './field-rules';

// The lead form as a visitor sees it, used by the hosted page and the builder's live preview.
// Accessible by construction: every control has a <label>, hints and errors are tied with
// aria-describedby, invalid controls say so, and an error summary (role="alert") is read out
// and focused when a submit fails.

export type FieldValue = string | boolean | string[];
export type Values = Record<string, FieldValue>;

export type RenderableForm = {
  name: string;
  fields: FormField[];
  submitLabel?: string;
  defaultCountryCode?: string;
};

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Where a number typed without "+" is read: the form's calling code, else the workspace's
 * default country (ISO 3166 alpha-2), as the server does (leads/phone.ts).
 */
export type PhoneDefaults = { defaultCountryCode?: string; defaultCountry?: string };

/** A pre-check with libphonenumber's small metadata (lengths per country); the server checks more. */
function isPossiblePhone(value: string, defaults: PhoneDefaults): boolean {
  const text = value.trim().replace(/^00(?=[1-9])/, '+');
  const parsed = parsePhoneNumberFromString(
    text,
    defaults.defaultCountryCode
      ? { defaultCallingCode: defaults.defaultCountryCode }
      : defaults.defaultCountry
        ? { defaultCountry: defaults.defaultCountry as CountryCode }
        : undefined,
  );
  return parsed?.isValid() ?? false;
}

export function initialValues(fields: FormField[], search?: URLSearchParams): Values {
  const values: Values = {};
  for (const f of fields) {
    if (f.type === 'checkbox') values[f.key] = false;
    else if (f.type === 'multi-select') values[f.key] = [];
    else if (f.type === 'hidden')
      values[f.key] = (f.queryParam && search?.get(f.queryParam)) || f.defaultValue || '';
    else values[f.key] = '';
  }
  return values;
}

/** Browser-side checks that mirror the server's (the server has the last word). */
export function validate(
  fields: FormField[],
  values: Values,
  phone: PhoneDefaults = {},
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (f.type === 'hidden') continue;
    const v = values[f.key];
    const empty =
      v === undefined || v === '' || v === false || (Array.isArray(v) && v.length === 0);
    if (empty) {
      if (mustFill(f))
        errors[f.key] = f.consent ? 'Please tick this box to continue.' : 'This field is required.';
      continue;
    }
    if (typeof v === 'string') {
      const rules = f.validation ?? {};
      if (f.type === 'email' && !emailPattern.test(v.trim()))
        errors[f.key] = 'Enter an e-mail address like name@example.com.';
      else if (f.type === 'phone' && !isPossiblePhone(v, phone))
        errors[f.key] =
          phone.defaultCountryCode || phone.defaultCountry
            ? 'Enter a phone number that exists, with its area code.'
            : 'Enter a phone number with its country code, like +1 650 555 1234.';
      else if (f.type === 'number' && Number.isNaN(Number(v))) errors[f.key] = 'Enter a number.';
      else if (rules.minLength !== undefined && v.length < rules.minLength)
        errors[f.key] = `Use at least ${rules.minLength} characters.`;
      else if (rules.maxLength !== undefined && v.length > rules.maxLength)
        errors[f.key] = `Use at most ${rules.maxLength} characters.`;
      else if (f.type === 'number' && rules.min !== undefined && Number(v) < rules.min)
        errors[f.key] = `Enter ${rules.min} or more.`;
      else if (f.type === 'number' && rules.max !== undefined && Number(v) > rules.max)
        errors[f.key] = `Enter ${rules.max} or less.`;
      else if (rules.pattern && v.length <= 1000) {
        try {
          // The `u` flag, as the server reads patterns (\p{L} is a letter, not "p{L}").
          if (!new RegExp(`^(?:${rules.pattern})$`, 'u').test(v))
            errors[f.key] = rules.patternMessage ?? 'This value is not in the expected format.';
        } catch {
          // A pattern this browser cannot compile: the server checks it.
        }
      }
    }
  }
  return errors;
}

/** What the API takes: trimmed strings, numbers as numbers, untouched optional fields left out. */
export function toSubmission(fields: FormField[], values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.key];
    if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
    if (f.type === 'checkbox') {
      if (v === true || mustFill(f)) out[f.key] = v === true;
      continue;
    }
    out[f.key] = typeof v === 'string' ? (f.type === 'number' ? Number(v) : v.trim()) : v;
  }
  return out;
}

const inputClass =
  'w-full rounded-lg border border-black/20 bg-white px-3 text-base text-slate-900 shadow-sm placeholder:text-slate-400 ' +
  'focus:border-brand focus:outline-2 focus:outline-brand/40 aria-[invalid=true]:border-red-600';

function Control({
  field,
  id,
  value,
  describedBy,
  invalid,
  onChange,
  disabled,
}: {
  field: FormField;
  id: string;
  value: FieldValue;
  describedBy?: string;
  invalid: boolean;
  onChange: (v: FieldValue) => void;
  disabled?: boolean;
}) {
  const common = {
    id,
    name: field.key,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    'aria-required': field.required || undefined,
    disabled,
  };
  switch (field.type) {
    case 'textarea':
      return (
        <textarea
          {...common}
          rows={4}
          placeholder={field.placeholder}
          value={value as string}
          onChange={(e) => onChange(e.target.value)}
          className={cx(inputClass, 'py-2')}
        />
      );
    case 'select':
      return (
        <select
          {...common}
          value={value as string}
          onChange={(e) => onChange(e.target.value)}
          className={cx(inputClass, 'h-11')}
        >
          <option value="">{field.placeholder ?? 'Choose…'}</option>
          {field.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'multi-select':
      return (
        <div
          className="space-y-2"
          role="group"
          aria-labelledby={`${id}-label`}
          aria-describedby={describedBy}
        >
          {field.options?.map((o) => {
            const selected = (value as string[]).includes(o.value);
            return (
              <label key={o.value} className="flex items-center gap-3 text-base">
                <input
                  type="checkbox"
                  className="size-5 accent-[var(--sb-brand)]"
                  checked={selected}
                  disabled={disabled}
                  onChange={(e) =>
                    onChange(
                      e.target.checked
                        ? [...(value as string[]), o.value]
                        : (value as string[]).filter((v) => v !== o.value),
                    )
                  }
                />
                {o.label}
              </label>
            );
          })}
        </div>
      );
    case 'checkbox':
      return null;
    default: {
      const type =
        field.type === 'email'
          ? 'email'
          : field.type === 'phone'
            ? 'tel'
            : field.type === 'number'
              ? 'number'
              : field.type === 'date'
                ? 'date'
                : 'text';
      const autoComplete =
        field.type === 'email'
          ? 'email'
          : field.type === 'phone'
            ? 'tel'
            : field.role === 'name'
              ? 'name'
              : field.role === 'firstName'
                ? 'given-name'
                : field.role === 'lastName'
                  ? 'family-name'
                  : field.role === 'company'
                    ? 'organization'
                    : undefined;
      return (
        <input
          {...common}
          type={type}
          inputMode={
            field.type === 'phone'
              ? 'tel'
              : field.type === 'email'
                ? 'email'
                : field.type === 'number'
                  ? 'decimal'
                  : undefined
          }
          autoComplete={autoComplete}
          placeholder={field.placeholder}
          value={value as string}
          min={field.type === 'number' ? field.validation?.min : field.validation?.minDate}
          max={field.type === 'number' ? field.validation?.max : field.validation?.maxDate}
          maxLength={field.validation?.maxLength}
          onChange={(e) => onChange(e.target.value)}
          className={cx(inputClass, 'h-11')}
        />
      );
    }
  }
}

export function FormRenderer({
  form,
  values,
  onChange,
  errors,
  onSubmit,
  submitting,
  formError,
  preview,
}: {
  form: RenderableForm;
  values: Values;
  onChange: (key: string, value: FieldValue) => void;
  errors: Record<string, string>;
  /** Called with the honeypot's value: the server quietly drops what bots fill in. */
  onSubmit?: (honeypot: string) => void;
  submitting?: boolean;
  formError?: string | null;
  /** The builder's preview: inputs work, submitting does nothing. */
  preview?: boolean;
}) {
  const base = useId();
  const summary = useRef<HTMLDivElement>(null);
  const [honeypot, setHoneypot] = useState('');
  const visible = form.fields.filter((f) => f.type !== 'hidden');
  const errorKeys = visible.filter((f) => errors[f.key]).map((f) => f.key);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (preview || !onSubmit) return;
    onSubmit(honeypot);
    // Bring the reader to the summary when something is wrong (after React renders it).
    setTimeout(() => summary.current?.focus(), 0);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-5" aria-label={form.name}>
      {visible.some(mustFill) ? (
        <p className="text-sm opacity-70">
          Fields marked <span aria-hidden="true">*</span>
          <span className="sr-only">with an asterisk</span> are required.
        </p>
      ) : null}
      <div ref={summary} tabIndex={-1} aria-live="assertive" className="outline-none">
        {errorKeys.length > 0 || formError ? (
          <div
            role="alert"
            className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-800"
          >
            {formError ? <p className="font-medium">{formError}</p> : null}
            {errorKeys.length > 0 ? (
              <>
                <p className="font-medium">
                  Please fix{' '}
                  {errorKeys.length === 1 ? 'this field' : `these ${errorKeys.length} fields`}:
                </p>
                <ul className="mt-1 list-disc pl-5">
                  {errorKeys.map((key) => {
                    const f = visible.find((x) => x.key === key)!;
                    return (
                      <li key={key}>
                        <a href={`#${base}-${key}`} className="underline">
                          {f.label}
                        </a>
                        : {errors[key]}
                      </li>
                    );
                  })}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
      </div>
      {visible.map((f) => {
        const id = `${base}-${f.key}`;
        const hintId = f.helpText ? `${id}-hint` : undefined;
        const errorId = errors[f.key] ? `${id}-error` : undefined;
        const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
        const invalid = Boolean(errors[f.key]);
        if (f.type === 'checkbox') {
          return (
            <div key={f.key} className="space-y-1">
              <label htmlFor={id} className="flex items-start gap-3 text-base">
                <input
                  id={id}
                  type="checkbox"
                  name={f.key}
                  className="mt-0.5 size-5 shrink-0 accent-[var(--sb-brand)]"
                  checked={values[f.key] === true}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                  aria-required={mustFill(f) || undefined}
                  onChange={(e) => onChange(f.key, e.target.checked)}
                />
                <span>
                  {f.label}
                  {mustFill(f) ? <span aria-hidden="true"> *</span> : null}
                </span>
              </label>
              {f.helpText ? (
                <p id={hintId} className="pl-8 text-sm opacity-75">
                  {f.helpText}
                </p>
              ) : null}
              {errors[f.key] ? (
                <p id={errorId} className="pl-8 text-sm font-medium text-red-700">
                  {errors[f.key]}
                </p>
              ) : null}
            </div>
          );
        }
        return (
          <div key={f.key} className="space-y-1.5">
            <label id={`${id}-label`} htmlFor={id} className="block text-base font-medium">
              {f.label}
              {f.required ? (
                <span aria-hidden="true" className="text-red-700">
                  {' '}
                  *
                </span>
              ) : (
                <span className="text-sm font-normal opacity-70"> (optional)</span>
              )}
            </label>
            <Control
              field={f}
              id={id}
              value={values[f.key] ?? ''}
              describedBy={describedBy}
              invalid={invalid}
              onChange={(v) => onChange(f.key, v)}
            />
            {f.helpText ? (
              <p id={hintId} className="text-sm opacity-75">
                {f.helpText}
              </p>
            ) : null}
            {errors[f.key] ? (
              <p id={errorId} className="text-sm font-medium text-red-700">
                {errors[f.key]}
              </p>
            ) : null}
          </div>
        );
      })}
      {/* Honeypot: invisible to people and screen readers, tempting to bots. */}
      <div aria-hidden="true" className="absolute -left-[10000px] h-px w-px overflow-hidden">
        <label>
          Website
          <input
            tabIndex={-1}
            autoComplete="off"
            value={honeypot}
            onChange={(e) => setHoneypot(e.target.value)}
            name="website"
          />
        </label>
      </div>
      <button
        type="submit"
        disabled={submitting}
        aria-disabled={preview || undefined}
        className="inline-flex h-12 w-full items-center justify-center rounded-lg bg-brand px-6 text-base font-semibold text-brand-ink shadow-sm hover:bg-brand-strong focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand disabled:opacity-60 sm:w-auto"
      >
        {submitting ? 'Sending…' : (form.submitLabel ?? 'Send')}
      </button>
    </form>
  );
}
