import type { FormDefinition, FormField } from '@switchboard/contracts';
import { z, type ZodType } from 'zod';
import { normaliseEmail, toE164 } from './phone';
import {
  compileFormPatterns,
  MAX_PATTERN_INPUT,
  UnsafePatternError,
  type TenantPattern,
} from './safe-regex';

// The submission schema of a form, derived at runtime from the tenant's definition. Values are
// checked by type, normalised (NFC text, lower-case e-mail, E.164 phone, numbers, ISO dates) and
// kept as text: markup such as `<script>` is data here, escaped by whoever renders it. Every
// string is length-capped before a tenant's pattern ever sees it.
//
// What is kept of a submission is its validated values, never the client's object. Before any
// value is looked at, the submission's shape is checked (`shapeIssues`): a key that names the
// prototype machinery (`__proto__`, `constructor`, `prototype`), or a value nested deeper than any
// form can declare (a list of strings, for multi-select, is the deepest), is refused, declared or
// not. Keys the form does not declare holding plain values are dropped: landing pages post extra
// inputs (tracking ids, a CMS's own fields) that are no business of the lead.

export type FieldValue = string | number | boolean | string[];

export type LeadContact = { name?: string; email?: string; phone?: string; company?: string };

export type ValidSubmission = {
  /** Every field that has a value, by key. */
  values: Record<string, FieldValue>;
  /** What identifies and names the person (from the fields' roles). */
  contact: LeadContact;
  /** Values of the fields that are not contact attributes. */
  custom: Record<string, FieldValue>;
  /** Hidden fields read from utm_* query parameters. */
  utm: Record<string, string>;
  /** Consent checkboxes that were ticked, with the wording the person saw. */
  consents: { key: string; label: string }[];
};

/**
 * A refused submission: `shape` when its structure is wrong (a reserved key, a nested value: a
 * malformed request, answered 400), `values` when answers are missing or invalid (422).
 */
export type SubmissionCheck =
  | { ok: true; submission: ValidSubmission }
  | { ok: false; kind: 'shape' | 'values'; fields: Record<string, string> };

/** Keys no submission, custom field or form field may have. */
export const reservedKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const isScalar = (v: unknown) =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Keys and values no form can declare, by key: reserved keys, objects, lists holding anything but
 * scalars. Looks one level into lists and no further, so a deep value costs nothing to refuse.
 */
export function shapeIssues(raw: object): Record<string, string> {
  // Built with fromEntries: assigning to `issues.__proto__` would set a prototype, not a key.
  const issues: [string, string][] = [];
  for (const key of Object.keys(raw)) {
    const value: unknown = (raw as Record<string, unknown>)[key];
    if (reservedKeys.has(key)) {
      issues.push([key, 'Keys named __proto__, constructor or prototype are not accepted.']);
    } else if (
      value !== undefined &&
      !(Array.isArray(value) ? value.every(isScalar) : isScalar(value))
    ) {
      issues.push([
        key,
        'Values are text, numbers, true/false or lists of text; nested objects and lists are not accepted.',
      ]);
    }
  }
  return Object.fromEntries(issues);
}

const shapeFailure = (fields: Record<string, string>): SubmissionCheck => ({
  ok: false,
  kind: 'shape',
  fields,
});
const valuesFailure = (fields: Record<string, string>): SubmissionCheck => ({
  ok: false,
  kind: 'values',
  fields,
});

const DEFAULT_MAX = { text: 500, textarea: 5000, hidden: 500 } as const;
const HARD_MAX = 10_000;
const REQUIRED = 'This field is required.';

// C0/C1 controls (tab and newlines allowed where multi-line), bidi overrides, lone surrogates.
const controlChars =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const newline = /[\r\n]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

function cleanText(multiline: boolean) {
  return z
    .string({ error: 'Expected text.' })
    .max(HARD_MAX * 2, `Must be at most ${HARD_MAX} characters.`)
    .refine((s) => !loneSurrogate.test(s), 'Contains invalid characters.')
    .transform((s) => s.normalize('NFC').trim())
    .refine((s) => !controlChars.test(s), 'Contains control characters.')
    .refine((s) => multiline || !newline.test(s), 'Must be a single line.');
}

/** A field's pattern: compiled, or refused (a form saved before today's rules). */
type FieldPattern = TenantPattern | UnsafePatternError | undefined;

