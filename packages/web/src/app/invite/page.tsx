'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { Logo } from '@/components/logo';
import { Button, Field, InlineError, Input, LoadingState } from '@/components/ui';
import { ApiError, auth } from '@/lib/api-client';

// `/invite/#token=…`: the token rides in the fragment, so it never reaches a server log or a
// Referer header. A new person picks a password; someone with an account types their own.

export default function InvitePage() {
  const router = useRouter();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const hash = new URLSearchParams(window.location.hash.slice(1));
    setToken(hash.get('token'));
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await auth.acceptInvite(token, password);
      // Drop the spent token from the address bar and history.
      window.history.replaceState(null, '', '/invite/');
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
            </form>
          )}
        </div>
      </div>
    </main>
  );
}
