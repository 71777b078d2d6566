'use client';

import type { SsoSettings, UpdateSsoSettingsRequest } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { CopyButton } from '@/components/copy-button';
import {
  Badge,
  Button,
  Card,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  Toggle,
} from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';
import { relativeFromNow } from '@/lib/format';
import { useRole } from '@/lib/session';

// Settings → Single sign-on (the owner's): the workspace's own OpenID Connect provider (Okta,
// Entra ID, Google Workspace, Keycloak, Cognito, Supabase Auth…), its sign-in address on the
// login page, and the e-mail domains whose people join as agents when they first sign in.

const ssoKey = ['sso-settings'];

function CardHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="border-b border-slate-200 px-5 py-4">
      <h2 className="font-semibold text-slate-900">{title}</h2>
      {children ? <div className="mt-1 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

const domainsOf = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);

export function SsoSettingsPanel() {
  const { atLeast } = useRole();
  if (!atLeast('owner')) {
    return (
      <Card>
        <CardHeader title="Single sign-on" />
        <p className="p-5 text-sm text-slate-600">
          Only a workspace owner can set up single sign-on. You can always sign in with your
          password, or with single sign-on if your workspace uses it.
        </p>
      </Card>
    );
  }
  return <OwnerSsoSettings />;
}

function OwnerSsoSettings() {
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: ssoKey,
    queryFn: ({ signal }) => api.call('sso-settings.get', { signal }),
  });
  const remove = useMutation({
    mutationFn: () => api.call('sso-settings.delete'),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ssoKey }),
  });

  if (settings.isLoading) return <LoadingState label="Loading…" />;
  if (settings.error || !settings.data) {
    return (
      <ErrorState error={settings.error} onRetry={() => void settings.refetch()} what="settings" />
    );
  }
  const data = settings.data;
  const active = Boolean(data.identityProvider || data.slug || data.allowedDomains.length);
  return (
    <div className="space-y-6">
      <SsoForm
        key={data.updatedAt ?? 'new'}
        data={data}
        onSaved={(next) => queryClient.setQueryData(ssoKey, next)}
      />
      {active ? (
        <Card>
          <CardHeader title="Turn single sign-on off">
            Removes the identity provider (and its secret), the sign-in address and the domains.
            Members keep their accounts and can sign in with a password (a reset link sets one).
          </CardHeader>
          <div className="space-y-3 p-5">
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => {
                if (window.confirm('Turn single sign-on off for this workspace?')) remove.mutate();
              }}
            >
              Turn off
            </Button>
            <InlineError error={remove.error} />
          </div>
        </Card>
      ) : null}
    </div>
  );
}

