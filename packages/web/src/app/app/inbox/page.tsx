'use client';

import type { BulkConversationsResponse } from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { BulkActionBar } from '@/components/inbox/bulk-action-bar';
import { ContactPanel } from '@/components/contacts/contact-panel';
import { ConversationList } from '@/components/inbox/conversation-list';
import { Thread } from '@/components/inbox/thread';
import { StartConversationButton } from '@/components/inbox/start-conversation-dialog';
import { InboxIcon, InstagramIcon, WhatsAppIcon } from '@/components/icons';
import { OnboardingChecklist } from '@/components/onboarding/onboarding-checklist';
import { cx, EmptyState, LoadingState, Segmented, Select, Toggle } from '@/components/ui';
import { inboxListQuery, type InboxView, type InboxViewFilters } from '@/lib/assignment-queries';
import { useRole } from '@/lib/session';
import { useQueryParams } from '@/lib/use-query-param';
import { labelsQuery } from '@/lib/workspace-queries';

const views: InboxView[] = ['open', 'snoozed', 'closed'];

function Inbox() {
  const [params, setParams] = useQueryParams();
  const selected = params.get('c');
  const filters: InboxViewFilters = useMemo(
    () => ({
      view: views.find((v) => v === params.get('status')) ?? 'open',
      channel: (params.get('channel') as InboxViewFilters['channel']) ?? undefined,
      unread: params.get('unread') === '1' || undefined,
      mine: params.get('mine') === '1' || undefined,
      labelId: params.get('label') ?? undefined,
    }),
    [params],
  );
  const conversations = useQuery(inboxListQuery(filters));
  const labels = useQuery(labelsQuery());
  const { atLeast } = useRole();
  const filtered = Boolean(
    filters.channel || filters.unread || filters.mine || filters.labelId || filters.view !== 'open',
  );

  // Conversations picked for a bulk action: only those still in the list count.
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [bulkResult, setBulkResult] = useState<BulkConversationsResponse | null>(null);
  const filterKey = JSON.stringify(filters);
  useEffect(() => {
    setPicked(new Set());
    setBulkResult(null);
  }, [filterKey]);
  const items = conversations.data?.items;
  const shownIds = useMemo(() => (items ?? []).map((c) => c.id), [items]);
  const pickedIds = shownIds.filter((id) => picked.has(id));
  const toggle = useCallback(
    (id: string) =>
      setPicked((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const canAct = atLeast('agent');
  const allPicked = shownIds.length > 0 && pickedIds.length === shownIds.length;

  return (
    <div className="flex h-full min-h-0">
      {/* The list: full width on a phone until a conversation is open, a column on wider screens. */}
      <section
        aria-label="Conversation list"
        className={cx(
          'flex min-h-0 w-full flex-col border-r border-slate-200 bg-white md:w-96 md:shrink-0',
          selected && 'hidden md:flex',
        )}
      >
        <div className="space-y-3 border-b border-slate-200 px-4 pb-3 pt-4">
          {/* Wraps rather than overlaps: the status tabs drop below when the column is narrow. */}
          <div className="flex flex-wrap items-center justify-end gap-2">
            <h1 className="mr-auto text-lg font-semibold text-slate-900">Inbox</h1>
            {canAct ? <StartConversationButton>New conversation</StartConversationButton> : null}
            <Segmented
              label="Conversation status"
              value={filters.view}
              onChange={(v) => setParams({ status: v === 'open' ? null : v })}
              options={[
                { value: 'open', label: 'Open' },
                { value: 'snoozed', label: 'Snoozed' },
                { value: 'closed', label: 'Closed' },
              ]}
            />
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <Segmented
              label="Channel"
              value={filters.channel ?? 'all'}
              onChange={(v) => setParams({ channel: v === 'all' ? null : v })}
              options={[
                { value: 'all', label: 'All' },
                {
                  value: 'whatsapp',
                  title: 'WhatsApp',
                  label: (
                    <>
                      <WhatsAppIcon size={14} /> <span className="sr-only">WhatsApp</span>
                    </>
                  ),
                },
                {
                  value: 'instagram',
                  title: 'Instagram',
                  label: (
                    <>
                      <InstagramIcon size={14} /> <span className="sr-only">Instagram</span>
                    </>
                  ),
                },
              ]}
            />
            <Toggle
              label="Unread"
              checked={Boolean(filters.unread)}
              onChange={(v) => setParams({ unread: v ? '1' : null })}
            />
            <Toggle
              label="Mine"
              checked={Boolean(filters.mine)}
              onChange={(v) => setParams({ mine: v ? '1' : null })}
            />
            {labels.data?.items.length ? (
              <Select
                aria-label="Label"
                className="h-8! w-auto max-w-40 text-sm"
                value={filters.labelId ?? ''}
                onChange={(e) => setParams({ label: e.target.value || null })}
              >
                <option value="">All labels</option>
                {labels.data.items.map((label) => (
                  <option key={label.id} value={label.id}>
                    {label.name}
                  </option>
                ))}
              </Select>
            ) : null}
          </div>
          {canAct && shownIds.length > 0 ? (
            <label className="flex w-fit items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                className="size-4 rounded border-slate-400 accent-brand"
                checked={allPicked}
                ref={(el) => {
                  if (el) el.indeterminate = pickedIds.length > 0 && !allPicked;
                }}
                onChange={() => setPicked(allPicked ? new Set() : new Set(shownIds))}
              />
              Select all
            </label>
          ) : null}
        </div>
        {canAct && (pickedIds.length > 0 || bulkResult) ? (
          <BulkActionBar
            ids={pickedIds}
            view={filters.view}
            result={bulkResult}
            onDone={(result) => {
              setBulkResult(result);
              setPicked(new Set());
            }}
            onClear={() => setPicked(new Set())}
          />
        ) : null}
        <div className="min-h-0 flex-1 overflow-y-auto">
          <ConversationList
            items={items}
            isLoading={conversations.isLoading}
            error={conversations.error}
            onRetry={() => void conversations.refetch()}
            selectedId={selected}
            onSelect={(id) => setParams({ c: id }, { push: true })}
            filtered={filtered}
            picking={canAct ? { picked, toggle } : undefined}
            empty={
              filters.view === 'snoozed' && !filters.channel && !filters.labelId
                ? {
                    title: 'Nothing snoozed',
                    body: 'A snoozed conversation waits here until its time comes or the customer writes again.',
                  }
                : undefined
            }
          />
        </div>
      </section>
      <section
        aria-label="Conversation"
        className={cx(
          'min-h-0 min-w-0 flex-1 flex-col bg-slate-50',
          selected ? 'flex' : 'hidden md:flex',
        )}
      >
        {selected ? (
          <Thread
            key={selected}
            conversationId={selected}
            onBack={() => setParams({ c: null }, { push: true })}
          />
        ) : (
          <div className="flex h-full flex-col items-center justify-center gap-6 p-4">
            <OnboardingChecklist />
            <EmptyState icon={<InboxIcon />} title="Pick a conversation">
              Messages from WhatsApp and Instagram arrive here as they come in.
            </EmptyState>
          </div>
        )}
      </section>
      {selected ? <ContactPanel key={selected} conversationId={selected} /> : null}
    </div>
  );
}

export default function InboxPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Inbox />
    </Suspense>
  );
}
