'use client';

import type { SessionDto, StartTwoFactorResponse } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { CopyButton } from '@/components/copy-button';
import { DownloadIcon, ShieldIcon } from '@/components/icons';
import {
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  Segmented,
} from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';
import { fullDate, relativeFromNow } from '@/lib/format';
import { useRole } from '@/lib/session';

// Settings → Security: the person's own two-factor sign-in and sessions, and, for the workspace's
// admins, its policy "owners and admins must use two-factor" (owners switch it).

const statusKey = ['two-factor'];
const sessionsKey = ['sessions'];
const policyKey = ['security-policy'];

export function SecuritySettings() {
  const { atLeast } = useRole();
  return (
    <div className="space-y-6">
      <TwoFactorCard />
      <SessionsCard />
      {atLeast('admin') ? <PolicyCard /> : null}
    </div>
  );
}

function CardHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="border-b border-slate-200 px-5 py-4">
      <h2 className="font-semibold text-slate-900">{title}</h2>
      {children ? <div className="mt-1 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

function fieldsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fields : {};
}

// ---------------------------------------------------------------- two-factor

function TwoFactorCard() {
  const status = useQuery({
    queryKey: statusKey,
    queryFn: ({ signal }) => api.call('auth.twoFactor.status', { signal }),
  });
  const [dialog, setDialog] = useState<'enrol' | 'disable' | 'codes' | null>(null);

  return (
    <Card>
      <CardHeader title="Two-factor sign-in">
        A code from an authenticator app (Google Authenticator, 1Password, Authy, …) after your
        password, so a stolen password alone does not open your account.
      </CardHeader>
      <div className="p-5">
        {status.isLoading ? (
          <LoadingState label="Loading…" />
        ) : status.error ? (
          <ErrorState
            error={status.error}
            onRetry={() => void status.refetch()}
            what="two-factor"
          />
        ) : status.data ? (
          <div className="space-y-4">
            {!status.data.enabled && status.data.requiredBy.length > 0 ? (
              <p
                role="alert"
                className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
              >
                {status.data.requiredBy.map((w) => w.name ?? w.tenantId).join(', ')}{' '}
                {status.data.requiredBy.length > 1 ? 'require' : 'requires'} owners and admins to
                use two-factor sign-in. Set it up to keep working there.
              </p>
            ) : null}
            {status.data.enabled ? (
              <div className="flex flex-wrap items-center justify-between gap-3">
                <div className="space-y-1 text-sm">
                  <p className="flex items-center gap-2 font-medium text-slate-900">
                    <Badge tone="green">On</Badge>
                    <span title={fullDate(status.data.enabledAt)}>
                      since {fullDate(status.data.enabledAt)}
                    </span>
                  </p>
                  <p className={status.data.recoveryCodesLeft <= 3 ? 'text-amber-800' : ''}>
                    {status.data.recoveryCodesLeft} of 10 recovery codes left.
                  </p>
                </div>
                <div className="flex gap-2">
                  <Button onClick={() => setDialog('codes')}>New recovery codes</Button>
                  <Button variant="ghost" onClick={() => setDialog('disable')}>
                    Turn off
                  </Button>
                </div>
              </div>
            ) : (
              <div className="flex flex-wrap items-center justify-between gap-3">
                <p className="flex items-center gap-2 text-sm text-slate-700">
                  <Badge>Off</Badge> Only your password protects this account.
                </p>
                <Button variant="primary" onClick={() => setDialog('enrol')}>
                  <ShieldIcon size={16} /> Set up two-factor
                </Button>
              </div>
            )}
          </div>
        ) : null}
      </div>
      <EnrolDialog open={dialog === 'enrol'} onClose={() => setDialog(null)} />
      <DisableDialog open={dialog === 'disable'} onClose={() => setDialog(null)} />
      <NewCodesDialog open={dialog === 'codes'} onClose={() => setDialog(null)} />
    </Card>
  );
}

