'use client';

import type { LeadDetailDto, LeadDto } from '@switchboard/contracts';
import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Suspense, useState } from 'react';
import { ContactSource } from '@/components/attribution/source-block';
import { ConsentSection } from '@/components/contacts/consent-section';
import { ContactForm } from '@/components/contacts/contact-form';
import { MergeDialog } from '@/components/contacts/merge-dialog';
import {
  ChannelIcon,
  ChevronLeftIcon,
  FormIcon,
  PlusIcon,
  SearchIcon,
  UsersIcon,
} from '@/components/icons';
import { StatusTicks } from '@/components/inbox/message-bubble';
import {
  Avatar,
  Badge,
  Button,
  Card,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Input,
  LoadingState,
} from '@/components/ui';
import { api } from '@/lib/api-client';
import { contactQuery, contactSearchQuery } from '@/lib/contact-queries';
import { displayName, formatPhone, fullDate, shortTime } from '@/lib/format';
import { summarize, type MessageView } from '@/lib/message-types';
import { formsQuery, leadQuery, orNull } from '@/lib/queries';
import { useDebounced } from '@/lib/use-debounced';
import { useQueryParams } from '@/lib/use-query-param';
import { useRole } from '@/lib/session';

function ContactList({
  selected,
  onSelect,
}: {
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const { atLeast } = useRole();
  const q = useDebounced(search.trim());
  const customers = useQuery(contactSearchQuery(q));
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="border-b border-slate-200 p-4">
        <div className="mb-3 flex items-center justify-between gap-2">
          <h1 className="text-lg font-semibold text-slate-900">Contacts</h1>
          {atLeast('agent') ? (
            <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
              <PlusIcon size={14} /> New contact
            </Button>
          ) : null}
        </div>
        <Dialog open={creating} onClose={() => setCreating(false)} title="New contact" wide>
          {creating ? (
            <ContactForm
              onCancel={() => setCreating(false)}
              onSaved={(contact) => {
                setCreating(false);
                onSelect(contact.id);
              }}
            />
          ) : null}
        </Dialog>
        <label className="relative block">
          <span className="sr-only">Search contacts</span>
          <SearchIcon
            size={16}
            className="pointer-events-none absolute left-3 top-3 text-slate-500"
          />
          <Input
            type="search"
            placeholder="Search by name, phone or e-mail"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="pl-9"
          />
        </label>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto" aria-busy={customers.isFetching}>
        {customers.isLoading ? (
          <LoadingState label="Loading contacts…" />
        ) : customers.error && !customers.data ? (
          <ErrorState
            error={customers.error}
            onRetry={() => void customers.refetch()}
            what="Contacts"
          />
        ) : !customers.data?.items.length ? (
          <EmptyState icon={<UsersIcon />} title={q ? 'No contact matches' : 'No contacts yet'}>
            {q
              ? 'Try the start of a name or e-mail, or the last digits of a phone number.'
              : 'People who message you or fill in a form become contacts; add one with New contact.'}
          </EmptyState>
        ) : (
          <ul aria-label="Contacts">
            {customers.data.items.map((c) => {
              const name = displayName(c);
              return (
                <li key={c.id}>
                  <button
                    type="button"
                    onClick={() => onSelect(c.id)}
                    aria-current={c.id === selected ? 'true' : undefined}
                    className={cx(
                      'flex w-full items-center gap-3 border-b border-slate-100 px-4 py-3 text-left',
                      c.id === selected ? 'bg-brand/10' : 'hover:bg-slate-50',
                    )}
                  >
                    <Avatar name={name} size={40} />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate font-medium text-slate-900">{name}</span>
                      <span className="flex items-center gap-1.5 text-xs text-slate-500">
                        {c.identities.whatsapp ? (
                          <ChannelIcon channel="whatsapp" size={12} labelled />
                        ) : null}
                        {c.identities.instagram ? (
                          <ChannelIcon channel="instagram" size={12} labelled />
                        ) : null}
                        <span className="truncate">
                          {c.phone ? formatPhone(c.phone) : (c.email ?? c.identities.instagram)}
                        </span>
                      </span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}

type Submission = LeadDetailDto['submissions'][number];

type TimelineItem =
  | { kind: 'message'; at: string; id: string; m: MessageView }
  | { kind: 'submission'; at: string; id: string; lead: LeadDto; submission?: Submission };

function fieldSummary(fields: Record<string, unknown> | undefined): string {
  return Object.entries(fields ?? {})
    .filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .slice(0, 4)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join(' · ');
}

function ContactDetail({
  id,
  onBack,
  onOpen,
}: {
  id: string;
  onBack: () => void;
  onOpen: (id: string) => void;
}) {
  const detail = useQuery(contactQuery(id));
  const { atLeast } = useRole();
  const [dialog, setDialog] = useState<'edit' | 'merge' | null>(null);
  const leads = useQuery({
    queryKey: ['leads', { customerId: id }],
    queryFn: ({ signal }) =>
      orNull(
        api.call('leads.list', {
          signal,
          query: { customerId: id, limit: 50 },
        }),
      ),
  });
  // Each lead's detail carries its submissions: one timeline entry per form sent.
  const details = useQueries({
    queries: (leads.data?.items ?? []).slice(0, 10).map((l) => leadQuery(l.id)),
  });
  const forms = useQuery(formsQuery());
  const formName = (formId?: string) =>
    forms.data?.items.find((f) => f.id === formId)?.name ?? (formId ? 'a form' : 'the API');
  if (detail.isLoading) return <LoadingState label="Loading contact…" />;
  if (!detail.data)
    return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} what="Contact" />;
  const c = detail.data;
  const name = displayName(c);
  if (c.mergedInto) {
    const into = c.mergedInto;
    return (
      <div className="mx-auto max-w-3xl p-4 md:p-6">
        <EmptyState icon={<UsersIcon />} title={`${name} was merged`}>
          This contact is now part of another one, with one timeline.{' '}
          <button
            type="button"
            className="font-medium text-brand-strong hover:underline"
            onClick={() => onOpen(into)}
          >
            Open the merged contact
          </button>
        </EmptyState>
      </div>
    );
  }
  const timeline: TimelineItem[] = [
    ...c.timeline.items.map((m) => ({
      kind: 'message' as const,
      at: m.timestamp,
      id: m.id,
      m,
    })),
    ...(leads.data?.items ?? []).flatMap((lead): TimelineItem[] => {
      const submissions = details.find((d) => d.data?.id === lead.id)?.data?.submissions;
      if (!submissions?.length)
        return [{ kind: 'submission', at: lead.createdAt, id: lead.id, lead }];
      return submissions.map((submission) => ({
        kind: 'submission',
        at: submission.submittedAt,
        id: submission.id,
        lead,
        submission,
      }));
    }),
  ].sort((a, b) => b.at.localeCompare(a.at));

  return (
    <div className="mx-auto max-w-3xl space-y-4 p-4 md:p-6">
      <button
        type="button"
        onClick={onBack}
        className="inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900 md:hidden"
      >
        <ChevronLeftIcon size={16} /> All contacts
      </button>
      <Card className="p-5">
        <div className="flex items-center gap-4">
          <Avatar name={name} size={56} />
          <div className="min-w-0">
            <h2 className="truncate text-xl font-semibold text-slate-900">{name}</h2>
            {c.createdAt ? (
              <p className="text-sm text-slate-600">Contact since {fullDate(c.createdAt)}</p>
            ) : null}
          </div>
          {atLeast('agent') ? (
            <div className="ml-auto flex shrink-0 gap-2">
              <Button size="sm" onClick={() => setDialog('edit')}>
                Edit
              </Button>
              <Button size="sm" onClick={() => setDialog('merge')}>
                Merge…
              </Button>
            </div>
          ) : null}
        </div>
        <Dialog
          open={dialog === 'edit'}
          onClose={() => setDialog(null)}
          title={`Edit ${name}`}
          wide
        >
          {dialog === 'edit' ? (
            <ContactForm
              contact={c}
              onCancel={() => setDialog(null)}
              onSaved={() => setDialog(null)}
            />
          ) : null}
        </Dialog>
        <MergeDialog
          open={dialog === 'merge'}
          onClose={() => setDialog(null)}
          target={c}
          onMerged={() => setDialog(null)}
        />
        {c.tags?.length ? (
          <div className="mt-4 flex flex-wrap gap-1.5" aria-label="Tags">
            {c.tags.map((t) => (
              <Badge key={t} tone="blue">
                {t}
              </Badge>
            ))}
          </div>
        ) : null}
        <dl className="mt-5 grid gap-3 sm:grid-cols-2">
          {c.identities.whatsapp || c.phone ? (
            <div className="rounded-lg border border-slate-200 p-3">
              <dt className="flex items-center gap-1.5 text-xs font-medium text-slate-500">
                <ChannelIcon channel="whatsapp" size={14} /> WhatsApp
              </dt>
              <dd className="mt-1 font-medium text-slate-900">
                {formatPhone(c.phone ?? c.identities.whatsapp ?? '')}
              </dd>
            </div>
          ) : null}
          {c.identities.instagram ? (
            <div className="rounded-lg border border-slate-200 p-3">
              <dt className="flex items-center gap-1.5 text-xs font-medium text-slate-500">
                <ChannelIcon channel="instagram" size={14} /> Instagram
              </dt>
              <dd className="mt-1 break-all font-medium text-slate-900">
                IGSID {c.identities.instagram}
              </dd>
            </div>
          ) : null}
          {[
            ...(c.email ? [['E-mail', c.email] as const] : []),
            ...(c.company ? [['Company', c.company] as const] : []),
            ...Object.entries(c.attributes ?? {}).map(
              ([k, v]) => [k.replace(/_/g, ' '), String(v)] as const,
            ),
          ]
            .concat(
              (leads.data?.items ?? []).flatMap((l) => [
                ...(l.email ? [['E-mail', l.email] as const] : []),
                ...(l.company ? [['Company', l.company] as const] : []),
              ]),
            )
            .filter((x, i, all) => all.findIndex((y) => y[0] === x[0] && y[1] === x[1]) === i)
            .map(([label, value]) => (
              <div key={`${label}:${value}`} className="rounded-lg border border-slate-200 p-3">
                <dt className="text-xs font-medium text-slate-500">{label}</dt>
                <dd className="mt-1 break-all font-medium text-slate-900">{value}</dd>
              </div>
            ))}
        </dl>
        {c.conversations.length ? (
          <div className="mt-4 flex flex-wrap gap-2">
            {c.conversations.map((conv) => (
              <Link
                key={conv.id}
                href={`/app/inbox/?c=${encodeURIComponent(conv.id)}`}
                className="inline-flex items-center gap-2 rounded-lg border border-slate-200 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
              >
                <ChannelIcon channel={conv.channel} size={16} />
                Open {conv.channel === 'whatsapp' ? 'WhatsApp' : 'Instagram'} conversation
                {conv.unreadCount ? <Badge tone="brand">{conv.unreadCount} unread</Badge> : null}
              </Link>
            ))}
          </div>
        ) : null}
      </Card>
      <Card className="grid divide-y divide-slate-200 md:grid-cols-2 md:divide-x md:divide-y-0">
        <ConsentSection customerId={c.id} />
        <ContactSource customerId={c.id} />
      </Card>
      <Card>
        <h3 className="border-b border-slate-200 px-5 py-3 font-semibold text-slate-900">
          Timeline
        </h3>
        {timeline.length === 0 ? (
          <EmptyState title="Nothing here yet">
            Messages and form submissions will appear here.
          </EmptyState>
        ) : (
          <ol className="divide-y divide-slate-100">
            {timeline.map((item) =>
              item.kind === 'message' ? (
                <li key={`m:${item.id}`} className="flex gap-3 px-5 py-3">
                  <span className="mt-0.5">
                    <ChannelIcon channel={item.m.channel} size={18} labelled />
                  </span>
                  <div className="min-w-0 flex-1">
                    <p className="text-xs text-slate-500">
                      {item.m.direction === 'inbound' ? `${name} wrote` : 'You replied'} ·{' '}
                      <time dateTime={item.at}>{shortTime(item.at)}</time>
                    </p>
                    <p className="mt-0.5 line-clamp-3 whitespace-pre-wrap text-sm text-slate-800">
                      {summarize(item.m)}
                    </p>
                  </div>
                  {item.m.direction === 'outbound' ? <StatusTicks status={item.m.status} /> : null}
                </li>
              ) : (
                <li key={`s:${item.id}`} className="flex gap-3 px-5 py-3">
                  <span className="mt-0.5 flex size-[18px] items-center justify-center text-brand-strong">
                    <FormIcon size={18} />
                  </span>
                  <div className="min-w-0 flex-1">
                    <p className="text-xs text-slate-500">
                      Sent {formName(item.submission?.formId ?? item.lead.formId)} ·{' '}
                      <time dateTime={item.at}>{shortTime(item.at)}</time>
                    </p>
                    {item.submission ? (
                      <p className="mt-0.5 line-clamp-2 text-sm text-slate-800">
                        {fieldSummary(item.submission.fields)}
                      </p>
                    ) : null}
                    <p className="mt-0.5 text-sm text-slate-800">
                      {item.submission ? '' : 'Became a lead. '}
                      <Link
                        className="font-medium text-brand-strong hover:underline"
                        href={`/app/leads/?lead=${encodeURIComponent(item.lead.id)}`}
                      >
                        Open lead
                      </Link>
                    </p>
                  </div>
                </li>
              ),
            )}
          </ol>
        )}
      </Card>
    </div>
  );
}

function Contacts() {
  const [params, setParams] = useQueryParams();
  const selected = params.get('id');
  return (
    <div className="flex h-full min-h-0">
      <section
        aria-label="Contact list"
        className={cx(
          'flex min-h-0 w-full flex-col border-r border-slate-200 bg-white md:w-96 md:shrink-0',
          selected && 'hidden md:flex',
        )}
      >
        <ContactList selected={selected} onSelect={(id) => setParams({ id }, { push: true })} />
      </section>
      <section
        aria-label="Contact"
        className={cx(
          'min-h-0 min-w-0 flex-1 overflow-y-auto',
          selected ? 'block' : 'hidden md:block',
        )}
      >
        {selected ? (
          <ContactDetail
            key={selected}
            id={selected}
            onBack={() => setParams({ id: null }, { push: true })}
            onOpen={(id) => setParams({ id }, { push: true })}
          />
        ) : (
          <div className="flex h-full items-center justify-center">
            <EmptyState icon={<UsersIcon />} title="Pick a contact">
              See every channel a person uses, their messages and their form submissions in one
              timeline.
            </EmptyState>
          </div>
        )}
      </section>
    </div>
  );
}

export default function ContactsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Contacts />
    </Suspense>
  );
}
