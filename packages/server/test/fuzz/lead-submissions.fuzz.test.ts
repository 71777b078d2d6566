import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LeadRepo } from '../../src/modules/leads/lead.repo';
import { SubmissionRepo } from '../../src/modules/leads/submission.repo';
import { createTenant, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import { fuzzParams, fuzzRuns, fuzzSeed } from './fuzz-config';

// Lead submissions against random form definitions, through the real API: a random form (every
// field type, required or not, length / range / item / date limits, options) is created and
// published, then submissions are posted to `POST /public/forms/{id}/submissions` from the form's
// allowed origin. Valid values are generated from the definition; an invalid submission is a valid
// one with exactly one field broken (a required field left out, or a value of the wrong kind or out
// of range). Valid → 202; invalid → 422 `invalid_submission` naming exactly that field; never a 5xx.
// Hostile input classes on top: a malformed submission (a reserved key, a value nested up to a few
// thousand levels under a declared or an undeclared key, a list of lists) → 400 naming that key;
// tenant patterns that are regex bombs (or that RE2 refuses) in form definitions, and bomb values
// for them; bodies and values at and just past every size limit. Whatever the answer, nothing is
// half-written: once the pipeline is idle, every accepted submission is stored and on a lead, no
// refused one left a trace, and no dead-letter queue holds anything.

const origin = 'https://fuzz-landing.example.com';

type FieldType =
  | 'text'
  | 'email'
  | 'phone'
  | 'number'
  | 'select'
  | 'multi-select'
  | 'checkbox'
  | 'date'
  | 'textarea'
  | 'hidden';

type Field = {
  key: string;
  type: FieldType;
  label: string;
  required: boolean;
  consent?: boolean;
  options?: { value: string; label: string }[];
  validation?: {
    minLength?: number;
    maxLength?: number;
    min?: number;
    max?: number;
    minItems?: number;
    maxItems?: number;
    minDate?: string;
    maxDate?: string;
  };
};

const types: FieldType[] = [
  'text',
  'email',
  'phone',
  'number',
  'select',
  'multi-select',
  'checkbox',
  'date',
  'textarea',
  'hidden',
];

// ------------------------------------------------------------------ form definitions

const lengthLimits = fc
  .record({ min: fc.option(fc.nat(5), { nil: undefined }), span: fc.option(fc.nat(30)) })
  .map(({ min, span }) => ({
    ...(min !== undefined ? { minLength: min } : {}),
    ...(span !== null ? { maxLength: Math.max(1, (min ?? 0) + span) } : {}),
  }));

const numberLimits = fc
  .record({ min: fc.option(fc.integer({ min: -1000, max: 1000 })), span: fc.option(fc.nat(500)) })
  .map(({ min, span }) => ({
    ...(min !== null ? { min } : {}),
    ...(span !== null ? { max: (min ?? 0) + span } : {}),
  }));

const dateLimits = fc
  .record({ from: fc.option(fc.integer({ min: 2020, max: 2025 })), to: fc.option(fc.nat(5)) })
  .map(({ from, to }) => ({
    ...(from !== null ? { minDate: `${from}-01-01` } : {}),
    ...(to !== null ? { maxDate: `${(from ?? 2020) + to}-12-31` } : {}),
  }));

const options = fc
  .uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9 _-]{0,11}$/), { minLength: 1, maxLength: 6 })
  .map((values) => values.map((value) => ({ value, label: `Option ${value}` })));

