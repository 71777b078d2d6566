'use client';

import type { LeadDto } from '@switchboard/contracts';
import { Badge } from '../ui';

export function leadTitle(lead: Pick<LeadDto, 'name' | 'email' | 'phone'>): string {
  return lead.name ?? lead.email ?? lead.phone ?? 'Unnamed lead';
}

const syncText: Record<string, string> = {
  pending: 'Syncing',
  synced: 'Synced',
  retrying: 'Retrying',
  failed: 'Sync failed',
  not_configured: 'No CRM',
};

export function SyncBadge({ status }: { status: string }) {
  const tone =
    status === 'synced'
      ? 'green'
      : status === 'failed'
        ? 'red'
        : status === 'retrying' || status === 'pending'
          ? 'amber'
          : 'slate';
  return <Badge tone={tone}>{syncText[status] ?? status}</Badge>;
}

export function stageTone(kind: 'open' | 'won' | 'lost'): string {
  return kind === 'won' ? 'bg-emerald-500' : kind === 'lost' ? 'bg-red-500' : 'bg-brand';
}
