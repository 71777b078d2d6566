import type { FormField } from '@switchboard/contracts';
import { formDefinitionSchema } from '@switchboard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileForm, validateApiLead } from '../../src/modules/leads/form-schema';

// The submission schema derived from a tenant's form: one block per field type, then hostile input.

const reach: FormField = { key: 'email', type: 'email', label: 'E-mail', required: false };

function check(
  field: Partial<FormField> & Pick<FormField, 'key' | 'type'>,
  value: unknown,
  extra: Record<string, unknown> = {},
) {
  const full = { label: field.key, required: false, ...field } as FormField;
  const form = compileForm({
    fields: full.key === 'email' ? [full] : [full, reach],
    defaultCountryCode: '55',
  });
  return form.validate({ email: 'someone@example.com', [full.key]: value, ...extra });
}

const valueOf = (result: ReturnType<typeof check>, key: string) =>
  result.ok ? result.submission.values[key] : `error: ${result.fields[key]}`;

describe('field types', () => {
  it('text: trimmed, NFC, single line, length and pattern', () => {
    expect(valueOf(check({ key: 'city', type: 'text' }, '  São Paulo  '), 'city')).toBe(
      'São Paulo',
    );
    expect(valueOf(check({ key: 'city', type: 'text' }, 'Sa\u0303o'), 'city')).toBe('São');
    expect(valueOf(check({ key: 'city', type: 'text' }, 'two\nlines'), 'city')).toBe(
      'error: Must be a single line.',
    );
    expect(
      valueOf(check({ key: 'city', type: 'text', validation: { maxLength: 3 } }, 'abcd'), 'city'),
    ).toMatch(/at most 3/);
    expect(
      valueOf(check({ key: 'city', type: 'text', validation: { minLength: 2 } }, 'a'), 'city'),
    ).toMatch(/at least 2/);
    const cep = {
      key: 'cep',
      type: 'text' as const,
      validation: { pattern: '^\\d{5}-?\\d{3}$', patternMessage: 'Use 00000-000.' },
    };
    expect(valueOf(check(cep, '01310-100'), 'cep')).toBe('01310-100');
    expect(valueOf(check(cep, '0131'), 'cep')).toBe('error: Use 00000-000.');
  });

  it('email: lower-cased and checked', () => {
    const form = compileForm({ fields: [{ ...reach, required: true }] });
    const ok = form.validate({ email: ' Ana@Example.COM ' });
    expect(ok.ok && ok.submission.contact.email).toBe('ana@example.com');
    for (const bad of ['ana', 'ana@', '@example.com', 'a b@example.com', 42, ['a@b.co']]) {
      expect(form.validate({ email: bad }).ok, String(bad)).toBe(false);
    }
    expect(form.validate({})).toEqual({
      ok: false,
      kind: 'values',
      fields: { email: 'This field is required.' },
    });
  });

  it('phone: E.164, with the form’s default country code for national numbers', () => {
    const phone = { key: 'phone', type: 'phone' as const };
    expect(valueOf(check(phone, '+55 (11) 99999-0001'), 'phone')).toBe('+5511999990001');
    expect(valueOf(check(phone, '0055 11 99999 0001'), 'phone')).toBe('+5511999990001');
    expect(valueOf(check(phone, '(11) 99999-0001'), 'phone')).toBe('+5511999990001');
    expect(valueOf(check(phone, '011 99999-0001'), 'phone')).toBe('+5511999990001');
    expect(valueOf(check(phone, '+1 555'), 'phone')).toMatch(/^error: Enter a phone number/);
    expect(valueOf(check(phone, 'call me'), 'phone')).toMatch(/^error/);
    expect(valueOf(check(phone, 5511999990001), 'phone')).toMatch(/^error/);
  });

  it('number: numbers or numeric text, within min and max', () => {
    const seats = { key: 'seats', type: 'number' as const, validation: { min: 1, max: 500 } };
    expect(valueOf(check(seats, 12), 'seats')).toBe(12);
    expect(valueOf(check(seats, ' 12.5 '), 'seats')).toBe(12.5);
    expect(valueOf(check(seats, 0), 'seats')).toBe('error: Must be at least 1.');
    expect(valueOf(check(seats, 501), 'seats')).toBe('error: Must be at most 500.');
    for (const bad of ['1e400', 'NaN', 'Infinity', '12 seats', true, {}, '0x10']) {
      expect(valueOf(check(seats, bad), 'seats'), String(bad)).toMatch(/^error/);
    }
  });

  it('select and multi-select: only the options', () => {
    const options = [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
      { value: 'c', label: 'C' },
    ];
    expect(valueOf(check({ key: 'pick', type: 'select', options }, 'b'), 'pick')).toBe('b');
    expect(valueOf(check({ key: 'pick', type: 'select', options }, 'z'), 'pick')).toBe(
      'error: Choose one of the options.',
    );
    expect(valueOf(check({ key: 'pick', type: 'select', options }, ['a']), 'pick')).toMatch(
      /^error/,
    );
    const multi = {
      key: 'many',
      type: 'multi-select' as const,
      options,
      validation: { maxItems: 2 },
    };
    expect(valueOf(check(multi, ['a', 'b', 'a']), 'many')).toEqual(['a', 'b']);
    expect(valueOf(check(multi, 'c'), 'many')).toEqual(['c']);
    expect(valueOf(check(multi, ['a', 'b', 'c']), 'many')).toBe('error: Choose at most 2.');
    expect(valueOf(check(multi, ['a', 'zzz']), 'many')).toBe('error: Choose among the options.');
    expect(valueOf(check({ ...multi, required: true }, []), 'many')).toBe(
      'error: This field is required.',
    );
  });

  it('checkbox and consent: booleans or form values; consent must be ticked', () => {
    expect(valueOf(check({ key: 'news', type: 'checkbox' }, 'on'), 'news')).toBe(true);
    expect(valueOf(check({ key: 'news', type: 'checkbox' }, false), 'news')).toBe(false);
    expect(valueOf(check({ key: 'news', type: 'checkbox' }, 'maybe'), 'news')).toMatch(/^error/);
    const consent = {
      key: 'terms',
      type: 'checkbox' as const,
      label: 'I agree to the terms',
      consent: true,
    };
    expect(valueOf(check(consent, false), 'terms')).toBe('error: Consent is required.');
    expect(valueOf(check(consent, undefined), 'terms')).toBe('error: Consent is required.');
    const agreed = check(consent, true);
    expect(agreed.ok && agreed.submission.consents).toEqual([
      { key: 'terms', label: 'I agree to the terms' },
    ]);
  });

  it('date: real calendar dates within bounds', () => {
    const when = {
      key: 'when',
      type: 'date' as const,
      validation: { minDate: '2026-01-01', maxDate: '2026-12-31' },
    };
    expect(valueOf(check(when, '2026-02-28'), 'when')).toBe('2026-02-28');
    expect(valueOf(check(when, '2026-02-30'), 'when')).toBe('error: Not a real date.');
    expect(valueOf(check(when, '2025-12-31'), 'when')).toBe(
      'error: Must be on or after 2026-01-01.',
    );
    expect(valueOf(check(when, '28/02/2026'), 'when')).toMatch(/^error/);
  });

  it('textarea keeps lines; hidden fields feed UTM', () => {
    expect(valueOf(check({ key: 'msg', type: 'textarea' }, 'line 1\r\nline 2\ttab'), 'msg')).toBe(
      'line 1\r\nline 2\ttab',
    );
    const form = compileForm({
      fields: [
        reach,
        { key: 'src', type: 'hidden', label: 'src', required: false, queryParam: 'utm_source' },
      ],
    });
    const result = form.validate({ email: 'a@example.com', src: 'newsletter' });
    expect(result.ok && result.submission.utm).toEqual({ utm_source: 'newsletter' });
  });

  it('maps roles: first and last name make the name; unmapped fields are custom', () => {
    const form = compileForm({
      fields: [
        { key: 'first_name', type: 'text', label: 'First', required: true },
        { key: 'last_name', type: 'text', label: 'Last', required: false },
        { key: 'org', type: 'text', label: 'Org', required: false, role: 'company' },
        { key: 'phone', type: 'phone', label: 'Phone', required: false },
        { key: 'budget', type: 'number', label: 'Budget', required: false },
      ],
    });
    const result = form.validate({
      first_name: 'Ana',
      last_name: 'Lima',
      org: 'Acme',
      phone: '+351912345678',
      budget: '10',
    });
    expect(result.ok && result.submission).toMatchObject({
      contact: { name: 'Ana Lima', company: 'Acme', phone: '+351912345678' },
      custom: { budget: 10 },
    });
  });

  it('needs a way to reach the person', () => {
    const form = compileForm({
      fields: [reach, { key: 'phone', type: 'phone', label: 'Phone', required: false }],
    });
    expect(form.validate({})).toEqual({
      ok: false,
      kind: 'values',
      fields: { email: 'Enter an e-mail address or a phone number.' },
    });
  });
});