function fieldArb(type: FieldType, key: string): fc.Arbitrary<Field> {
  const base = {
    key: fc.constant(key),
    type: fc.constant(type),
    label: fc.constant(`Field ${key}`),
    required: fc.boolean(),
  };
  const valid = (v: Record<string, unknown>) =>
    Object.keys(v).length > 0 ? { validation: v } : {};
  switch (type) {
    case 'text':
    case 'textarea':
    case 'hidden':
      return fc
        .record({ ...base, limits: lengthLimits })
        .map(({ limits, ...f }) => ({ ...f, ...valid(limits) }));
    case 'number':
      return fc
        .record({ ...base, limits: numberLimits })
        .map(({ limits, ...f }) => ({ ...f, ...valid(limits) }));
    case 'date':
      return fc
        .record({ ...base, limits: dateLimits })
        .map(({ limits, ...f }) => ({ ...f, ...valid(limits) }));
    case 'select':
      return fc.record({ ...base, options });
    case 'multi-select':
      return fc
        .record({ ...base, options, lo: fc.option(fc.nat(6)), hi: fc.option(fc.nat(6)) })
        .map(({ lo, hi, ...f }) => {
          const n = f.options.length;
          const minItems = lo === null ? undefined : Math.min(lo, n);
          const maxItems = hi === null ? undefined : Math.max(1, minItems ?? 0, Math.min(hi, n));
          return {
            ...f,
            ...valid({
              ...(minItems !== undefined ? { minItems } : {}),
              ...(maxItems !== undefined ? { maxItems } : {}),
            }),
          };
        });
    case 'checkbox':
      return fc.record({ ...base, consent: fc.boolean() });
    default:
      return fc.record(base);
  }
}

/** 1-8 fields of random types, at least one e-mail or phone field (the API requires one). */
const formArb: fc.Arbitrary<Field[]> = fc
  .record({
    reach: fc.constantFrom<FieldType>('email', 'phone'),
    rest: fc.array(fc.constantFrom(...types), { maxLength: 7 }),
  })
  .chain(({ reach, rest }) =>
    fc.tuple(
      ...[reach, ...rest].map((type, i) => fieldArb(type, `f${i}_${type.replace('-', '_')}`)),
    ),
  )
  .chain((fields) => fc.shuffledSubarray(fields, { minLength: fields.length }));

// ------------------------------------------------------------------ values

const chars = Array.from('abcxyzABCXYZ0189 éçãñ<>&"\'-_.,!?');

function textValue(field: Field): fc.Arbitrary<string> {
  const v = field.validation ?? {};
  const min = Math.max(1, v.minLength ?? 0);
  const max = Math.max(min, Math.min(v.maxLength ?? 40, 40));
  return fc.array(fc.constantFrom(...chars), { minLength: min, maxLength: max }).map((cs) => {
    // Trimmed before the length check: no space at either end.
    if (cs[0] === ' ') cs[0] = 'x';
    if (cs[cs.length - 1] === ' ') cs[cs.length - 1] = 'y';
    return cs.join('');
  });
}

function dateValue(field: Field): fc.Arbitrary<string> {
  const from = Date.parse(`${field.validation?.minDate ?? '2000-01-01'}T00:00:00Z`);
  const to = Date.parse(`${field.validation?.maxDate ?? '2035-12-31'}T00:00:00Z`);
  return fc
    .integer({ min: 0, max: Math.round((to - from) / 86_400_000) })
    .map((d) => new Date(from + d * 86_400_000).toISOString().slice(0, 10));
}

function validValue(field: Field): fc.Arbitrary<unknown> {
  const v = field.validation ?? {};
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'hidden':
      return textValue(field);
    case 'email':
      return fc
        .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9.+_-]{0,15}$/), fc.boolean())
        .map(([local, upper]) => {
          const address = `${local.replace(/[.]+$/, '').replace(/\.{2,}/g, '.')}x@fuzz.example.com`;
          return upper ? ` ${address.toUpperCase()} ` : address;
        });
    case 'phone':
      return fc
        .tuple(fc.integer({ min: 10_000_000, max: 99_999_999 }), fc.boolean())
        .map(([n, spaced]) => (spaced ? `+55 (11) 9${n}` : `+55119${n}`));
    case 'number': {
      const lo = v.min ?? -1e6;
      const hi = v.max ?? 1e6;
      return fc
        .tuple(fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }), fc.boolean())
        .map(([n, asText]) => (asText ? String(n) : n));
    }
    case 'select':
      return fc.constantFrom(...field.options!.map((o) => o.value));
    case 'multi-select': {
      const values = field.options!.map((o) => o.value);
      return fc.subarray(values, {
        minLength: Math.max(1, v.minItems ?? 0),
        maxLength: Math.max(1, Math.min(v.maxItems ?? values.length, values.length)),
      });
    }
    case 'checkbox':
      return field.required || field.consent
        ? fc.constantFrom(true, 'yes', 'on', 'true')
        : fc.constantFrom(true, false, 'off', '1', 'no');
    case 'date':
      return dateValue(field);
  }
}