function SsoForm({ data, onSaved }: { data: SsoSettings; onSaved: (next: SsoSettings) => void }) {
  const idp = data.identityProvider;
  const [slug, setSlug] = useState(data.slug ?? '');
  const [domains, setDomains] = useState(data.allowedDomains.join(', '));
  const [ownProvider, setOwnProvider] = useState(Boolean(idp) || !data.platformProvider);
  const [issuer, setIssuer] = useState(idp?.issuer ?? '');
  const [clientId, setClientId] = useState(idp?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [displayName, setDisplayName] = useState(idp?.displayName ?? '');
  const [saved, setSaved] = useState(false);

  const save = useMutation({
    mutationFn: (body: UpdateSsoSettingsRequest) => api.call('sso-settings.update', { body }),
    onSuccess: (next) => {
      setClientSecret('');
      setSaved(true);
      onSaved(next);
    },
  });
  useEffect(() => {
    if (!saved) return;
    const timer = setTimeout(() => setSaved(false), 3000);
    return () => clearTimeout(timer);
  }, [saved]);

  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const fieldFor = (name: string) =>
    Object.entries(fields).find(([key]) => key === name || key.startsWith(`${name}.`))?.[1];

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    save.mutate({
      slug: slug.trim() ? slug.trim().toLowerCase() : null,
      allowedDomains: domainsOf(domains),
      identityProvider: ownProvider
        ? {
            issuer: issuer.trim(),
            clientId: clientId.trim(),
            clientSecret: clientSecret || undefined,
            displayName: displayName.trim() || undefined,
          }
        : null,
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card>
        <CardHeader title="Single sign-on">
          Let your team sign in with your organisation&rsquo;s identity provider (OpenID Connect).
          Accounts are matched by verified e-mail; people from your domains join on their first
          sign-in.
        </CardHeader>
        <div className="space-y-5 p-5">
          <Field
            label="Sign-in address"
            hint="What your team types under “Use single sign-on” on the login page (or their work e-mail)."
            error={fieldFor('slug')}
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                value={slug}
                placeholder="acme"
                spellCheck={false}
                onChange={(e) => setSlug(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field
            label="E-mail domains that may join"
            hint="Someone with a verified address on one of these domains joins as an agent the first time they sign in. Separate with commas. Invited people and existing members sign in whatever their domain."
            error={fieldFor('allowedDomains')}
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                value={domains}
                placeholder="acme.com, acme.co.uk"
                spellCheck={false}
                onChange={(e) => setDomains(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>

          <div className="space-y-3 rounded-lg border border-slate-200 p-4">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <div>
                <p className="font-medium text-slate-900">Identity provider</p>
                <p className="text-sm text-slate-600">
                  {ownProvider
                    ? 'Your own OpenID Connect provider.'
                    : `The platform’s: ${data.platformProvider?.name ?? 'none configured'}.`}
                </p>
              </div>
              {data.platformProvider ? (
                <Toggle
                  checked={ownProvider}
                  onChange={setOwnProvider}
                  label={ownProvider ? 'Using our own' : 'Use our own'}
                />
              ) : null}
            </div>
            {ownProvider ? (
              <>
                <Field
                  label="Issuer URL"
                  hint="For example https://cognito-idp.<region>.amazonaws.com/<pool id>, https://login.microsoftonline.com/<tenant id>/v2.0, https://accounts.google.com, https://<host>/realms/<realm>, https://<project>.supabase.co/auth/v1."
                  error={fieldFor('issuer') ?? fieldFor('identityProvider')}
                >
                  {({ id, describedBy, invalid }) => (
                    <Input
                      id={id}
                      type="url"
                      value={issuer}
                      spellCheck={false}
                      onChange={(e) => setIssuer(e.target.value)}
                      aria-describedby={describedBy}
                      aria-invalid={invalid}
                    />
                  )}
                </Field>
                <Field label="Client ID" error={fieldFor('identityProvider.clientId')}>
                  {({ id, describedBy, invalid }) => (
                    <Input
                      id={id}
                      value={clientId}
                      spellCheck={false}
                      onChange={(e) => setClientId(e.target.value)}
                      aria-describedby={describedBy}
                      aria-invalid={invalid}
                    />
                  )}
                </Field>
                <Field
                  label="Client secret"
                  hint={
                    idp?.clientSecretSet
                      ? 'A secret is stored (encrypted; never shown). Leave empty to keep it.'
                      : 'Leave empty for a public client (PKCE only).'
                  }
                  error={fieldFor('identityProvider.clientSecret')}
                >
                  {({ id, describedBy, invalid }) => (
                    <Input
                      id={id}
                      type="password"
                      autoComplete="off"
                      value={clientSecret}
                      placeholder={idp?.clientSecretSet ? '••••••••' : ''}
                      onChange={(e) => setClientSecret(e.target.value)}
                      aria-describedby={describedBy}
                      aria-invalid={invalid}
                    />
                  )}
                </Field>
                <Field label="Name on the login page (optional)">
                  {({ id, describedBy }) => (
                    <Input
                      id={id}
                      value={displayName}
                      placeholder="Okta"
                      onChange={(e) => setDisplayName(e.target.value)}
                      aria-describedby={describedBy}
                    />
                  )}
                </Field>
                <div className="space-y-1">
                  <p className="text-sm font-medium text-slate-900">Redirect URI</p>
                  <p className="text-sm text-slate-600">
                    Register this at your provider as the client&rsquo;s redirect (callback) URL,
                    with the authorization code flow and the scopes openid, email and profile.
                  </p>
                  <div className="flex flex-wrap items-center gap-2">
                    <code className="break-all rounded bg-slate-100 px-2 py-1 text-xs">
                      {data.callbackUrl}
                    </code>
                    <CopyButton text={data.callbackUrl} />
                  </div>
                </div>
              </>
            ) : null}
          </div>

          {save.error && Object.keys(fields).length === 0 ? (
            <InlineError error={save.error} />
          ) : null}
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" variant="primary" busy={save.isPending}>
              Save
            </Button>
            {saved ? <Badge tone="green">Saved</Badge> : null}
            {data.updatedAt ? (
              <span className="text-xs text-slate-500">
                Last changed {relativeFromNow(data.updatedAt)}.
              </span>
            ) : null}
          </div>
        </div>
      </Card>
    </form>
  );
}
