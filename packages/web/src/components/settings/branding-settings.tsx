'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getCountries } from 'libphonenumber-js/min';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import { applyBranding, inkFor } from '@/lib/branding';
import { brandingQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { ImageIcon } from '../icons';
import {
  Button,
  Card,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
  Select,
} from '../ui';

const colorKeys = [
  {
    key: 'primary',
    label: 'Primary colour',
    hint: 'Buttons, links, your own messages.',
    fallback: '#4f46e5',
  },
  { key: 'accent', label: 'Accent colour', hint: 'Highlights.', fallback: '#0ea5e9' },
  {
    key: 'background',
    label: 'Form background',
    hint: 'The hosted form’s page.',
    fallback: '#f8fafc',
  },
  { key: 'text', label: 'Form text', hint: 'Text on the form background.', fallback: '#0f172a' },
] as const;

type ColorKey = (typeof colorKeys)[number]['key'];

/** Every country libphonenumber knows, by its name in the browser's language. */
function useCountries(): { code: string; name: string }[] {
  return useMemo(() => {
    const names = new Intl.DisplayNames(undefined, { type: 'region' });
    return getCountries()
      .map((code) => ({ code, name: names.of(code) ?? code }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, []);
}

const hex = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function ColorField({
  label,
  hint,
  value,
  fallback,
  onChange,
  disabled,
}: {
  label: string;
  hint: string;
  value: string;
  fallback: string;
  onChange: (v: string) => void;
  disabled: boolean;
}) {
  const invalid = value !== '' && !hex.test(value);
  return (
    <Field
      label={label}
      hint={hint}
      error={invalid ? 'Use a hex colour such as #1f7a4d.' : undefined}
    >
      {({ id, describedBy }) => (
        <div className="flex items-center gap-2">
          <input
            type="color"
            aria-label={`${label} picker`}
            value={hex.test(value) && value.length === 7 ? value : fallback}
            onChange={(e) => onChange(e.target.value)}
            disabled={disabled}
            className="h-10 w-12 shrink-0 cursor-pointer rounded-lg border border-slate-300 bg-white p-1"
          />
          <Input
            id={id}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={value}
            placeholder={fallback}
            onChange={(e) => onChange(e.target.value.trim())}
            disabled={disabled}
            className="font-mono"
            spellCheck={false}
          />
        </div>
      )}
    </Field>
  );
}

export function BrandingSettings() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const branding = useQuery(brandingQuery());
  const [displayName, setDisplayName] = useState('');
  const [colors, setColors] = useState<Record<ColorKey, string>>({
    primary: '',
    accent: '',
    background: '',
    text: '',
  });
  const [defaultCountry, setDefaultCountry] = useState('');
  const countries = useCountries();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const b = branding.data;
    if (!b) return;
    setDisplayName(b.displayName ?? '');
    setDefaultCountry(b.defaultCountry ?? '');
    setColors({
      primary: b.colors.primary ?? '',
      accent: b.colors.accent ?? '',
      background: b.colors.background ?? '',
      text: b.colors.text ?? '',
    });
  }, [branding.data]);

  const save = useMutation({
    mutationFn: () =>
      api.call('branding.update', {
        body: {
          ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
          colors: Object.fromEntries(Object.entries(colors).filter(([, v]) => v !== '')),
          defaultCountry: defaultCountry === '' ? null : defaultCountry,
        },
      }),
    onSuccess: (next) => {
      queryClient.setQueryData(brandingQuery().queryKey, next);
      applyBranding(next);
      setSaved(true);
      setTimeout(() => setSaved(false), 2500);
    },
  });

  const upload = useMutation({
    mutationFn: (file: File) =>
      api.call('branding.logo', {
        rawBody: file,
        headers: { 'content-type': file.type || 'application/octet-stream' },
      }),
    onSuccess: (next) => queryClient.setQueryData(brandingQuery().queryKey, next),
  });

  if (branding.isLoading) return <LoadingState label="Loading branding…" />;
  if (branding.error)
    return (
      <ErrorState error={branding.error} onRetry={() => void branding.refetch()} what="Branding" />
    );
  if (branding.data === null) return <NotAvailable what="Branding" />;

  const previewPrimary = hex.test(colors.primary) ? colors.primary : '#4f46e5';
  const previewBg = hex.test(colors.background) ? colors.background : '#f8fafc';
  const previewText = hex.test(colors.text) ? colors.text : inkFor(previewBg);
  const invalid = Object.values(colors).some((v) => v !== '' && !hex.test(v));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!invalid) save.mutate();
  }

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
      <Card className="p-5">
        <form onSubmit={onSubmit} className="space-y-5">
          <Field label="Display name" hint="Shown on your hosted forms.">
            {({ id, describedBy }) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
                maxLength={80}
                disabled={!canEdit}
              />
            )}
          </Field>
          <Field
            label="Default country"
            hint="Phone numbers typed without a country code (forms, imports, new contacts) are read as this country’s."
          >
            {({ id, describedBy }) => (
              <Select
                id={id}
                aria-describedby={describedBy}
                value={defaultCountry}
                onChange={(e) => setDefaultCountry(e.target.value)}
                disabled={!canEdit}
              >
                <option value="">None: numbers need their country code</option>
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name} ({c.code})
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            {colorKeys.map((c) => (
              <ColorField
                key={c.key}
                label={c.label}
                hint={c.hint}
                fallback={c.fallback}
                value={colors[c.key]}
                disabled={!canEdit}
                onChange={(v) => setColors((prev) => ({ ...prev, [c.key]: v }))}
              />
            ))}
          </div>
          <div>
            <p className="text-sm font-medium text-slate-700">Logo</p>
            <div className="mt-2 flex items-center gap-4">
              <div className="flex h-16 w-32 items-center justify-center rounded-lg border border-dashed border-slate-300 bg-slate-50">
                {branding.data?.logoUrl ? (
                  <img
                    src={branding.data.logoUrl}
                    alt="Current logo"
                    className="max-h-14 max-w-28 object-contain"
                  />
                ) : (
                  <ImageIcon className="text-slate-400" />
                )}
              </div>
              <label className="inline-flex">
                <span className="sr-only">Upload a logo</span>
                <input
                  type="file"
                  accept="image/png,image/jpeg,image/svg+xml"
                  disabled={!canEdit || upload.isPending}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    if (file) upload.mutate(file);
                    e.target.value = '';
                  }}
                  className="text-sm file:mr-3 file:rounded-lg file:border file:border-slate-300 file:bg-white file:px-3 file:py-2 file:text-sm file:font-medium hover:file:bg-slate-50"
                />
              </label>
            </div>
            <p className="mt-1 text-xs text-slate-500">PNG, JPEG or SVG, up to 512 KB.</p>
            <InlineError error={upload.error} />
          </div>
          <InlineError error={save.error} />
          {canEdit ? (
            <div className="flex items-center gap-3">
              <Button type="submit" variant="primary" busy={save.isPending} disabled={invalid}>
                Save branding
              </Button>
              <span role="status" className="text-sm text-emerald-700">
                {saved ? 'Saved. The app and your forms now use these colours.' : ''}
              </span>
            </div>
          ) : (
            <p className="text-sm text-slate-500">Only admins can change branding.</p>
          )}
        </form>
      </Card>
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-700">Hosted form preview</p>
        <div
          className="rounded-xl border border-slate-200 p-5 shadow-sm"
          style={{ background: previewBg, color: previewText }}
        >
          {branding.data?.logoUrl ? (
            <img src={branding.data.logoUrl} alt="" className="mb-3 h-8 object-contain" />
          ) : null}
          <p className="text-lg font-semibold">{displayName || 'Your business'}</p>
          <p className="mt-3 text-sm font-medium">E-mail</p>
          <div className="mt-1 h-9 rounded-lg border border-black/15 bg-white" />
          <button
            type="button"
            tabIndex={-1}
            aria-hidden="true"
            className="mt-4 h-10 w-full rounded-lg text-sm font-semibold"
            style={{ background: previewPrimary, color: inkFor(previewPrimary) }}
          >
            Send
          </button>
        </div>
      </div>
    </div>
  );
}
