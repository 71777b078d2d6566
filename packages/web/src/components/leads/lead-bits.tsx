'use client';

import type { LeadDto, LeadSyncStatus } from '@switchboard/contracts';
import { Badge } from '../ui';

export function leadTitle(lead: Pick<LeadDto, 'name' | 'email' | 'phone'>): string {
  return lead.name ?? lead.email ?? lead.phone ?? 'Unnamed lead';
}

const syncBadge: Record<
  LeadSyncStatus,
  { text: string; tone: 'green' | 'red' | 'amber' | 'slate' }
> = {
  pending: { text: 'Syncing', tone: 'amber' },
  synced: { text: 'Synced', tone: 'green' },
  retrying: { text: 'Retrying', tone: 'amber' },
  failed: { text: 'Sync failed', tone: 'red' },
  not_configured: { text: 'No CRM', tone: 'slate' },
};

export function SyncBadge({ status }: { status: LeadSyncStatus }) {
  const { text, tone } = syncBadge[status];
  return <Badge tone={tone}>{text}</Badge>;
}

export function stageTone(kind: 'open' | 'won' | 'lost'): string {
  return kind === 'won' ? 'bg-emerald-500' : kind === 'lost' ? 'bg-red-500' : 'bg-brand';
}
