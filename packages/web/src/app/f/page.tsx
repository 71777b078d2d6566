'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  FormRenderer,
  initialValues,
  toSubmission,
  validate,
  type FieldValue,
  type Values,
} from '@/components/forms/form-renderer';
import { CheckIcon } from '@/components/icons';
import { Spinner } from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';
import { applyBranding } from '@/lib/branding';
import { FormConfigError, loadFormConfig } from './form-config';

// The hosted lead form: `/f/?id=<formId>` (or `/f/<formId>`, which the server answers with this
// page). Static export cannot pre-render unknown ids, so the page reads the id from the URL and
// loads the published config from the CDN (form-config.ts), never from the API; it posts the
// submission to the API's public submit route. No session, no cookies: anonymous requests only.

function formIdFromUrl(): string | null {
  if (typeof window === 'undefined') return null;
  const url = new URL(window.location.href);
  const fromQuery = url.searchParams.get('id');
  if (fromQuery) return fromQuery;
  const match = url.pathname.match(/^\/f\/([^/]+)\/?$/);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random()}`;
}

/** Tells an embedding page how tall the form is, so its iframe can fit it. */
function useReportHeight(ref: React.RefObject<HTMLElement | null>) {
  useEffect(() => {
    if (window.parent === window || !ref.current) return;
    const el = ref.current;
    const observer = new ResizeObserver(() => {
      window.parent.postMessage({ type: 'switchboard:form-height', height: el.scrollHeight }, '*');
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
}

function problemOf(error: unknown): FormConfigError['problem'] {
  return error instanceof FormConfigError ? error.problem : 'network';
}

function Centered({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      {children}
    </div>
  );
}

export default function HostedFormPage() {
  const [formId, setFormId] = useState<string | null | undefined>(undefined);
  useEffect(() => setFormId(formIdFromUrl()), []);
  const form = useQuery({
    queryKey: ['public-form-config', formId],
    queryFn: ({ signal }) => loadFormConfig(formId!, signal),
    enabled: Boolean(formId),
    // A missing or malformed file stays so: retry only what the network may have broken.
    retry: (count, err) => count < 1 && err instanceof FormConfigError && err.problem === 'network',
  });
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [done, setDone] = useState(false);
  const idempotencyKey = useRef(newKey());
  const root = useRef<HTMLDivElement>(null);
  useReportHeight(root);

  useEffect(() => {
    if (!form.data) return;
    applyBranding(form.data.branding);
    setValues(initialValues(form.data.fields, new URLSearchParams(window.location.search)));
    document.title = form.data.branding.displayName
      ? `${form.data.name} · ${form.data.branding.displayName}`
      : form.data.name;
  }, [form.data]);

  const fields = useMemo(() => form.data?.fields ?? [], [form.data]);

  async function submit(honeypot: string) {
    if (!form.data || !formId) return;
    const found = validate(fields, values, {
      defaultCountryCode: form.data.defaultCountryCode,
      defaultCountry: form.data.branding.defaultCountry,
    });
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length) return;
    setSubmitting(true);
    try {
      await api.call('public-forms.submit', {
        params: { id: formId },
        body: {
          fields: toSubmission(fields, values),
          ...(honeypot ? { website: honeypot } : {}),
          idempotencyKey: idempotencyKey.current,
        },
        anonymous: true,
      });
      setDone(true);
      const redirect = form.data.redirectUrl;
      if (redirect && /^https:\/\//.test(redirect)) {
        (window.top ?? window).location.href = redirect;
      }
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        setErrors(err.fields);
      } else if (err instanceof ApiError && err.status === 404) {
        // Withdrawn since the (cached) config was read.
        setFormError('This form is no longer available.');
      } else {
        setFormError(err instanceof Error ? err.message : 'Something went wrong. Please retry.');
      }
    } finally {
      setSubmitting(false);
    }
  }

  const branding = form.data?.branding;
  return (
    <div ref={root} className="min-h-full bg-page text-page-ink">
      <main className="mx-auto w-full max-w-xl px-4 py-8 sm:py-12">
        {formId === undefined || (formId && form.isLoading) ? (
          <Centered>
            <Spinner label="Loading the form…" />
          </Centered>
        ) : !formId ? (
          <Centered>
            <h1 className="text-xl font-semibold">This link is incomplete</h1>
            <p className="opacity-75">
              The address is missing the form id. Check the link you were given.
            </p>
          </Centered>
        ) : form.error || !form.data ? (
          <Centered>
            <h1 className="text-xl font-semibold" data-problem={problemOf(form.error)}>
              {problemOf(form.error) === 'unavailable'
                ? 'This form is not available'
                : 'The form could not load'}
            </h1>
            <p className="opacity-75">
              {problemOf(form.error) === 'unavailable'
                ? 'It may have been unpublished. Contact the business another way.'
                : problemOf(form.error) === 'invalid'
                  ? 'Its published settings could not be read. Contact the business another way.'
                  : 'Check your connection and reload the page.'}
            </p>
          </Centered>
        ) : (
          <div className="rounded-2xl bg-white/80 p-5 text-slate-900 shadow-sm ring-1 ring-black/5 sm:p-8">
            <header className="mb-6 space-y-3">
              {branding?.logoUrl ? (
                <img
                  src={branding.logoUrl}
                  alt={branding.displayName ? `${branding.displayName} logo` : 'Logo'}
                  className="h-10 max-w-48 object-contain"
                />
              ) : null}
              {branding?.displayName && !branding.logoUrl ? (
                <p className="text-sm font-medium text-brand-strong">{branding.displayName}</p>
              ) : null}
              <h1 className="text-2xl font-semibold">{form.data.name}</h1>
            </header>
            {done ? (
              <div role="status" className="flex flex-col items-center gap-3 py-8 text-center">
                <span className="flex size-12 items-center justify-center rounded-full bg-brand text-brand-ink">
                  <CheckIcon size={24} />
                </span>
                <p className="text-lg font-medium">
                  {form.data.successMessage ?? 'Thank you! We will be in touch soon.'}
                </p>
              </div>
            ) : (
              <FormRenderer
                form={form.data}
                values={values}
                onChange={(key: string, value: FieldValue) => {
                  setValues((v) => ({ ...v, [key]: value }));
                  if (errors[key])
                    setErrors((e) =>
                      Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)),
                    );
                }}
                errors={errors}
                formError={formError}
                submitting={submitting}
                onSubmit={(honeypot) => void submit(honeypot)}
              />
            )}
          </div>
        )}
        <p className="mt-6 text-center text-xs opacity-60">Powered by Switchboard</p>
      </main>
    </div>
  );
}
