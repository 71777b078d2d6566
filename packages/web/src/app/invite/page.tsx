'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { Logo } from '@/components/logo';
import { Button, Field, InlineError, Input, LoadingState } from '@/components/ui';
import Link from 'next/link';
import { ApiError, auth } from '@/lib/api-client';
import { takeLinkToken } from '@/lib/link-token';

// `/invite/?token=…`, the link mailed to the invitee (the only place the token exists; older links
// carry it as `#token=`). The page drops it from the address bar at once. A new person picks a
// password; someone with an account types their own.

export default function InvitePage() {
  const router = useRouter();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => setToken(takeLinkToken('/invite/')), []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await auth.acceptInvite(token, password);
      router.replace('/app/inbox/');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const fieldError = error instanceof ApiError ? error.fields.password : undefined;
  return (
    <main className="flex min-h-full items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex justify-center">
          <Logo className="text-lg" />
        </div>
        <div className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
          {token === undefined ? (
            <LoadingState />
          ) : !token ? (
            <div className="space-y-2">
              <h1 className="text-xl font-semibold text-slate-900">
                This invitation link is incomplete
              </h1>
              <p className="text-sm text-slate-500">
                Open the full link from your invitation, or ask for a new one.
              </p>
            </div>
          ) : (
            <form onSubmit={submit} className="space-y-4" noValidate>
              <div>
                <h1 className="text-xl font-semibold text-slate-900">Join your team</h1>
                <p className="mt-1 text-sm text-slate-500">
                  New to Switchboard? Choose a password of at least 10 characters. Already have an
                  account? Enter its password.
                </p>
              </div>
              <Field label="Password" error={fieldError}>
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
              {error && !fieldError ? <InlineError error={error} /> : null}
              <Button
                type="submit"
                variant="primary"
                busy={busy}
                disabled={!password}
                className="w-full"
              >
                Join workspace
              </Button>
              <p className="text-center text-xs text-slate-500">
                Forgot the password of your account?{' '}
                <Link
                  href="/forgot-password/"
                  className="font-medium text-brand-strong hover:underline"
                >
                  Reset it
                </Link>
                , then open this invitation again.
              </p>
            </form>
          )}
        </div>
      </div>
    </main>
  );
}