/** The base32 secret in groups of four, easier to type into an app. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  const text = codes.join('\n');
  function download() {
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'switchboard-recovery-codes.txt';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  return (
    <div className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-3">
      <p className="text-sm font-medium text-amber-900">
        Save these recovery codes now: they are shown only once. Each one signs you in once if you
        lose your phone.
      </p>
      <ol
        className="grid grid-cols-2 gap-x-4 gap-y-1 rounded-md bg-white p-3 font-mono text-sm text-slate-900 ring-1 ring-amber-200"
        data-testid="recovery-codes"
      >
        {codes.map((code) => (
          <li key={code} className="select-all">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex gap-2">
        <CopyButton text={text} label="Copy all" />
        <Button size="sm" onClick={download}>
          <DownloadIcon size={14} /> Download
        </Button>
      </div>
    </div>
  );
}

function EnrolDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [enrolment, setEnrolment] = useState<StartTwoFactorResponse | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useMutation({
    mutationFn: () => api.call('auth.twoFactor.start', { body: { password } }),
    onSuccess: (res) => {
      setEnrolment(res);
      setPassword('');
    },
  });
  const confirm = useMutation({
    mutationFn: () => api.call('auth.twoFactor.confirm', { body: { code: code.trim() } }),
    onSuccess: (res) => {
      setCodes(res.recoveryCodes);
      // Workspace screens a policy held back work now.
      void queryClient.invalidateQueries();
    },
  });

  function close() {
    setPassword('');
    setCode('');
    setEnrolment(null);
    setCodes(null);
    start.reset();
    confirm.reset();
    onClose();
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Set up two-factor sign-in"
      wide
      footer={
        codes ? (
          <Button variant="primary" onClick={close}>
            I saved my codes
          </Button>
        ) : null
      }
    >
      {codes ? (
        <div className="space-y-3">
          <p className="text-sm text-slate-700">
            Two-factor sign-in is on. From now on you sign in with your password and a code.
          </p>
          <RecoveryCodes codes={codes} />
        </div>
      ) : enrolment ? (
        <form
          className="space-y-4"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            confirm.mutate();
          }}
        >
          <ol className="list-decimal space-y-3 pl-5 text-sm text-slate-700">
            <li>
              In your authenticator app, add an account with this key (time-based, 6 digits), or{' '}
              <a href={enrolment.otpauthUri} className="text-brand-strong underline">
                open it in the app
              </a>{' '}
              on this device.
              <div className="mt-2 flex items-center gap-2">
                <code
                  className="min-w-0 flex-1 select-all break-all rounded-md bg-slate-100 px-2 py-1.5 font-mono text-sm text-slate-900"
                  data-testid="two-factor-secret"
                >
                  {grouped(enrolment.secret)}
                </code>
                <CopyButton text={enrolment.secret} />
              </div>
              <p className="mt-1 text-xs text-slate-500">
                Account: {enrolment.accountName} · Issuer: {enrolment.issuer}
              </p>
            </li>
            <li>Enter the code the app shows now.</li>
          </ol>
          <Field label="Code from the app" error={fieldsOf(confirm.error).code}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                autoComplete="one-time-code"
                inputMode="numeric"
                maxLength={7}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                className="max-w-40 font-mono tracking-widest"
                autoFocus
              />
            )}
          </Field>
          <InlineError error={confirm.error} />
          <Button type="submit" variant="primary" busy={confirm.isPending} disabled={!code.trim()}>
            Turn on
          </Button>
        </form>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            start.mutate();
          }}
        >
          <p className="text-sm text-slate-700">Confirm it is you: enter your password.</p>
          <CurrentPasswordField
            value={password}
            onChange={setPassword}
            error={fieldsOf(start.error).password}
          />
          <InlineError error={start.error} />
          <Button type="submit" variant="primary" busy={start.isPending} disabled={!password}>
            Continue
          </Button>
        </form>
      )}
    </Dialog>
  );
}

/** "Confirm it is you": the signed-in user's password, focused when the step opens. */
function CurrentPasswordField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (v: string) => void;
  error?: string;
}) {
  return (
    <Field label="Password" error={error}>
      {({ id, describedBy, invalid }) => (
        <Input
          id={id}
          type="password"
          autoComplete="current-password"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          autoFocus
        />
      )}
    </Field>
  );
}

/** The password and a second factor: what turning off and new recovery codes both ask. */
function ProofFields({
  password,
  setPassword,
  code,
  setCode,
  useRecovery,
  setUseRecovery,
  allowRecovery,
  error,
}: {
  password: string;
  setPassword: (v: string) => void;
  code: string;
  setCode: (v: string) => void;
  useRecovery: boolean;
  setUseRecovery: (v: boolean) => void;
  allowRecovery: boolean;
  error: unknown;
}) {
  const fields = fieldsOf(error);
  return (
    <>
      <CurrentPasswordField value={password} onChange={setPassword} error={fields.password} />
      {allowRecovery ? (
        <Segmented
          label="Second factor"
          value={useRecovery ? 'recovery' : 'code'}
          onChange={(v) => {
            setUseRecovery(v === 'recovery');
            setCode('');
          }}
          options={[
            { value: 'code', label: 'App code' },
            { value: 'recovery', label: 'Recovery code' },
          ]}
        />
      ) : null}
      <Field
        label={useRecovery ? 'Recovery code' : 'Code from the app'}
        error={fields.code ?? fields.recoveryCode}
      >
        {({ id, describedBy, invalid }) => (
          <Input
            id={id}
            autoComplete={useRecovery ? 'off' : 'one-time-code'}
            inputMode={useRecovery ? 'text' : 'numeric'}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            className="font-mono"
          />
        )}
      </Field>
      <InlineError error={error} />
    </>
  );
}

function DisableDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const disable = useMutation({
    mutationFn: () =>
      api.call('auth.twoFactor.disable', {
        body: useRecovery
          ? { password, recoveryCode: code.trim() }
          : { password, code: code.trim() },
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries();
      close();
    },
  });
  function close() {
    setPassword('');
    setCode('');
    setUseRecovery(false);
    disable.reset();
    onClose();
  }
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Turn off two-factor sign-in"
      footer={
        <>
          <Button variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={disable.isPending}
            disabled={!password || !code.trim()}
            onClick={() => disable.mutate()}
          >
            Turn off
          </Button>
        </>
      }
    >
      <form
        className="space-y-4"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          disable.mutate();
        }}
      >
        <p className="text-sm text-slate-700">
          Your password alone will sign you in again. A workspace that requires two-factor will ask
          you to set it up before you can work there.
        </p>
        <ProofFields
          password={password}
          setPassword={setPassword}
          code={code}
          setCode={setCode}
          useRecovery={useRecovery}
          setUseRecovery={setUseRecovery}
          allowRecovery
          error={disable.error}
        />
      </form>
    </Dialog>
  );
}

function NewCodesDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const renew = useMutation({
    mutationFn: () =>
      api.call('auth.twoFactor.recoveryCodes', { body: { password, code: code.trim() } }),
    onSuccess: (res) => {
      setCodes(res.recoveryCodes);
      void queryClient.invalidateQueries({ queryKey: statusKey });
    },
  });
  function close() {
    setPassword('');
    setCode('');
    setCodes(null);
    renew.reset();
    onClose();
  }
  return (
    <Dialog
      open={open}
      onClose={close}
      title="New recovery codes"
      footer={
        codes ? (
          <Button variant="primary" onClick={close}>
            I saved my codes
          </Button>
        ) : (
          <>
            <Button variant="ghost" onClick={close}>
              Cancel
            </Button>
            <Button
              variant="primary"
              busy={renew.isPending}
              disabled={!password || !code.trim()}
              onClick={() => renew.mutate()}
            >
              Replace codes
            </Button>
          </>
        )
      }
    >
      {codes ? (
        <RecoveryCodes codes={codes} />
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            renew.mutate();
          }}
        >
          <p className="text-sm text-slate-700">
            Ten new codes replace all the old ones, used or not.
          </p>
          <ProofFields
            password={password}
            setPassword={setPassword}
            code={code}
            setCode={setCode}
            useRecovery={false}
            setUseRecovery={() => undefined}
            allowRecovery={false}
            error={renew.error}
          />
        </form>
      )}
    </Dialog>
  );
}

// ---------------------------------------------------------------- sessions