describe('hostile input', () => {
  const form = compileForm({
    fields: [
      { key: 'name', type: 'text', label: 'Name', required: true },
      reach,
      { key: 'msg', type: 'textarea', label: 'Message', required: false },
    ],
  });

  it('keeps markup as text: escaping is the renderer’s job', () => {
    const payload = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';
    const result = form.validate({
      name: payload,
      email: 'a@example.com',
      msg: `"'><svg/onload=alert(1)>`,
    });
    expect(result.ok && result.submission.contact.name).toBe(payload);
  });

  it('takes any script or emoji, refuses control and bidi-override characters', () => {
    for (const name of ['Zoë 🌸', 'محمد', '山田太郎', 'Ἀριστοτέλης', '👨‍👩‍👧‍👦 family']) {
      expect(form.validate({ name, email: 'a@example.com' }).ok, name).toBe(true);
    }
    for (const name of [
      'null\u0000byte',
      'bell\u0007',
      'bidi \u202e gnp.exe',
      'lone \ud800 surrogate',
      'c1 \u0085',
    ]) {
      const result = form.validate({ name, email: 'a@example.com' });
      expect(result.ok, JSON.stringify(name)).toBe(false);
    }
  });

  it('refuses wrong types and oversized values with a message, never an exception', () => {
    for (const name of [
      42,
      true,
      null,
      ['a'],
      { toString: 'x' },
      'x'.repeat(501),
      'x'.repeat(1_000_000),
    ]) {
      const result = form.validate({ name, email: 'a@example.com' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(typeof result.fields.name).toBe('string');
    }
    expect(form.validate('not an object').ok).toBe(false);
    expect(form.validate([1, 2]).ok).toBe(false);
    expect(form.validate(null).ok).toBe(false);
  });

  it('drops undeclared keys holding plain values: only validated values are kept', () => {
    const result = form.validate({
      name: ' A ',
      email: 'A@Example.com',
      utm_campaign: 'spring',
      tags: ['a', 'b'],
      nothing: null,
    });
    expect(result.ok && result.submission.values).toEqual({ name: 'A', email: 'a@example.com' });
  });

  it('refuses reserved keys, declared or not, as a malformed submission', () => {
    for (const raw of [
      '{"name":"A","email":"a@example.com","__proto__":{"polluted":true}}',
      '{"name":"A","email":"a@example.com","constructor":"x"}',
      '{"name":"A","email":"a@example.com","prototype":1}',
    ]) {
      const result = form.validate(JSON.parse(raw));
      expect(result.ok, raw).toBe(false);
      if (!result.ok) {
        expect(result.kind).toBe('shape');
        expect(Object.values(result.fields)[0]).toMatch(/__proto__, constructor or prototype/);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values nested deeper than a form can declare, at once and without recursion', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 2000; i++) deep = { next: deep };
    let deepList: unknown = ['x'];
    for (let i = 0; i < 100_000; i++) deepList = [deepList];
    const cases: Record<string, unknown>[] = [
      { extra: deep },
      { msg: deep },
      { msg: deepList },
      { extra: { a: 1 } },
      { extra: [['nested']] },
      { extra: [{ a: 1 }] },
    ];
    for (const extra of cases) {
      const result = form.validate({ name: 'A', email: 'a@example.com', ...extra });
      const key = Object.keys(extra)[0]!;
      expect(result).toEqual({
        ok: false,
        kind: 'shape',
        fields: { [key]: expect.stringMatching(/nested objects and lists are not accepted/) },
      });
    }
    // A list of scalars is as deep as a form goes (multi-select): refused by type, not by shape.
    const list = form.validate({ name: ['a'], email: 'a@example.com' });
    expect(list.ok || list.kind).toBe('values');
  });

  it('never throws, whatever JSON arrives (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('name', 'email', 'msg', 'x', '__proto__'), fc.jsonValue()),
        (raw) => {
          const result = form.validate(raw);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the built-in API fields', () => {
  it('validates the known keys and keeps others as custom values', () => {
    const result = validateApiLead({
      name: 'A',
      phone: '+5511999990009',
      plan: 'pro',
      seats: 3,
      vip: true,
    });
    expect(result.ok && result.submission.custom).toEqual({ plan: 'pro', seats: 3, vip: true });
    const bad = validateApiLead({ email: 'a@example.com', 'Bad Key': 'x', nested: { a: 1 } });
    expect(bad).toEqual({
      ok: false,
      kind: 'shape',
      fields: {
        nested: expect.stringMatching(/nested objects and lists are not accepted/),
      },
    });
    expect(validateApiLead({ email: 'a@example.com', 'Bad Key': 'x', list: ['a'] })).toEqual({
      ok: false,
      kind: 'values',
      fields: {
        'Bad Key': 'Custom field keys use 1-40 lower-case letters, digits or _.',
        list: 'Custom values are text, numbers or booleans.',
      },
    });
    const reserved = validateApiLead(JSON.parse('{"email":"a@example.com","constructor":"x"}'));
    expect(reserved.ok || reserved.kind).toBe('shape');
  });
});

describe('form definitions', () => {
  it('refuse reserved field keys', () => {
    const base = { name: 'F', allowedOrigins: [] };
    for (const key of ['constructor', 'prototype', '__proto__']) {
      const parsed = formDefinitionSchema.safeParse({
        ...base,
        fields: [reach, { key, type: 'text', label: 'T' }],
      });
      expect(parsed.success, key).toBe(false);
    }
  });

  it('refuse duplicate keys, options on text, and forms nobody can be reached through', () => {
    const base = { name: 'F', allowedOrigins: [], fields: [reach] };
    expect(formDefinitionSchema.safeParse(base).success).toBe(true);
    expect(formDefinitionSchema.safeParse({ ...base, fields: [reach, reach] }).success).toBe(false);
    expect(
      formDefinitionSchema.safeParse({
        ...base,
        fields: [
          reach,
          { key: 't', type: 'text', label: 'T', options: [{ value: 'a', label: 'a' }] },
        ],
      }).success,
    ).toBe(false);
    expect(
      formDefinitionSchema.safeParse({ ...base, fields: [{ key: 't', type: 'text', label: 'T' }] })
        .success,
    ).toBe(false);
    expect(
      formDefinitionSchema.safeParse({ ...base, allowedOrigins: ['https://a.example/path'] })
        .success,
    ).toBe(false);
  });
});
