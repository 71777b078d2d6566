'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { AuthCard } from '@/components/auth-card';
import { ChevronLeftIcon } from '@/components/icons';
import { Button, Field, InlineError, Input } from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';

// Asks for a reset link. The server answers the same whether or not the address has an account,
// so this page says the same too: "if an account uses it, a link is on its way".

export default function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.call('auth.passwordReset', { body: { email: email.trim() }, anonymous: true });
      setSentTo(email.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldError =
    error instanceof ApiError && error.code === 'validation_failed'
      ? error.fields.email
      : undefined;
  return (
    <AuthCard>
      {sentTo ? (
        <div className="space-y-3" role="status">
          <h1 className="text-xl font-semibold text-slate-900">Check your e-mail</h1>
          <p className="text-sm text-slate-600">
            If an account uses <strong>{sentTo}</strong>, we sent it a link to choose a new
            password. The link works once, for 30 minutes.
          </p>
          <p className="text-sm text-slate-500">
            Nothing there? Check the spam folder, or{' '}
            <button
              type="button"
              className="font-medium text-brand-strong hover:underline"
              onClick={() => setSentTo(null)}
            >
              try another address
            </button>
            .
          </p>
        </div>
      ) : (
        <form onSubmit={submit} className="space-y-4" noValidate>
          <div>
            <h1 className="text-xl font-semibold text-slate-900">Forgot your password?</h1>
            <p className="mt-1 text-sm text-slate-500">
              Enter the e-mail you sign in with and we will send you a link to choose a new one.
            </p>
          </div>
          <Field label="E-mail" error={fieldError}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="email"
                autoComplete="username"
                inputMode="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                autoFocus
              />
            )}
          </Field>
          {error && !fieldError ? <InlineError error={error} /> : null}
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            disabled={!email.trim()}
            className="w-full"
          >
            Send the link
          </Button>
        </form>
      )}
      <Link
        href="/login/"
        className="mt-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900"
      >
        <ChevronLeftIcon size={16} /> Back to sign in
      </Link>
    </AuthCard>
  );
}