function textSchema(
  field: FormField,
  kind: 'text' | 'textarea' | 'hidden',
  pattern: FieldPattern,
): ZodType<string> {
  const v = field.validation ?? {};
  // A value a pattern must match is never longer than the patterns' input cap.
  const max = Math.min(
    v.maxLength ?? DEFAULT_MAX[kind],
    HARD_MAX,
    pattern ? MAX_PATTERN_INPUT : HARD_MAX,
  );
  const base = cleanText(kind === 'textarea')
    .refine((s) => s.length <= max, `Must be at most ${max} characters.`)
    .refine(
      (s) => v.minLength === undefined || s.length >= v.minLength,
      `Must be at least ${v.minLength} characters.`,
    );
  if (pattern instanceof UnsafePatternError) {
    // Fail closed: a pattern the server will not run accepts nothing until the form is fixed.
    return base.refine(
      () => false,
      'This field’s format rule cannot be checked any more; the form’s owner needs to update it.',
    );
  }
  return base.refine(
    (s) => !pattern || (s.length <= max && pattern.test(s)),
    v.patternMessage ?? 'Has an invalid format.',
  );
}

const emailSchema = z
  .string({ error: 'Expected an e-mail address.' })
  .max(254, 'Must be at most 254 characters.')
  .transform(normaliseEmail)
  .pipe(z.email('Enter a valid e-mail address.'));

/**
 * Where a national number (no "+") is read: the form's own calling code when it sets one, else
 * the tenant's default country (ISO 3166 alpha-2).
 */
export type PhoneDefaults = { defaultCountryCode?: string; defaultCountry?: string };

function phoneSchema(defaults: PhoneDefaults): ZodType<string> {
  return z
    .string({ error: 'Expected a phone number.' })
    .max(40, 'Must be at most 40 characters.')
    .transform((s, ctx) => {
      const result = defaults.defaultCountryCode
        ? toE164(s, undefined, defaults.defaultCountryCode)
        : toE164(s, defaults.defaultCountry);
      if (!result.ok) {
        ctx.addIssue({
          code: 'custom',
          message: 'Enter a phone number that exists, with its country code if it is from abroad.',
        });
        return z.NEVER;
      }
      return result.e164;
    });
}

function numberSchema(field: FormField): ZodType<number> {
  const v = field.validation ?? {};
  return z
    .union(
      [
        z.number(),
        z
          .string()
          .max(40)
          .regex(/^\s*-?\d+(\.\d+)?\s*$/, 'Expected a number.'),
      ],
      {
        error: 'Expected a number.',
      },
    )
    .transform((n) => (typeof n === 'number' ? n : Number(n)))
    .refine((n) => Number.isFinite(n), 'Expected a number.')
    .refine((n) => v.min === undefined || n >= v.min, `Must be at least ${v.min}.`)
    .refine((n) => v.max === undefined || n <= v.max, `Must be at most ${v.max}.`);
}

function dateSchema(field: FormField): ZodType<string> {
  const v = field.validation ?? {};
  return z
    .string({ error: 'Expected a date (YYYY-MM-DD).' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected a date (YYYY-MM-DD).')
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    }, 'Not a real date.')
    .refine((s) => !v.minDate || s >= v.minDate, `Must be on or after ${v.minDate}.`)
    .refine((s) => !v.maxDate || s <= v.maxDate, `Must be on or before ${v.maxDate}.`);
}

const truthy = new Set(['true', 'on', '1', 'yes']);
const falsy = new Set(['false', 'off', '0', 'no']);

function checkboxSchema(field: FormField): ZodType<boolean> {
  return z
    .union([z.boolean(), z.string().max(10)], { error: 'Expected true or false.' })
    .transform((b, ctx) => {
      if (typeof b === 'boolean') return b;
      const s = b.trim().toLowerCase();
      if (truthy.has(s)) return true;
      if (falsy.has(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'Expected true or false.' });
      return z.NEVER;
    })
    .refine((b) => b || !mustTick(field), field.consent ? 'Consent is required.' : REQUIRED);
}

/**
 * A consent box must be ticked (terms), except a channel opt-in (`consentChannel`): consent to
 * marketing is only consent when it can be refused, so that box is optional unless `required`.
 */
function mustTick(field: FormField): boolean {
  return field.required || (field.consent === true && !field.consentChannel);
}

function choiceSchema(field: FormField): ZodType<string> {
  const values = (field.options ?? []).map((o) => o.value);
  return z
    .string({ error: 'Expected one of the options.' })
    .refine((s) => values.includes(s), 'Choose one of the options.');
}