function SessionsCard() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: sessionsKey,
    queryFn: ({ signal }) => api.call('auth.sessions.list', { signal }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.call('auth.sessions.revoke', { params: { id } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
  const revokeOthers = useMutation({
    mutationFn: () => api.call('auth.sessions.revokeAll', { body: { keepCurrent: true } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
  const items = sessions.data?.items ?? [];
  const others = items.filter((s) => !s.current).length;

  return (
    <Card>
      <CardHeader title="Where you are signed in">
        Each browser or app you signed in with. End any you do not recognise: it is signed out at
        once.
      </CardHeader>
      {sessions.isLoading ? (
        <LoadingState label="Loading sessions…" />
      ) : sessions.error ? (
        <ErrorState
          error={sessions.error}
          onRetry={() => void sessions.refetch()}
          what="sessions"
        />
      ) : items.length === 0 ? (
        <EmptyState icon={<ShieldIcon />} title="No sessions" />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-5 py-2 font-medium">Device</th>
                <th className="px-3 py-2 font-medium">IP address</th>
                <th className="px-3 py-2 font-medium">Signed in</th>
                <th className="px-3 py-2 font-medium">Last used</th>
                <th className="px-5 py-2" aria-label="Actions" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((s) => (
                <SessionRow
                  key={s.id}
                  session={s}
                  busy={revoke.isPending && revoke.variables === s.id}
                  onRevoke={() => {
                    if (window.confirm(`Sign out “${s.device}”? It is signed out at once.`)) {
                      revoke.mutate(s.id);
                    }
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-5 py-3">
        <InlineError error={revoke.error ?? revokeOthers.error} />
        <Button
          className="ml-auto"
          disabled={others === 0}
          busy={revokeOthers.isPending}
          onClick={() => {
            if (window.confirm('Sign out every other browser and app?')) revokeOthers.mutate();
          }}
        >
          Sign out everywhere else
        </Button>
      </div>
    </Card>
  );
}

function SessionRow({
  session,
  busy,
  onRevoke,
}: {
  session: SessionDto;
  busy: boolean;
  onRevoke: () => void;
}) {
  const lastIp = session.lastIp && session.lastIp !== session.ip ? session.lastIp : undefined;
  return (
    <tr>
      <td className="px-5 py-3">
        <span className="font-medium text-slate-900" title={session.userAgent}>
          {session.device}
        </span>{' '}
        {session.current ? <Badge tone="brand">This device</Badge> : null}
      </td>
      <td className="px-3 py-3 font-mono text-xs text-slate-600">
        {session.ip ?? '—'}
        {lastIp ? <span className="block text-slate-600">last from {lastIp}</span> : null}
      </td>
      <td className="px-3 py-3 text-slate-500" title={fullDate(session.createdAt)}>
        {relativeFromNow(session.createdAt)}
      </td>
      <td className="px-3 py-3 text-slate-500" title={fullDate(session.lastUsedAt)}>
        {session.current ? 'Now' : relativeFromNow(session.lastUsedAt)}
      </td>
      <td className="px-5 py-3 text-right">
        {session.current ? null : (
          <Button size="sm" variant="ghost" busy={busy} onClick={onRevoke}>
            Sign out
          </Button>
        )}
      </td>
    </tr>
  );
}

// ---------------------------------------------------------------- workspace policy

function PolicyCard() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const owner = atLeast('owner');
  const policy = useQuery({
    queryKey: policyKey,
    queryFn: ({ signal }) => api.call('security-policy.get', { signal }),
  });
  const status = useQuery({
    queryKey: statusKey,
    queryFn: ({ signal }) => api.call('auth.twoFactor.status', { signal }),
  });
  const update = useMutation({
    mutationFn: (requireTwoFactorForAdmins: boolean) =>
      api.call('security-policy.update', { body: { requireTwoFactorForAdmins } }),
    onSuccess: (res) => queryClient.setQueryData(policyKey, res),
  });
  const on = policy.data?.requireTwoFactorForAdmins ?? false;
  const heldBack = policy.error instanceof ApiError && policy.error.code === 'two_factor_required';
  const ownTwoFactor = status.data?.enabled ?? false;

  return (
    <Card>
      <CardHeader title="Workspace policy">
        Require two-factor sign-in of everyone who can change this workspace&rsquo;s settings.
      </CardHeader>
      <div className="space-y-3 p-5">
        {policy.isLoading ? (
          <LoadingState label="Loading…" />
        ) : heldBack ? (
          <p className="text-sm text-slate-700">
            This workspace requires two-factor sign-in for owners and admins. Set it up above to see
            and change its policy.
          </p>
        ) : policy.error ? (
          <ErrorState error={policy.error} onRetry={() => void policy.refetch()} what="policy" />
        ) : (
          <>
            <label className="flex items-start gap-3">
              <input
                type="checkbox"
                className="mt-1 size-4 accent-[var(--sb-brand)]"
                checked={on}
                disabled={!owner || update.isPending || (!on && !ownTwoFactor)}
                onChange={(e) => update.mutate(e.target.checked)}
              />
              <span className="text-sm">
                <span className="font-medium text-slate-900">
                  Owners and admins must use two-factor sign-in
                </span>
                <span className="block text-slate-600">
                  Until they set it up, they can sign in but only reach their own security settings.
                  Agents and viewers are not affected.
                </span>
              </span>
            </label>
            {!owner ? (
              <p className="text-xs text-slate-500">Only an owner can change this.</p>
            ) : !on && !ownTwoFactor ? (
              <p className="text-xs text-slate-500">
                Turn on two-factor for your own account first.
              </p>
            ) : null}
            {policy.data?.updatedAt ? (
              <p className="text-xs text-slate-500">
                Last changed {relativeFromNow(policy.data.updatedAt)}.
              </p>
            ) : null}
            <InlineError error={update.error} />
          </>
        )}
      </div>
    </Card>
  );
}
