'use client';

import type { TwoFactorChallenge } from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState, type FormEvent } from 'react';
import { Logo } from '@/components/logo';
import { BuildingIcon, ChevronLeftIcon, ShieldIcon } from '@/components/icons';
import { Button, Field, InlineError, Input, LoadingState } from '@/components/ui';
import { roleInfo } from '@/lib/access';
import { api, ApiError, auth, type Session } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { SsoSignIn, useSsoArrival } from './sso-sign-in';

/** Where an owner or admin goes when a workspace requires two-factor they have not set up. */
const securitySettings = '/app/settings/?tab=security';

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
  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null);
  const [destination, setDestination] = useState<string | null>(null);
  // Back from single sign-on: signed in (the refresh cookie), refused (`?error=`), or a
  // two-factor challenge still to answer (in the fragment).
  const ssoDone = params?.get('sso') === 'done';
  const [ssoHandled, setSsoHandled] = useState(false);
  useSsoArrival({ onError: setError, onChallenge: setChallenge });

  useEffect(() => {
    if (state.status === 'signed-in' && !picking && !busy && (!ssoDone || ssoHandled)) {
      router.replace(destination ?? next);
    }
  }, [state.status, picking, busy, router, next, destination, ssoDone, ssoHandled]);

  useEffect(() => {
    if (!ssoDone || ssoHandled || state.status !== 'signed-in') return;
    // The same checks as after a password: a workspace's two-factor rule, or which workspace.
    setSsoHandled(true);
    setBusy(true);
    void signedIn(state.session).finally(() => setBusy(false));
  }, [ssoDone, ssoHandled, state]);

  /** Signed in: a workspace that requires two-factor of this person sends them to set it up. */
  async function signedIn(session: Session | null) {
    const status = await api.call('auth.twoFactor.status').catch(() => null);
    if (status && !status.enabled && status.requiredBy.length > 0) {
      setDestination(securitySettings);
      router.replace(securitySettings);
    } else if (session && session.tenants.length > 1) setPicking(session);
    else router.replace(next);
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const result = await login(email.trim(), password);
      if (result.kind === 'challenge') {
        setChallenge(result.challenge);
        setPassword('');
      } else await signedIn(result.session);
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

  if (challenge) {
    return (
      <TwoFactorStep
        challenge={challenge}
        onSignedIn={signedIn}
        onRestart={() => {
          setChallenge(null);
          setError(null);
        }}
      />
    );
  }

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
    <div className="space-y-4">
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
        <p className="text-center text-sm">
          <Link href="/forgot-password/" className="font-medium text-brand-strong hover:underline">
            Forgot password?
          </Link>
        </p>
        <SignupLink />
      </form>
      <SsoSignIn next={next} />
    </div>
  );
}

/** Offered only while the platform lets anyone create a workspace. */
function SignupLink() {
  const status = useQuery({
    queryKey: ['signup', 'status'],
    queryFn: ({ signal }) => api.call('auth.signup.status', { signal, anonymous: true }),
  });
  if (!status.data?.open) return null;
  return (
    <p className="text-center text-sm text-slate-600">
      New to Switchboard?{' '}
      <Link href="/signup/" className="font-medium text-brand-strong hover:underline">
        Create a workspace
      </Link>
    </p>
  );
}

/**
 * The second step of a sign-in with two-factor on: six digits from the authenticator app, or one
 * of the recovery codes. A spent or expired challenge sends the person back to the password.
 */
function TwoFactorStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: TwoFactorChallenge;
  onSignedIn: (session: Session | null) => Promise<void>;
  onRestart: () => void;
}) {
  const [mode, setMode] = useState<'code' | 'recovery'>('code');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const expired = error instanceof ApiError && error.code === 'invalid_token';

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const submitted = value;
    try {
      const session = await auth.completeTwoFactor(
        challenge.challenge,
        mode === 'code' ? { code: submitted.trim() } : { recoveryCode: submitted.trim() },
      );
      await onSignedIn(session);
    } catch (err) {
      setError(err);
      // Clear the refused code, but never what the person typed while the answer was on its way
      // (clearing that left Verify disabled under their finger).
      setValue((current) => (current === submitted ? '' : current));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <div className="flex items-start gap-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-brand/10 text-brand-strong">
          <ShieldIcon />
        </span>
        <div>
          <h1 className="text-xl font-semibold text-slate-900">Two-factor sign-in</h1>
          <p className="mt-1 text-sm text-slate-500">
            {mode === 'code'
              ? 'Enter the 6-digit code your authenticator app shows for Switchboard.'
              : 'Enter one of the recovery codes you saved when you set up two-factor. Each works once.'}
          </p>
        </div>
      </div>
      {mode === 'code' ? (
        <Field label="Code">
          {({ id, describedBy, invalid }) => (
            <Input
              key="code"
              id={id}
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              pattern="[0-9 ]*"
              maxLength={7}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className="font-mono tracking-widest"
              autoFocus
            />
          )}
        </Field>
      ) : (
        <Field label="Recovery code">
          {({ id, describedBy, invalid }) => (
            <Input
              key="recovery"
              id={id}
              name="recoveryCode"
              autoComplete="off"
              spellCheck={false}
              placeholder="xxxx-xxxx-xxxx-xxxx"
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className="font-mono"
              autoFocus
            />
          )}
        </Field>
      )}
      <InlineError error={error} />
      {expired ? (
        <Button variant="primary" className="w-full" onClick={onRestart}>
          Sign in again
        </Button>
      ) : (
        <Button
          type="submit"
          variant="primary"
          busy={busy}
          disabled={!value.trim()}
          className="w-full"
        >
          Verify
        </Button>
      )}
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <button
          type="button"
          className="inline-flex items-center gap-1 text-slate-600 hover:text-slate-900"
          onClick={onRestart}
        >
          <ChevronLeftIcon size={16} /> Back
        </button>
        <button
          type="button"
          className="text-brand-strong hover:underline"
          onClick={() => {
            setMode(mode === 'code' ? 'recovery' : 'code');
            setValue('');
            setError(null);
          }}
        >
          {mode === 'code' ? 'Use a recovery code instead' : 'Use the authenticator app'}
        </button>
      </div>
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
