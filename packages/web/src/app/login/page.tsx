'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState, type FormEvent } from 'react';
import { Logo } from '@/components/logo';
import { BuildingIcon, ChevronLeftIcon } from '@/components/icons';
import { Button, Field, InlineError, Input, LoadingState } from '@/components/ui';
import { roleInfo } from '@/lib/access';
import { ApiError, type Session } from '@/lib/api-client';
import { useSession } from '@/lib/session';

function safeNext(next: string | null): string {
  // Only our own app paths: never bounce a signed-in user to another site.
  return next && next.startsWith('/app/') && !next.startsWith('//') ? next : '/app/inbox/';
}

function LoginForm() {
  const { state, login, switchTenant } = useSession();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params?.get('next') ?? null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [picking, setPicking] = useState<Session | null>(null);

  useEffect(() => {
    if (state.status === 'signed-in' && !picking && !busy) router.replace(next);
  }, [state.status, picking, busy, router, next]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const session = await login(email.trim(), password);
      if (session && session.tenants.length > 1) setPicking(session);
      else router.replace(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function pick(tenantId: string) {
    setBusy(true);
    setError(null);
    try {
      if (tenantId !== picking?.tenantId) await switchTenant(tenantId);
      router.replace(next);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (state.status === 'loading') return <LoadingState label="Checking your session…" />;

  if (picking) {
    return (
      <div className="space-y-4">
        <div>
          <h1 className="text-xl font-semibold text-slate-900">Choose a workspace</h1>
          <p className="mt-1 text-sm text-slate-500">
            You belong to {picking.tenants.length} workspaces. You can switch later from the menu.
          </p>
        </div>
        <ul className="space-y-2">
          {picking.tenants.map((t) => (
            <li key={t.tenantId}>
              <button
                type="button"
                disabled={busy}
                onClick={() => void pick(t.tenantId)}
                className="flex w-full items-center gap-3 rounded-xl border border-slate-200 bg-white p-3 text-left shadow-sm hover:border-brand hover:bg-brand/5 focus-visible:outline-2 focus-visible:outline-brand disabled:opacity-60"
              >
                <span className="flex size-10 items-center justify-center rounded-lg bg-slate-100 text-slate-600">
                  <BuildingIcon />
                </span>
                <span className="flex-1">
                  <span className="block font-medium text-slate-900">{t.name ?? t.tenantId}</span>
                  <span className="block text-xs text-slate-500">{roleInfo[t.role].label}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        <InlineError error={error} />
        <button
          type="button"
          className="inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900"
          onClick={() => setPicking(null)}
        >
          <ChevronLeftIcon size={16} /> Use another account
        </button>
      </div>
    );
  }

  const fieldError =
    error instanceof ApiError && error.code === 'validation_failed' ? error.fields : {};
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <div>
        <h1 className="text-xl font-semibold text-slate-900">Sign in</h1>
        <p className="mt-1 text-sm text-slate-500">Welcome back. Your inbox is waiting.</p>
      </div>
      <Field label="E-mail" error={fieldError.email}>
        {({ id, describedBy, invalid }) => (
          <Input
            id={id}
            type="email"
            name="email"
            autoComplete="username"
            inputMode="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            autoFocus
          />
        )}
      </Field>
      <Field label="Password" error={fieldError.password}>
        {({ id, describedBy, invalid }) => (
          <Input
            id={id}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
          />
        )}
      </Field>
      {error && !(error instanceof ApiError && error.code === 'validation_failed') ? (
        <InlineError error={error} />
      ) : null}
      <Button type="submit" variant="primary" busy={busy} className="w-full">
        Sign in
      </Button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <main className="flex min-h-full items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex justify-center">
          <Logo className="text-lg" />
        </div>
        <div className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
          <Suspense fallback={<LoadingState />}>
            <LoginForm />
          </Suspense>
        </div>
        <p className="mt-6 text-center text-xs text-slate-500">
          WhatsApp and Instagram conversations, contacts and leads in one place.
        </p>
      </div>
    </main>
  );
}
