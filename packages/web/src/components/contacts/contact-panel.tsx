'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { contactQuery, type ContactDetail } from '@/lib/contact-queries';
import { displayName, formatPhone, shortTime } from '@/lib/format';
import { conversationQuery, leadNotesQuery, leadQuery, pipelineQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { ChannelIcon, CloseIcon, UserIcon } from '../icons';
import { Avatar, Badge, Button, ErrorState, LoadingState } from '../ui';
import { ContactSource } from '../attribution/source-block';
import { ConsentSection } from './consent-section';
import { ContactForm } from './contact-form';

// The contact beside the thread: who this is (identities, phone, e-mail, company), their tags and
// attributes, their lead (stage, tags, latest notes), edited in place. Shown on wide screens,
// hidden or shown with one button (remembered in this browser).

const SHOWN_KEY = 'switchboard.contactPanel';

function usePanelShown(): [boolean, (shown: boolean) => void] {
  const [shown, setShown] = useState(true);
  useEffect(() => {
    setShown(window.localStorage.getItem(SHOWN_KEY) !== 'hidden');
  }, []);
  return [
    shown,
    (next) => {
      setShown(next);
      window.localStorage.setItem(SHOWN_KEY, next ? 'shown' : 'hidden');
    },
  ];
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[6.5rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-slate-600">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </div>
  );
}

function LeadSection({ leadId }: { leadId: string }) {
  const lead = useQuery(leadQuery(leadId));
  const notes = useQuery(leadNotesQuery(leadId));
  const pipeline = useQuery(pipelineQuery());
  if (lead.isLoading) return <LoadingState label="Loading lead…" />;
  if (!lead.data) return null;
  const stage = pipeline.data?.stages.find((s) => s.id === lead.data.stage);
  const latest = [...(notes.data?.items ?? [])]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, 3);
  return (
    <section aria-label="Lead" className="space-y-2">
      <div className="flex items-center justify-between">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600">Lead</h3>
        <Link
          href={`/app/leads/?lead=${encodeURIComponent(leadId)}`}
          className="text-sm font-medium text-brand-strong hover:underline"
        >
          Open lead
        </Link>
      </div>
      <dl>
        <Row label="Stage">
          <Badge tone="brand">{stage?.name ?? lead.data.stage}</Badge>
        </Row>
        {lead.data.tags.length ? (
          <Row label="Lead tags">
            <span className="flex flex-wrap gap-1">
              {lead.data.tags.map((t) => (
                <Badge key={t}>{t}</Badge>
              ))}
            </span>
          </Row>
        ) : null}
      </dl>
      {latest.length ? (
        <ul aria-label="Lead notes" className="space-y-2">
          {latest.map((n) => (
            <li key={n.id} className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-slate-800">
              <p className="line-clamp-3 whitespace-pre-wrap">{n.body}</p>
              <p className="mt-1 text-xs text-slate-600">
                <time dateTime={n.createdAt}>{shortTime(n.createdAt)}</time>
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No notes on the lead yet.</p>
      )}
    </section>
  );
}

function ContactDetails({ contact }: { contact: ContactDetail }) {
  const { atLeast } = useRole();
  const [editing, setEditing] = useState(false);
  const name = displayName(contact);
  const attributes = Object.entries(contact.attributes ?? {});
  const leadId = contact.leadIds[contact.leadIds.length - 1];
  if (editing) {
    return (
      <div className="p-4">
        <h3 className="mb-3 text-sm font-semibold text-slate-900">Edit {name}</h3>
        <ContactForm
          contact={contact}
          onSaved={() => setEditing(false)}
          onCancel={() => setEditing(false)}
        />
      </div>
    );
  }
  return (
    <div className="space-y-5 p-4">
      <div className="flex items-center gap-3">
        <Avatar name={name} size={48} src={contact.avatarUrl} />
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-base font-semibold text-slate-900">{name}</h2>
          <p className="flex items-center gap-1.5 text-xs text-slate-600">
            {contact.identities.whatsapp ? (
              <ChannelIcon channel="whatsapp" size={12} labelled />
            ) : null}
            {contact.identities.instagram ? (
              <ChannelIcon channel="instagram" size={12} labelled />
            ) : null}
            <Link
              href={`/app/contacts/?id=${encodeURIComponent(contact.id)}`}
              className="hover:underline"
            >
              Contact page
            </Link>
          </p>
        </div>
        {atLeast('agent') ? (
          <Button size="sm" onClick={() => setEditing(true)} aria-label={`Edit contact ${name}`}>
            Edit
          </Button>
        ) : null}
      </div>
      <dl>
        {contact.phone || contact.identities.whatsapp ? (
          <Row label="Phone">{formatPhone(contact.phone ?? contact.identities.whatsapp ?? '')}</Row>
        ) : null}
        {contact.email ? <Row label="E-mail">{contact.email}</Row> : null}
        {contact.company ? <Row label="Company">{contact.company}</Row> : null}
        {contact.username ? <Row label="Instagram">@{contact.username}</Row> : null}
        {contact.tags?.length ? (
          <Row label="Tags">
            <span className="flex flex-wrap gap-1">
              {contact.tags.map((t) => (
                <Badge key={t} tone="blue">
                  {t}
                </Badge>
              ))}
            </span>
          </Row>
        ) : null}
      </dl>
      {attributes.length ? (
        <section aria-label="Attributes">
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
            Attributes
          </h3>
          <dl>
            {attributes.map(([key, value]) => (
              <Row key={key} label={key.replace(/_/g, ' ')}>
                {String(value)}
              </Row>
            ))}
          </dl>
        </section>
      ) : null}
      <ConsentSection customerId={contact.id} compact />
      <ContactSource customerId={contact.id} compact />
      {leadId ? <LeadSection leadId={leadId} /> : null}
    </div>
  );
}

function PanelBody({ customerId }: { customerId: string }) {
  const first = useQuery(contactQuery(customerId));
  // A merged identity's record points at the contact: show that one.
  const mergedInto = first.data?.mergedInto;
  const merged = useQuery({ ...contactQuery(mergedInto ?? ''), enabled: Boolean(mergedInto) });
  const contact = mergedInto ? merged.data : first.data;
  if (first.isLoading || (mergedInto && merged.isLoading))
    return <LoadingState label="Loading contact…" />;
  if (!contact) {
    const error = first.error ?? merged.error;
    return <ErrorState error={error} onRetry={() => void first.refetch()} what="Contact" />;
  }
  return <ContactDetails contact={contact} />;
}

/** Mounted beside the thread; finds the conversation's contact itself. */
export function ContactPanel({ conversationId }: { conversationId: string }) {
  const [shown, setShown] = usePanelShown();
  const conversation = useQuery({
    ...conversationQuery(conversationId),
    select: (c) => c.customer.id,
  });
  if (!shown) {
    return (
      <div className="hidden border-l border-slate-200 bg-white p-2 lg:block">
        <Button size="sm" variant="ghost" onClick={() => setShown(true)} aria-label="Show contact">
          <UserIcon size={16} />
        </Button>
      </div>
    );
  }
  return (
    <aside
      aria-label="Contact details"
      className="hidden w-80 shrink-0 flex-col overflow-y-auto border-l border-slate-200 bg-white lg:flex"
    >
      <div className="flex items-center justify-between border-b border-slate-200 px-4 py-2">
        <span className="text-sm font-semibold text-slate-900">Contact</span>
        <Button size="sm" variant="ghost" onClick={() => setShown(false)} aria-label="Hide contact">
          <CloseIcon size={16} />
        </Button>
      </div>
      {conversation.data ? (
        <PanelBody key={conversation.data} customerId={conversation.data} />
      ) : (
        <LoadingState label="Loading contact…" />
      )}
    </aside>
  );
}