/**
 * A value of the wrong kind for the field, or outside its limits. (Objects and lists of lists are
 * not a wrong kind but a malformed submission: see malformedEntry.)
 */
function invalidValue(field: Field): fc.Arbitrary<unknown> {
  const v = field.validation ?? {};
  const wrongKind = fc.constantFrom<unknown>(['nested'], [1, 2]);
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'hidden': {
      const bad: fc.Arbitrary<unknown>[] = [
        fc.constant('bad\u0001value'),
        fc.constant('bidi\u202eoverride'),
        wrongKind,
        fc.constant(42),
      ];
      if (field.type !== 'textarea') bad.push(fc.constant('two\nlines'));
      if (v.maxLength !== undefined) bad.push(fc.constant('z'.repeat(v.maxLength + 1)));
      if ((v.minLength ?? 0) >= 2) bad.push(fc.constant('z'.repeat(v.minLength! - 1)));
      return fc.oneof(...bad);
    }
    case 'email':
      return fc.constantFrom<unknown>('not-an-email', 'a@', '@example.com', 'a b@c.d', 7, [
        'a@example.com',
      ]);
    case 'phone':
      return fc.constantFrom<unknown>('not a phone', '12345', '+0123456789', '+1 234', 5511999, [
        '+5511999990000',
      ]);
    case 'number': {
      const bad: fc.Arbitrary<unknown>[] = [fc.constantFrom<unknown>('abc', '1e3', '12,5', true)];
      if (v.min !== undefined) bad.push(fc.constant(v.min - 1));
      if (v.max !== undefined) bad.push(fc.constant(String(v.max + 1)));
      return fc.oneof(...bad);
    }
    case 'select':
      return fc.constantFrom<unknown>('zz-not-an-option', ['demo'], 3);
    case 'multi-select': {
      const values = field.options!.map((o) => o.value);
      const bad: fc.Arbitrary<unknown>[] = [
        fc.constant([values[0], 'zz-not-an-option']),
        fc.constant(7),
      ];
      if ((v.minItems ?? 0) >= 2) bad.push(fc.constant(values.slice(0, v.minItems! - 1)));
      if (v.maxItems !== undefined && v.maxItems < values.length) {
        bad.push(fc.constant(values.slice(0, v.maxItems + 1)));
      }
      return fc.oneof(...bad);
    }
    case 'checkbox': {
      const bad: fc.Arbitrary<unknown>[] = [fc.constantFrom<unknown>('maybe', 2, ['true'])];
      if (field.required || field.consent) bad.push(fc.constantFrom<unknown>(false, 'no', 'off'));
      return fc.oneof(...bad);
    }
    case 'date': {
      const bad: fc.Arbitrary<unknown>[] = [
        fc.constantFrom<unknown>('2026-02-30', '2026-13-01', '01/02/2026', 20260101),
      ];
      if (v.minDate) bad.push(fc.constant(`${Number(v.minDate.slice(0, 4)) - 1}-06-15`));
      if (v.maxDate) bad.push(fc.constant(`${Number(v.maxDate.slice(0, 4)) + 1}-06-15`));
      return fc.oneof(...bad);
    }
  }
}

/**
 * A valid submission: every required (or consent) field, the first e-mail/phone field (a lead must
 * be reachable), and a random subset of the others.
 */
function validSubmission(fields: Field[]): fc.Arbitrary<Record<string, unknown>> {
  const reach = fields.find((f) => f.type === 'email' || f.type === 'phone')!;
  return fc
    .tuple(
      ...fields.map((f) =>
        f.required || f.consent || f === reach
          ? validValue(f).map((v) => [f.key, v] as const)
          : fc.option(validValue(f)).map((v) => [f.key, v] as const),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== null) as [string, unknown][]));
}

