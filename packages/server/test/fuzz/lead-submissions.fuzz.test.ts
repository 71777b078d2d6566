import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTenant, startTestSandbox, type TestSandbox } from '../helpers/harness';
import { fuzzParams, fuzzRuns, fuzzSeed } from './fuzz-config';

// Lead submissions against random form definitions, through the real API: a random form (every
// field type, required or not, length / range / item / date limits, options) is created and
// published, then submissions are posted to `POST /public/forms/{id}/submissions` from the form's
// allowed origin. Valid values are generated from the definition; an invalid submission is a valid
// one with exactly one field broken (a required field left out, or a value of the wrong kind or out
// of range). Valid → 202; invalid → 422 `invalid_submission` naming exactly that field; never a 5xx.

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

/** A value of the wrong kind for the field, or outside its limits. */
function invalidValue(field: Field): fc.Arbitrary<unknown> {
  const v = field.validation ?? {};
  const wrongKind = fc.constantFrom<unknown>({ nested: true }, [[1]]);
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
      return fc.constantFrom<unknown>('not-an-email', 'a@', '@example.com', 'a b@c.d', 7, {
        a: 1,
      });
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

type Case = { fields: Record<string, unknown>; bad?: string };

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

const scenario = formArb.chain((fields) =>
  fc.record({
    fields: fc.constant(fields),
    cases: fc.array(
      fc.oneof(
        validSubmission(fields).map((v): Case => ({ fields: v })),
        invalidSubmission(fields),
      ),
      { minLength: 2, maxLength: 5 },
    ),
    unknownKey: fc.boolean(),
  }),
);

// ------------------------------------------------------------------ the property

let t: TestSandbox;
let token: string;

beforeAll(async () => {
  t = await startTestSandbox({
    // Every submission comes from 127.0.0.1: the per-IP limit would stop the run otherwise.
    leadLimits: {
      perIp: { limit: 1_000_000, windowSeconds: 60 },
      perForm: { limit: 1_000_000, windowSeconds: 60 },
    },
  });
  token = (await createTenant(t.api, t.adminToken, [])).token;
});

afterAll(async () => {
  await t?.stop();
});

it('accepts every valid submission to a random form definition and answers 422 naming the fields for invalid ones', async () => {
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async ({ fields, cases, unknownKey }) => {
      const body = { name: 'Fuzz form', allowedOrigins: [origin], fields };
      const created = await t.api.request('POST', '/forms', { token, body });
      expect(created.status, `create: ${created.text}`).toBe(201);
      const formId = (created.json as any).id as string;
      const published = await t.api.request('POST', `/forms/${formId}/publish`, { token });
      expect(published.status, `publish: ${published.text}`).toBe(200);

      for (const c of cases) {
        const sent = unknownKey ? { ...c.fields, zz_unknown_key: 'dropped' } : c.fields;
        const res = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
          body: { fields: sent },
          headers: { origin },
        });
        const what = `${JSON.stringify(sent)} → ${res.status} ${res.text}`;
        expect(res.status, what).toBeLessThan(500);
        expect(res.headers.get('access-control-allow-origin'), what).toBe(origin);
        if (c.bad === undefined) {
          expect(res.status, what).toBe(202);
          expect((res.json as any).submissionId, what).toMatch(/^sub/);
          accepted++;
        } else {
          expect(res.status, what).toBe(422);
          const error = (res.json as any).error;
          expect(error.code, what).toBe('invalid_submission');
          expect(Object.keys(error.fields), what).toEqual([c.bad]);
          expect(typeof error.fields[c.bad], what).toBe('string');
          refused++;
        }
      }
    }),
    fuzzParams(fuzzSeed, fuzzRuns(250)),
  );
  // Both kinds were exercised.
  expect(accepted).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
});
