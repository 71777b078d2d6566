'use client';

import { routeContracts, type TwoFactorChallenge } from '@switchboard/contracts';
import { useEffect, useState, type FormEvent } from 'react';
import { BuildingIcon, ShieldIcon } from '@/components/icons';
import { Button, Field, Input } from '@/components/ui';
import { api, apiBase, ApiError } from '@/lib/api-client';
import { isErrorCode } from '@/lib/errors';

// Single sign-on on the login page: "Sign in with SSO" (a work e-mail, whose domain finds the
// workspace, or the workspace's sign-in address), and the platform's provider when there is one.
// Both are navigations to the API's `/auth/sso/start`; the identity provider sends the browser
// back to the login page: `?sso=done` (the refresh cookie is set: the session provider picks it
// up), `?error=<code>` (shown in plain words), or `#challenge=…` (two-factor still to do).

function startUrl(query: Record<string, string>): string {
  return `${apiBase}${routeContracts['auth.sso.start'].path}?${new URLSearchParams(query)}`;
}

export function SsoSignIn({ next }: { next: string }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [leaving, setLeaving] = useState(false);
  const [platform, setPlatform] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.call('auth.sso.providers', { anonymous: true }).then(
      (providers) => live && setPlatform(providers.platform?.name ?? null),
      // An older server without single sign-on: nothing to offer.
      () => live && setPlatform(null),
    );
    return () => {
      live = false;
    };
  }, []);

  function go(query: Record<string, string>) {
    setLeaving(true);
    window.location.assign(startUrl({ ...query, next }));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const entered = value.trim();
    if (!entered) return;
    go(entered.includes('@') ? { email: entered } : { tenant: entered.toLowerCase() });
  }

  return (
    <div className="space-y-3 border-t border-slate-200 pt-4">
      {platform ? (
        <Button className="w-full" busy={leaving} onClick={() => go({ provider: 'platform' })}>
          <ShieldIcon size={16} /> Continue with {platform}
        </Button>
      ) : null}
      {open ? (
        <form onSubmit={onSubmit} className="space-y-3" noValidate>
          <Field
            label="Work e-mail or workspace"
            hint="Your work address (ana@acme.com), or your workspace’s sign-in address (acme)."
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                name="sso"
                autoComplete="username"
                spellCheck={false}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                autoFocus
              />
            )}
          </Field>
          <Button
            type="submit"
            variant="primary"
            busy={leaving}
            disabled={!value.trim()}
            className="w-full"
          >
            Continue to your identity provider
          </Button>
        </form>
      ) : (
        <Button variant="ghost" className="w-full" onClick={() => setOpen(true)}>
          <BuildingIcon size={16} /> Use single sign-on (SSO)
        </Button>
      )}
    </div>
  );
}

/**
 * What a single sign-on brought back to the login page, read once: an `?error=` code (as the
 * error its sentence comes from) or a two-factor challenge in the fragment. Both are removed
 * from the address bar, so a reload does not show them again.
 */
export function useSsoArrival(handlers: {
  onError: (error: ApiError) => void;
  onChallenge: (challenge: TwoFactorChallenge) => void;
}): void {
  const { onError, onChallenge } = handlers;
  useEffect(() => {
    const url = new URL(window.location.href);
    const fragment = new URLSearchParams(url.hash.slice(1));
    const challenge = fragment.get('challenge');
    const code = url.searchParams.get('error');
    if (!challenge && !code) return;
    if (challenge) {
      onChallenge({
        twoFactorRequired: true,
        challenge,
        expiresIn: Number(fragment.get('expiresIn')) || 300,
      });
    }
    if (code) onError(new ApiError(400, isErrorCode(code) ? code : 'sso_failed', `sso: ${code}`));
    url.hash = '';
    url.searchParams.delete('error');
    window.history.replaceState(null, '', `${url.pathname}${url.search}`);
    // Once, on arrival.
  }, []);
}