/** One field of a valid submission broken: left out when required, else given a bad value. */
function invalidSubmission(fields: Field[]): fc.Arbitrary<Case> {
  return fc
    .tuple(validSubmission(fields), fc.nat(fields.length - 1), fc.boolean())
    .chain(([values, i, omit]) => {
      const field = fields[i]!;
      if (omit && (field.required || field.consent)) {
        const { [field.key]: _dropped, ...rest } = values;
        return fc.constant({ fields: rest, bad: field.key });
      }
      return invalidValue(field).map((bad) => ({
        fields: { ...values, [field.key]: bad },
        bad: field.key,
      }));
    });
}

// ------------------------------------------------------------------ malformed submissions

/** A value nested `levels` deep, as JSON text (built without recursion). */
const nestedJson = (levels: number) => `${'{"n":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`;

/** One entry that makes a submission malformed: `key` goes into `fields` as raw JSON `json`. */
type Malformed = { key: string; json: string };

function malformedEntry(fields: Field[]): fc.Arbitrary<Malformed> {
  const declared = fc.constantFrom(...fields.map((f) => f.key));
  return fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => ({ key, json: '"x"' })),
    fc
      .tuple(fc.oneof(declared, fc.constant('zz_undeclared')), fc.integer({ min: 2, max: 3000 }))
      .map(([key, levels]) => ({ key, json: nestedJson(levels) })),
    fc
      .tuple(fc.oneof(declared, fc.constant('zz_list')), fc.constantFrom('[["a"]]', '[{"a":1}]'))
      .map(([key, json]) => ({ key, json })),
    declared.map((key) => ({ key, json: '{"value":"x"}' })),
  );
}

/** `fields` as JSON with one more `"key": json` entry (the last of a duplicated key wins). */
function withEntry(fields: Record<string, unknown>, entry: Malformed): string {
  const text = JSON.stringify(fields);
  const sep = text === '{}' ? '' : ',';
  return `${text.slice(0, -1)}${sep}${JSON.stringify(entry.key)}:${entry.json}}`;
}

type Case = { fields: Record<string, unknown>; bad?: string; malformed?: Malformed };

const scenario = formArb.chain((fields) =>
  fc.record({
    fields: fc.constant(fields),
    cases: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: validSubmission(fields).map((v): Case => ({ fields: v })) },
        { weight: 3, arbitrary: invalidSubmission(fields) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(validSubmission(fields), malformedEntry(fields))
            .map(([v, malformed]): Case => ({ fields: v, malformed })),
        },
      ),
      { minLength: 2, maxLength: 5 },
    ),
    unknownKey: fc.boolean(),
  }),
);

// ------------------------------------------------------------------ tenant patterns

/** Patterns RE2 runs: regex bombs for a backtracking engine, and everyday ones. */
const runnablePatterns = [
  '^a*a*a*a*a*a*$',
  '(a+)+$',
  '(x+x+)+y',
  '(.*a){20}',
  '^(\\w+\\s?)*$',
  '(a|aa)*',
  '^([a-z]+\\.)+[a-z]+$',
  '.*a.{20}',
  '^\\d{5}-?\\d{3}$',
  "^[\\p{L}\\p{M} .'-]+$",
];
/** Patterns a form may not hold: refused when the form is saved, with 400. */
const refusedPatterns = [
  '(a)\\1',
  '(?=a)a',
  '(?<!a)b',
  '.{1000}',
  '^[\\p{L} ]{1,20}$',
  '(\\d{10}){11}',
  '\\p{Script_Extensions=Latin}',
  'x'.repeat(201),
  '(',
];
const regexChars = Array.from('ab.*+?(){}[]|^$\\d\\w1,2');
const patternArb = fc.oneof(
  fc.constantFrom(...runnablePatterns),
  fc.constantFrom(...refusedPatterns),
  fc
    .array(fc.constantFrom(...regexChars), { minLength: 1, maxLength: 30 })
    .map((cs) => cs.join('')),
);
/** Values for pattern fields: bomb inputs, boundary lengths around the 500-character cap. */
const patternValueArb = fc.oneof(
  fc.integer({ min: 1, max: 501 }).map((n) => `${'a'.repeat(n)}!`),
  fc.integer({ min: 1, max: 501 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 1, max: 501 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 100 }).map((n) => `${'word '.repeat(n)}!`),
  fc.constantFrom('01310-100', 'mail.example.com', 'José Ñúñez', 'a'.repeat(500), 'a'.repeat(501)),
  fc.string({ maxLength: 40 }),
);

