'use client';

import { useQuery } from '@tanstack/react-query';
import { Suspense, useMemo } from 'react';
import { ConversationList } from '@/components/inbox/conversation-list';
import { Thread } from '@/components/inbox/thread';
import { InboxIcon, InstagramIcon, WhatsAppIcon } from '@/components/icons';
import { OnboardingChecklist } from '@/components/onboarding/onboarding-checklist';
import { cx, EmptyState, LoadingState, Segmented, Toggle } from '@/components/ui';
import { conversationsQuery, type InboxFilters } from '@/lib/queries';
import { useQueryParams } from '@/lib/use-query-param';

function Inbox() {
  const [params, setParams] = useQueryParams();
  const selected = params.get('c');
  const filters: InboxFilters = useMemo(
    () => ({
      channel: (params.get('channel') as InboxFilters['channel']) ?? undefined,
      status: params.get('status') === 'closed' ? 'closed' : 'open',
      unread: params.get('unread') === '1' || undefined,
      mine: params.get('mine') === '1' || undefined,
    }),
    [params],
  );
  const conversations = useQuery(conversationsQuery(filters));
  const filtered = Boolean(
    filters.channel || filters.unread || filters.mine || filters.status === 'closed',
  );

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
          <div className="flex items-center justify-between">
            <h1 className="text-lg font-semibold text-slate-900">Inbox</h1>
            <Segmented
              label="Conversation status"
              value={filters.status ?? 'open'}
              onChange={(v) => setParams({ status: v === 'closed' ? 'closed' : null })}
              options={[
                { value: 'open', label: 'Open' },
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
          </div>
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto">
          <ConversationList
            items={conversations.data?.items}
            isLoading={conversations.isLoading}
            error={conversations.error}
            onRetry={() => void conversations.refetch()}
            selectedId={selected}
            onSelect={(id) => setParams({ c: id }, { push: true })}
            filtered={filtered}
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
