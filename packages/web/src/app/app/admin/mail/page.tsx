'use client';

import type { MailSummaryDto } from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { InboxIcon, RefreshIcon } from '@/components/icons';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  LoadingState,
  PageHeader,
  cx,
} from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { useSignedIn } from '@/lib/session';

// The sandbox's outgoing mail (password resets, invitations): every message it "sent" is an .eml
// file under its data directory, listed here for the platform admin so every flow can be tried on
// one machine (`npm run mail -- list` reads the same files). Deployed, SES delivers the mail and
// the routes answer 404.

const kindLabel: Record<string, string> = {
  password_reset: 'Password reset',
  invitation: 'Invitation',
};

function MessageView({ id }: { id: string }) {
  const message = useQuery({
    queryKey: ['admin', 'mail', id],
    queryFn: ({ signal }) => api.call('admin.mail.get', { params: { id }, signal }),
  });
  if (message.isLoading) return <LoadingState label="Opening the message…" />;
  if (message.error || !message.data) {
    return (
      <ErrorState error={message.error} onRetry={() => void message.refetch()} what="Message" />
    );
  }
  const m = message.data;
  return (
    <article className="space-y-4 p-5" aria-label="Message">
      <div>
        <h2 className="text-lg font-semibold text-slate-900">{m.subject}</h2>
        <dl className="mt-2 grid grid-cols-[4rem_1fr] gap-x-2 gap-y-1 text-sm">
          <dt className="text-slate-500">From</dt>
          <dd className="break-all text-slate-800">{m.from}</dd>
          <dt className="text-slate-500">To</dt>
          <dd className="break-all text-slate-800">{m.to}</dd>
          <dt className="text-slate-500">Date</dt>
          <dd className="text-slate-800">{m.date ? fullDate(m.date) : '—'}</dd>
        </dl>
      </div>
      {m.links.length > 0 ? (
        <div>
          <h3 className="text-sm font-medium text-slate-700">Links</h3>
          <ul className="mt-1 space-y-1">
            {m.links.map((link) => (
              <li key={link}>
                <a
                  href={link}
                  className="break-all text-sm font-medium text-brand-strong hover:underline"
                >
                  {link}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <pre className="whitespace-pre-wrap break-words rounded-lg bg-slate-50 p-4 font-sans text-sm text-slate-800">
        {m.text}
      </pre>
      {m.html ? (
        <details>
          <summary className="cursor-pointer text-sm font-medium text-slate-700">
            As HTML (what a mail client shows)
          </summary>
          {/* No scripts, no same origin: the mail's HTML cannot reach this page. */}
          <iframe
            title="The message as HTML"
            sandbox=""
            srcDoc={m.html}
            className="mt-2 h-[32rem] w-full rounded-lg border border-slate-200 bg-white"
          />
        </details>
      ) : null}
    </article>
  );
}

export default function MailboxPage() {
  const session = useSignedIn();
  const [selected, setSelected] = useState<string | null>(null);
  const mail = useQuery({
    queryKey: ['admin', 'mail'],
    queryFn: ({ signal }) => api.call('admin.mail.list', { signal, query: { limit: 100 } }),
    enabled: session.user.platformAdmin,
    refetchInterval: 3_000,
  });

  if (!session.user.platformAdmin) {
    return <EmptyState icon={<InboxIcon />} title="Platform admins only" />;
  }
  const notHere = mail.error instanceof ApiError && mail.error.status === 404;
  const items: MailSummaryDto[] = mail.data?.items ?? [];
  const current = selected ?? items[0]?.id ?? null;
  return (
    <div className="min-h-full">
      <PageHeader
        title="Sandbox mail"
        description="Every e-mail this sandbox sent, kept under its data directory (mail/*.eml)."
        actions={
          <div className="flex items-center gap-4">
            <Button size="sm" onClick={() => void mail.refetch()}>
              <RefreshIcon size={14} /> Refresh
            </Button>
            <Link
              className="text-sm font-medium text-brand-strong hover:underline"
              href="/app/admin/"
            >
              Workspaces
            </Link>
          </div>
        }
      />
      <div className="mx-auto grid max-w-6xl gap-6 p-4 md:p-6 lg:grid-cols-[22rem_1fr]">
        {mail.isLoading ? (
          <Card>
            <LoadingState label="Loading the mailbox…" />
          </Card>
        ) : notHere ? (
          <Card className="lg:col-span-2">
            <EmptyState icon={<InboxIcon />} title="Only in the local sandbox">
              Deployed, Amazon SES delivers the mail: there is no mailbox to read here.
            </EmptyState>
          </Card>
        ) : mail.error ? (
          <Card className="lg:col-span-2">
            <ErrorState error={mail.error} onRetry={() => void mail.refetch()} what="Mail" />
          </Card>
        ) : items.length === 0 ? (
          <Card className="lg:col-span-2">
            <EmptyState icon={<InboxIcon />} title="No mail yet">
              Invite a teammate or ask for a password reset: the message appears here.
            </EmptyState>
          </Card>
        ) : (
          <>
            <Card>
              <ul className="divide-y divide-slate-100" aria-label="Messages">
                {items.map((m) => (
                  <li key={m.id}>
                    <button
                      type="button"
                      onClick={() => setSelected(m.id)}
                      aria-current={m.id === current ? 'true' : undefined}
                      className={cx(
                        'block w-full px-4 py-3 text-left hover:bg-slate-50',
                        m.id === current && 'bg-brand/5',
                      )}
                    >
                      <span className="flex items-center justify-between gap-2">
                        <span className="truncate text-sm font-medium text-slate-900">
                          {m.to.replace(/^<(.*)>$/, '$1')}
                        </span>
                        {m.kind ? <Badge>{kindLabel[m.kind] ?? m.kind}</Badge> : null}
                      </span>
                      <span className="mt-0.5 block truncate text-sm text-slate-600">
                        {m.subject}
                      </span>
                      <span className="block text-xs text-slate-500">
                        {m.date ? fullDate(m.date) : ''}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </Card>
            <Card>{current ? <MessageView id={current} /> : null}</Card>
          </>
        )}
      </div>
    </div>
  );
}