const patternScenario = fc.record({
  patterns: fc.array(patternArb, { minLength: 1, maxLength: 3 }),
  values: fc.array(fc.array(patternValueArb, { minLength: 3, maxLength: 3 }), {
    minLength: 1,
    maxLength: 3,
  }),
});

// ------------------------------------------------------------------ the properties

let t: TestSandbox;
let token: string;
let tenantId: string;
/** Every submission answered 202 (the final check finds each stored and on a lead). */
const accepted = new Set<string>();

beforeAll(async () => {
  t = await startTestSandbox({
    retryDelaySeconds: 0,
    // Every submission comes from 127.0.0.1: the per-IP limit would stop the run otherwise.
    leadLimits: {
      perIp: { limit: 1_000_000, windowSeconds: 60 },
      perForm: { limit: 1_000_000, windowSeconds: 60 },
    },
  });
  const tenant = await createTenant(t.api, t.adminToken, []);
  token = tenant.token;
  tenantId = tenant.id;
});

afterAll(async () => {
  await t?.stop();
});

async function createAndPublish(body: unknown): Promise<string> {
  const created = await t.api.request('POST', '/forms', { token, body });
  expect(created.status, `create: ${created.text}`).toBe(201);
  const formId = (created.json as any).id as string;
  const published = await t.api.request('POST', `/forms/${formId}/publish`, { token });
  expect(published.status, `publish: ${published.text}`).toBe(200);
  return formId;
}

function postSubmission(formId: string, raw: string) {
  return t.api.request('POST', `/public/forms/${formId}/submissions`, {
    raw,
    headers: { origin, 'content-type': 'application/json' },
  });
}

