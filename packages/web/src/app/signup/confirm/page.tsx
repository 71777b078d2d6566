'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { Button, InlineError, LoadingState } from '@/components/ui';
import { api, ApiError, refreshSession } from '@/lib/api-client';
import { takeLinkToken } from '@/lib/link-token';

// `/signup/confirm/?token=…`, from the verification e-mail. The token leaves the address bar at
// once; confirming creates the account and its workspace and sets the refresh cookie, which the
// session then picks up, and the new owner lands in the workspace's inbox.

export default function SignupConfirmPage() {
  const router = useRouter();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  useEffect(() => setToken(takeLinkToken('/signup/confirm/')), []);

  async function confirm(value: string) {
    setError(null);
    try {
      await api.call('auth.signup.confirm', { body: { token: value }, anonymous: true });
      // The answer set the refresh cookie: the session (in the new workspace) comes from it.
      await refreshSession();
      router.replace('/app/inbox/');
    } catch (err) {
      setError(err);
    }
  }

  useEffect(() => {
    if (!token || started.current) return;
    // Once: a second confirmation would find the token spent.
    started.current = true;
    void confirm(token);
  }, [token]);

  const spent = error instanceof ApiError && error.code === 'invalid_token';
  const taken = error instanceof ApiError && error.code === 'conflict';
  return (
    <AuthCard>
      {token === undefined || (token && !error) ? (
        <LoadingState label="Creating your workspace…" />
      ) : !token || spent ? (
        <div className="space-y-3">
          <h1 className="text-xl font-semibold text-slate-900">
            {token ? 'This link no longer works' : 'This sign-up link is incomplete'}
          </h1>
          <p className="text-sm text-slate-500">
            A sign-up link works once, for 24 hours. If you already used it, sign in; otherwise sign
            up again and use the newest e-mail.
          </p>
          <div className="flex gap-4 text-sm font-medium">
            <Link href="/login/" className="text-brand-strong hover:underline">
              Sign in
            </Link>
            <Link href="/signup/" className="text-brand-strong hover:underline">
              Sign up again
            </Link>
          </div>
        </div>
      ) : taken ? (
        <div className="space-y-3">
          <h1 className="text-xl font-semibold text-slate-900">You already have an account</h1>
          <p className="text-sm text-slate-500">
            This address has a Switchboard account now, so no new one was made. Sign in with its
            password.
          </p>
          <Link href="/login/" className="text-sm font-medium text-brand-strong hover:underline">
            Sign in
          </Link>
        </div>
      ) : (
        <div className="space-y-3">
          <h1 className="text-xl font-semibold text-slate-900">
            We could not create the workspace
          </h1>
          <InlineError error={error} />
          <Button variant="primary" className="w-full" onClick={() => void confirm(token)}>
            Try again
          </Button>
        </div>
      )}
    </AuthCard>
  );
}