function multiChoiceSchema(field: FormField): ZodType<string[]> {
  const v = field.validation ?? {};
  const values = new Set((field.options ?? []).map((o) => o.value));
  return z
    .union([z.string(), z.array(z.string()).max(100, 'Too many choices.')], {
      error: 'Expected a list of options.',
    })
    .transform((x) => [...new Set(Array.isArray(x) ? x : [x])])
    .refine((xs) => xs.every((x) => values.has(x)), 'Choose among the options.')
    .refine(
      (xs) => v.minItems === undefined || xs.length >= v.minItems,
      `Choose at least ${v.minItems}.`,
    )
    .refine(
      (xs) => v.maxItems === undefined || xs.length <= v.maxItems,
      `Choose at most ${v.maxItems}.`,
    );
}

function valueSchema(
  field: FormField,
  form: PhoneDefaults,
  pattern: FieldPattern,
): ZodType<FieldValue> {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'hidden':
      return textSchema(field, field.type, pattern);
    case 'email':
      return emailSchema;
    case 'phone':
      return phoneSchema(form);
    case 'number':
      return numberSchema(field);
    case 'select':
      return choiceSchema(field);
    case 'multi-select':
      return multiChoiceSchema(field);
    case 'checkbox':
      return checkboxSchema(field);
    case 'date':
      return dateSchema(field);
  }
}

function fieldSchema(
  field: FormField,
  form: PhoneDefaults,
  pattern: FieldPattern,
): ZodType<FieldValue | undefined> {
  const inner = valueSchema(field, form, pattern);
  // A consent or required checkbox left unticked arrives as false (checkboxSchema refuses it) or
  // not at all (refused here).
  const mustHave = mustTick(field);
  return z.unknown().transform((raw, ctx): FieldValue | undefined => {
    if (isEmpty(raw)) {
      if (mustHave) {
        ctx.addIssue({
          code: 'custom',
          message: field.consent ? 'Consent is required.' : REQUIRED,
        });
        return z.NEVER;
      }
      return undefined;
    }
    const parsed = inner.safeParse(raw);
    if (!parsed.success) {
      ctx.addIssue({
        code: 'custom',
        message: parsed.error.issues[0]?.message ?? 'Invalid value.',
      });
      return z.NEVER;
    }
    return parsed.data;
  });
}

function roleOf(field: FormField): FormField['role'] {
  if (field.role) return field.role;
  if (field.type === 'email') return 'email';
  if (field.type === 'phone') return 'phone';
  if (field.key === 'name' || field.key === 'full_name') return 'name';
  if (field.key === 'first_name') return 'firstName';
  if (field.key === 'last_name') return 'lastName';
  if (field.key === 'company') return 'company';
  return undefined;
}

export type CompiledForm = { validate(raw: unknown): SubmissionCheck };

/**
 * Builds the submission schema of a form. Its patterns are compiled in RE2 here; one the server
 * refuses (see safe-regex.ts; forms.service.ts refuses it on save) makes its field accept nothing.
 */
export function compileForm(
  form: Pick<FormDefinition, 'fields' | 'defaultCountryCode'>,
  defaultCountry?: string,
): CompiledForm {
  const patterns = compileFormPatterns(form.fields);
  const shape: Record<string, ZodType<FieldValue | undefined>> = {};
  const phone: PhoneDefaults = { defaultCountryCode: form.defaultCountryCode, defaultCountry };
  for (const field of form.fields) {
    shape[field.key] = fieldSchema(field, phone, patterns.get(field.key));
  }
  const schema = z.object(shape);
  return {
    validate(raw) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        return shapeFailure({ '(body)': 'Expected an object of field values.' });
      }
      const issues = shapeIssues(raw);
      if (Object.keys(issues).length > 0) return shapeFailure(issues);
      // Every field of the form, and only those: a missing key is null (checked like an empty
      // value), an unknown key is dropped.
      const input = Object.fromEntries(
        form.fields.map((f) => [
          f.key,
          Object.hasOwn(raw, f.key) ? (raw as Record<string, unknown>)[f.key] : null,
        ]),
      );
      const result = schema.safeParse(input);
      if (!result.success) {
        const fields: Record<string, string> = {};
        for (const issue of result.error.issues) {
          const key = String(issue.path[0] ?? '(body)');
          fields[key] ??= issue.message;
        }
        return valuesFailure(fields);
      }
      const submission = shapeSubmission(form.fields, result.data);
      if (!submission.contact.email && !submission.contact.phone) {
        const reachable = form.fields.find((f) => f.type === 'email' || f.type === 'phone');
        return valuesFailure({
          [reachable?.key ?? '(body)']: 'Enter an e-mail address or a phone number.',
        });
      }
      return { ok: true, submission };
    },
  };
}