it('accepts every valid submission to a random form definition and answers 422 naming the fields for invalid ones, 400 naming the key for malformed ones', async () => {
  let valid = 0;
  let refused = 0;
  let malformed = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async ({ fields, cases, unknownKey }) => {
      const formId = await createAndPublish({
        name: 'Fuzz form',
        allowedOrigins: [origin],
        fields,
      });

      for (const c of cases) {
        const sent = unknownKey ? { ...c.fields, zz_unknown_key: 'dropped' } : c.fields;
        const raw = c.malformed
          ? `{"fields":${withEntry(sent, c.malformed)}}`
          : JSON.stringify({ fields: sent });
        const res = await postSubmission(formId, raw);
        const what = `${raw.slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        expect(res.headers.get('access-control-allow-origin'), what).toBe(origin);
        const error = (res.json as any)?.error;
        if (c.malformed) {
          expect(res.status, what).toBe(400);
          expect(error.code, what).toBe('validation_failed');
          // The JSON guard at the edge may name a deeper path; the leads domain names the key.
          const paths = Object.keys(error.fields);
          expect(
            paths.some(
              (p) =>
                p === `fields.${c.malformed!.key}` || p.startsWith(`fields.${c.malformed!.key}.`),
            ),
            what,
          ).toBe(true);
          malformed++;
        } else if (c.bad === undefined) {
          expect(res.status, what).toBe(202);
          expect((res.json as any).submissionId, what).toMatch(/^sub/);
          accepted.add((res.json as any).submissionId);
          valid++;
        } else {
          expect(res.status, what).toBe(422);
          expect(error.code, what).toBe('invalid_submission');
          expect(Object.keys(error.fields), what).toEqual([c.bad]);
          expect(typeof error.fields[c.bad], what).toBe('string');
          refused++;
        }
      }
    }),
    fuzzParams(fuzzSeed, fuzzRuns(250)),
  );
  // Every kind was exercised.
  expect(valid).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
  expect(malformed).toBeGreaterThan(0);
});

it('takes regex bombs in form definitions and in values without a 5xx: RE2 runs them or the form is refused', async () => {
  let forms = 0;
  let refusedForms = 0;
  await fc.assert(
    fc.asyncProperty(patternScenario, async ({ patterns, values }) => {
      const fields = [
        { key: 'email', type: 'email', label: 'E-mail', required: true },
        ...patterns.map((pattern, i) => ({
          key: `p${i}`,
          type: i % 2 ? 'textarea' : 'text',
          label: `Pattern ${i}`,
          required: false,
          validation: { pattern },
        })),
      ];
      const body = { name: 'Pattern fuzz', allowedOrigins: [origin], fields };
      const created = await t.api.request('POST', '/forms', { token, body });
      const what = `${JSON.stringify(patterns)} → ${created.status} ${created.text.slice(0, 300)}`;
      expect(created.status, what).toBeLessThan(500);
      if (created.status !== 201) {
        expect(created.status, what).toBe(400);
        const error = (created.json as any).error;
        expect(error.code, what).toBe('validation_failed');
        expect(Object.keys(error.fields).length, what).toBeGreaterThan(0);
        for (const path of Object.keys(error.fields)) {
          expect(path, what).toMatch(/^fields\.\d+\.validation\.pattern$/);
        }
        // Past the contract's own checks (200 characters), the leads domain names every pattern it refuses.
        if (patterns.every((p) => p.length <= 200)) {
          for (const pattern of refusedPatterns.filter((p) => patterns.includes(p))) {
            const index = patterns.indexOf(pattern) + 1;
            expect(error.fields[`fields.${index}.validation.pattern`], what).toBeDefined();
          }
        }
        refusedForms++;
        return;
      }
      expect(
        patterns.some((p) => refusedPatterns.includes(p)),
        `${what}: a refused pattern was accepted`,
      ).toBe(false);
      const formId = (created.json as any).id as string;
      const published = await t.api.request('POST', `/forms/${formId}/publish`, { token });
      expect(published.status).toBe(200);
      forms++;
      for (const row of values) {
        const submitted = {
          email: 'pattern-fuzz@example.com',
          ...Object.fromEntries(patterns.map((_, i) => [`p${i}`, row[i % row.length]])),
        };
        const res = await postSubmission(formId, JSON.stringify({ fields: submitted }));
        const sent = `${what} ${JSON.stringify(submitted).slice(0, 200)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect([202, 422], sent).toContain(res.status);
        if (res.status === 202) accepted.add((res.json as any).submissionId);
        else {
          const error = (res.json as any).error;
          expect(error.code, sent).toBe('invalid_submission');
          for (const key of Object.keys(error.fields)) expect(key, sent).toMatch(/^p\d$/);
        }
      }
    }),
    fuzzParams(fuzzSeed + 1, fuzzRuns(80)),
  );
  expect(forms).toBeGreaterThan(0);
  expect(refusedForms).toBeGreaterThan(0);
});

/** Text of exactly `bytes` UTF-8 bytes, mostly `char`, topped up with ASCII. */
function textOfBytes(bytes: number, char: string): string {
  const width = Buffer.byteLength(char);
  const many = Math.max(0, Math.floor(bytes / width) - 1);
  const head = char.repeat(many);
  return head + 'x'.repeat(bytes - Buffer.byteLength(head));
}

