'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { AuthCard } from '@/components/auth-card';
import { Button, Field, InlineError, Input, LoadingState } from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';
import { takeLinkToken } from '@/lib/link-token';

// `/reset-password/?token=…`, from the reset e-mail. The token leaves the address bar at once;
// it works once, for 30 minutes, and using it signs the account out everywhere.

export default function ResetPasswordPage() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  useEffect(() => setToken(takeLinkToken('/reset-password/')), []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!token || password !== repeat) return;
    setBusy(true);
    setError(null);
    try {
      await api.call('auth.passwordResetConfirm', { body: { token, password }, anonymous: true });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = error instanceof ApiError ? error.fields.password : undefined;
  const mismatch = repeat.length > 0 && repeat !== password;
  const spent = error instanceof ApiError && error.code === 'invalid_token';
  return (
    <AuthCard>
      {token === undefined ? (
        <LoadingState />
      ) : done ? (
        <div className="space-y-3" role="status">
          <h1 className="text-xl font-semibold text-slate-900">Your password is changed</h1>
          <p className="text-sm text-slate-600">
            Every device that was signed in has been signed out. Sign in with the new password.
          </p>
          <Link
            href="/login/"
            className="inline-flex h-10 items-center rounded-lg bg-brand px-4 text-sm font-medium text-white hover:bg-brand/90"
          >
            Sign in
          </Link>
        </div>
      ) : !token || spent ? (
        <div className="space-y-3">
          <h1 className="text-xl font-semibold text-slate-900">
            {token ? 'This link no longer works' : 'This reset link is incomplete'}
          </h1>
          <p className="text-sm text-slate-500">
            A reset link works once, for 30 minutes. Ask for a new one and use the newest e-mail.
          </p>
          <Link
            href="/forgot-password/"
            className="text-sm font-medium text-brand-strong hover:underline"
          >
            Send me a new link
          </Link>
        </div>
      ) : (
        <form onSubmit={submit} className="space-y-4" noValidate>
          <div>
            <h1 className="text-xl font-semibold text-slate-900">Choose a new password</h1>
            <p className="mt-1 text-sm text-slate-500">
              At least 10 characters. You will be signed out everywhere else.
            </p>
          </div>
          <Field label="New password" error={fieldError}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                autoFocus
              />
            )}
          </Field>
          <Field
            label="Repeat the new password"
            error={mismatch ? 'The two passwords differ.' : undefined}
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="password"
                autoComplete="new-password"
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          {error && !fieldError ? <InlineError error={error} /> : null}
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            disabled={!password || password !== repeat}
            className="w-full"
          >
            Set the new password
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