function shapeSubmission(
  fields: FormField[],
  data: Record<string, FieldValue | undefined>,
): ValidSubmission {
  const out: ValidSubmission = { values: {}, contact: {}, custom: {}, utm: {}, consents: [] };
  let first: string | undefined;
  let last: string | undefined;
  for (const field of fields) {
    const value = data[field.key];
    if (value === undefined) continue;
    out.values[field.key] = value;
    const role = roleOf(field);
    const text = typeof value === 'string' ? value : undefined;
    if (role === 'email' && text) out.contact.email ??= text;
    else if (role === 'phone' && text) out.contact.phone ??= text;
    else if (role === 'name' && text) out.contact.name ??= text;
    else if (role === 'company' && text) out.contact.company ??= text;
    else if (role === 'firstName' && text) first ??= text;
    else if (role === 'lastName' && text) last ??= text;
    else out.custom[field.key] = value;
    if (field.type === 'hidden' && field.queryParam?.startsWith('utm_') && text) {
      out.utm[field.queryParam] = text;
    }
    if (field.consent && value === true) out.consents.push({ key: field.key, label: field.label });
  }
  if (!out.contact.name && (first || last))
    out.contact.name = [first, last].filter(Boolean).join(' ');
  return out;
}

// -------------------------------------------------------------------------------------------
// `POST /leads` without a form: the built-in fields, plus any other keys as custom values.

const apiFormFields: FormField[] = [
  { key: 'name', type: 'text', label: 'Name', required: false, role: 'name' },
  { key: 'first_name', type: 'text', label: 'First name', required: false },
  { key: 'last_name', type: 'text', label: 'Last name', required: false },
  { key: 'email', type: 'email', label: 'E-mail', required: false },
  { key: 'phone', type: 'phone', label: 'Phone', required: false },
  { key: 'company', type: 'text', label: 'Company', required: false },
  { key: 'message', type: 'textarea', label: 'Message', required: false },
];
// One compiled API form per default country (a few hundred at most: the ISO list).
const apiForms = new Map<string, CompiledForm>();
function apiForm(defaultCountry: string | undefined): CompiledForm {
  const key = defaultCountry ?? '';
  let hit = apiForms.get(key);
  if (!hit) {
    hit = compileForm({ fields: apiFormFields }, defaultCountry);
    apiForms.set(key, hit);
  }
  return hit;
}
const apiFieldKeys = new Set([
  'name',
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'message',
]);
const customKey = /^[a-z][a-z0-9_]{0,39}$/;
const MAX_CUSTOM = 50;

/** `defaultCountry`: the tenant's, for phone numbers written without a country code. */
export function validateApiLead(raw: unknown, defaultCountry?: string): SubmissionCheck {
  const base = apiForm(defaultCountry).validate(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return base;
  if (!base.ok && base.kind === 'shape') return base;
  const errors: Record<string, string> = base.ok ? {} : { ...base.fields };
  const custom: Record<string, FieldValue> = {};
  const extra = Object.entries(raw).filter(([key]) => !apiFieldKeys.has(key));
  if (extra.length > MAX_CUSTOM) errors['(body)'] = `At most ${MAX_CUSTOM} custom fields.`;
  const text = cleanText(true).refine((s) => s.length <= 2000, 'Must be at most 2000 characters.');
  for (const [key, value] of extra.slice(0, MAX_CUSTOM)) {
    if (!customKey.test(key)) {
      errors[key] = 'Custom field keys use 1-40 lower-case letters, digits or _.';
    } else if (typeof value === 'number' && Number.isFinite(value)) custom[key] = value;
    else if (typeof value === 'boolean') custom[key] = value;
    else if (typeof value === 'string') {
      const parsed = text.safeParse(value);
      if (parsed.success) {
        if (parsed.data) custom[key] = parsed.data;
      } else errors[key] = parsed.error.issues[0]?.message ?? 'Invalid value.';
    } else if (value !== null && value !== undefined) {
      errors[key] = 'Custom values are text, numbers or booleans.';
    }
  }
  if (Object.keys(errors).length > 0 || !base.ok) return valuesFailure(errors);
  const submission = base.submission;
  return {
    ok: true,
    submission: {
      ...submission,
      values: { ...submission.values, ...custom },
      custom: { ...submission.custom, ...custom },
    },
  };
}