it('answers bodies and values at every size limit like any other, and just past it with the limit’s error', async () => {
  const KiB = 1024;
  const textarea = (key: string, extra: Record<string, unknown> = {}) => ({
    key,
    type: 'textarea',
    label: key,
    required: false,
    ...extra,
  });
  const formId = await createAndPublish({
    name: 'Limits',
    allowedOrigins: [origin],
    fields: [
      { key: 'email', type: 'email', label: 'E-mail', required: true },
      textarea('patterned', { validation: { pattern: '[\\s\\S]*' } }),
      ...Array.from({ length: 10 }, (_, i) =>
        textarea(`t${i}`, { validation: { maxLength: 10_000 } }),
      ),
    ],
  });
  const email = 'limits@example.com';

  await fc.assert(
    fc.asyncProperty(fc.constantFrom('x', 'é', '中', '😀'), fc.boolean(), async (char, past) => {
      const over = past ? 1 : 0;
      // The public submission's body limit (64 KiB), padded under an undeclared key.
      const shell = JSON.stringify({ fields: { email, zz_pad: '' } });
      const pad = textOfBytes(64 * KiB - Buffer.byteLength(shell) + over, char);
      const body = JSON.stringify({ fields: { email, zz_pad: pad } });
      expect(Buffer.byteLength(body)).toBe(64 * KiB + over);
      const sized = await postSubmission(formId, body);
      if (past) {
        expect(sized.status, sized.text).toBe(413);
        expect((sized.json as any).error.code).toBe('payload_too_large');
      } else {
        expect(sized.status, sized.text).toBe(202);
        accepted.add((sized.json as any).submissionId);
      }

      // The patterns' input cap (500 characters, counted in UTF-16 units as JavaScript does).
      const value = `${char.repeat(Math.floor(500 / char.length))}${'x'.repeat((500 % char.length) + over)}`;
      expect(value.length).toBe(500 + over);
      const capped = await postSubmission(
        formId,
        JSON.stringify({ fields: { email, patterned: value } }),
      );
      if (past) {
        expect(capped.status, capped.text).toBe(422);
        expect((capped.json as any).error.fields.patterned).toMatch(/at most 500 characters/);
      } else {
        expect(capped.status, capped.text).toBe(202);
        accepted.add((capped.json as any).submissionId);
      }

      // A lead's custom-field cap (64 KiB): reached through NFC, which makes U+FB2C twice as long.
      const fields = Object.fromEntries(
        Array.from({ length: past ? 10 : 5 }, (_, i) => [`t${i}`, '\ufb2c'.repeat(1800)]),
      );
      const custom = await postSubmission(formId, JSON.stringify({ fields: { email, ...fields } }));
      if (past) {
        expect(custom.status, custom.text).toBe(422);
        expect((custom.json as any).error.code).toBe('lead_too_large');
      } else {
        expect(custom.status, custom.text).toBe(202);
        accepted.add((custom.json as any).submissionId);
      }

      // A pattern's length (200 characters) when a form is saved: cheap pieces to that length.
      const pattern = `${'[a-z]+'.repeat(33)}ab${past ? 'c' : ''}`;
      expect(pattern.length).toBe(200 + over);
      const form = await t.api.request('POST', '/forms', {
        token,
        body: {
          name: 'Pattern length',
          allowedOrigins: [origin],
          fields: [
            { key: 'email', type: 'email', label: 'E-mail', required: true },
            { key: 'code', type: 'text', label: 'Code', validation: { pattern } },
          ],
        },
      });
      expect(form.status, form.text).toBe(past ? 400 : 201);

      // A form definition's body limit (64 KiB): padded under a key the strict schema refuses.
      const formShell = JSON.stringify({ name: 'Big', fields: [], zz_pad: '' });
      const formBody = JSON.stringify({
        name: 'Big',
        fields: [],
        zz_pad: textOfBytes(64 * KiB - Buffer.byteLength(formShell) + over, char),
      });
      const big = await t.api.request('POST', '/forms', {
        token,
        raw: formBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(big.status, big.text).toBe(past ? 413 : 400);
    }),
    fuzzParams(fuzzSeed + 2, fuzzRuns(16)),
  );
});

it('leaves nothing half-written: every accepted submission stored and on a lead, nothing else, no DLQ', async () => {
  await waitFor(
    async () =>
      Object.values(t.sb.leads.queues).every(({ queue }) => {
        const stats = queue.stats();
        return stats.visible === 0 && stats.inFlight === 0;
      }),
    { timeoutMs: 120_000, what: 'the lead queues to drain' },
  );
  for (const [name, { dlq }] of Object.entries(t.sb.leads.queues)) {
    expect(dlq.stats().visible, name).toBe(0);
  }
  const leads = new LeadRepo(t.sb.db, tenantId);
  const onLeads = new Set<string>();
  let after: string | undefined;
  do {
    const page = await leads.list({}, 100, after, 10_000);
    for (const lead of page.items) for (const id of lead.submissionIds) onLeads.add(id);
    after = page.lastId;
  } while (after);
  const submissions = new SubmissionRepo(t.sb.db, tenantId);
  const missing: string[] = [];
  for (const id of accepted) {
    if (!onLeads.has(id) || !(await submissions.get(id))) missing.push(id);
  }
  expect(missing, 'accepted but not stored on a lead').toEqual([]);
  expect(
    [...onLeads].filter((id) => !accepted.has(id)),
    'stored but never accepted',
  ).toEqual([]);
});
