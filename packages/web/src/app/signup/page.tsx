'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { AuthCard } from '@/components/auth-card';
import { ChevronLeftIcon } from '@/components/icons';
import { Button, Field, InlineError, Input, LoadingState } from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';

// Creates a workspace of one's own. Nothing exists until the mailed link is used; the server
// answers the same whether or not the address has an account, so this page says the same too.

export default function SignupPage() {
  const status = useQuery({
    queryKey: ['signup', 'status'],
    queryFn: ({ signal }) => api.call('auth.signup.status', { signal, anonymous: true }),
  });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [workspaceName, setWorkspaceName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.call('auth.signup', {
        body: {
          email: email.trim(),
          ...(name.trim() ? { name: name.trim() } : {}),
          workspaceName: workspaceName.trim(),
          password,
        },
        anonymous: true,
      });
      setSentTo(email.trim());
      setPassword('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fields =
    error instanceof ApiError && error.code === 'validation_failed' ? error.fields : {};
  const closed =
    status.data?.open === false || (error instanceof ApiError && error.code === 'signup_disabled');
  return (
    <AuthCard>
      {status.isLoading ? (
        <LoadingState />
      ) : closed ? (
        <div className="space-y-3" role="status">
          <h1 className="text-xl font-semibold text-slate-900">Sign-up is closed</h1>
          <p className="text-sm text-slate-600">
            New workspaces cannot be created here right now. Ask the Switchboard team for an
            invitation.
          </p>
        </div>
      ) : sentTo ? (
        <div className="space-y-3" role="status">
          <h1 className="text-xl font-semibold text-slate-900">Check your e-mail</h1>
          <p className="text-sm text-slate-600">
            We sent a link to <strong>{sentTo}</strong>. Open it to confirm the address: your
            workspace is created and you are signed in. The link works once, for 24 hours.
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
            <h1 className="text-xl font-semibold text-slate-900">Create a workspace</h1>
            <p className="mt-1 text-sm text-slate-500">
              Your team’s WhatsApp and Instagram inbox, contacts and leads. We will e-mail you a
              link to confirm your address.
            </p>
          </div>
          <Field
            label="Workspace name"
            hint="Usually your business’s name."
            error={fields.workspaceName}
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                name="workspaceName"
                autoComplete="organization"
                value={workspaceName}
                onChange={(e) => setWorkspaceName(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                autoFocus
              />
            )}
          </Field>
          <Field label="Your name" hint="Optional." error={fields.name}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                name="name"
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field label="Work e-mail" error={fields.email}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="email"
                name="email"
                autoComplete="username"
                inputMode="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field label="Password" hint="At least 10 characters." error={fields.password}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="password"
                name="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          {error && !Object.keys(fields).length ? <InlineError error={error} /> : null}
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            disabled={!email.trim() || !workspaceName.trim() || !password}
            className="w-full"
          >
            Create the workspace
          </Button>
        </form>
      )}
      <Link
        href="/login/"
        className="mt-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900"
      >
        <ChevronLeftIcon size={16} /> Already have an account? Sign in
      </Link>
    </AuthCard>
  );
}
