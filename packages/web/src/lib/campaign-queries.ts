'use client';

import type {
  CampaignAudience,
  CampaignCounts,
  CampaignDto,
  CampaignRecipientStatus,
  CampaignStatus,
  LiveEvent,
  MessageTemplateDto,
} from '@switchboard/contracts';
import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { api } from './api-client';
import { useLiveEvent, useLiveStatus } from './live';
import { orNull } from './queries';

// Campaigns (template broadcasts): the list, one campaign with its exact counts, its recipients,
// the audience estimate, and what a control or a `campaign.progress` event invalidates. While the
// live socket is open the screens never poll; while it is down, a campaign that is sending is
// read again every few seconds.

/** The fallback while a campaign sends and the socket is down; events do the work otherwise. */
export const CAMPAIGN_POLL_MS = 5_000;
/**
 * The server says `campaign.progress` at most once a second per campaign and drops what comes
 * within that second (no trailing event): one more read after the window catches those changes.
 */
const TRAILING_READ_MS = 1_300;

export type CampaignAction = 'pause' | 'resume' | 'cancel' | 'retry-failed';

const listKey = ['campaigns', 'list'] as const;
const campaignKey = (id: string) => ['campaign', id] as const;

export const campaignsQuery = () =>
  infiniteQueryOptions({
    queryKey: listKey,
    queryFn: ({ pageParam, signal }) =>
      orNull(api.call('campaigns.list', { signal, query: { limit: 25, cursor: pageParam } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last?.nextCursor ?? undefined,
  });

export const campaignQuery = (id: string) =>
  queryOptions({
    queryKey: campaignKey(id),
    queryFn: ({ signal }) => api.call('campaigns.get', { params: { id }, signal }),
  });

export const campaignRecipientsQuery = (id: string, status?: CampaignRecipientStatus) =>
  infiniteQueryOptions({
    queryKey: [...campaignKey(id), 'recipients', status ?? 'all'],
    queryFn: ({ pageParam, signal }) =>
      api.call('campaigns.recipients', {
        params: { id },
        signal,
        query: { limit: 50, status, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const campaignEstimateQuery = (audience: CampaignAudience | null) =>
  queryOptions({
    queryKey: ['campaigns', 'estimate', audience],
    queryFn: ({ signal }) => api.call('campaigns.estimate', { body: audience!, signal }),
    enabled: audience !== null,
    // The previous count stays on screen while the next one is counted.
    placeholderData: (prev) => prev,
    retry: false,
    staleTime: 10_000,
  });

/** Same key as the inbox's template picker: the two share one cached list. */
export const channelTemplatesQuery = (channelId: string | undefined) =>
  queryOptions({
    queryKey: ['templates', channelId],
    queryFn: ({ signal }) => api.call('channels.templates', { params: { id: channelId! }, signal }),
    enabled: Boolean(channelId),
    staleTime: 60_000,
  });

/** A campaign still moving on its own: sending, or its start time has come. */
function sending(campaign: CampaignDto | null | undefined): boolean {
  if (!campaign) return false;
  if (campaign.status === 'running') return true;
  return (
    campaign.status === 'scheduled' &&
    campaign.sendAt !== undefined &&
    Date.parse(campaign.sendAt) <= Date.now()
  );
}

/** The polling fallback: only while the socket is down and the campaign is sending. */
function usePollWhileSending() {
  const live = useLiveStatus();
  return useCallback(
    (campaign: CampaignDto | null | undefined): number | false =>
      live !== 'live' && sending(campaign) ? CAMPAIGN_POLL_MS : false,
    [live],
  );
}

export function useCampaign(id: string) {
  const poll = usePollWhileSending();
  return useQuery({ ...campaignQuery(id), refetchInterval: (q) => poll(q.state.data) });
}

export function useCampaignRecipients(campaign: CampaignDto, status?: CampaignRecipientStatus) {
  const poll = usePollWhileSending();
  return useInfiniteQuery({
    ...campaignRecipientsQuery(campaign.id, status),
    refetchInterval: () => poll(campaign),
  });
}

export function useCampaigns() {
  const poll = usePollWhileSending();
  return useInfiniteQuery({
    ...campaignsQuery(),
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p?.items.some((c) => poll(c) !== false))
        ? CAMPAIGN_POLL_MS
        : false,
  });
}

/** After a control or an event: the campaign, its recipients, and the list it shows in. */
export function invalidateCampaign(queryClient: QueryClient, id: string): void {
  void queryClient.invalidateQueries({ queryKey: campaignKey(id) });
  void queryClient.invalidateQueries({ queryKey: listKey });
}

/** Puts a control's answer in place at once, then reads the rest again. */
export function applyCampaign(queryClient: QueryClient, campaign: CampaignDto): void {
  queryClient.setQueryData(campaignKey(campaign.id), campaign);
  invalidateCampaign(queryClient, campaign.id);
}

/**
 * Reads a campaign again when the server says it moved (`campaign.progress`), for the open
 * campaign screens; `campaignId` narrows it to one, none listens for every campaign (the list).
 */
export function useLiveCampaignProgress(campaignId?: string): void {
  const queryClient = useQueryClient();
  const trailing = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type !== 'campaign.progress') return;
      const id = event.data.campaignId;
      if (campaignId && id !== campaignId) return;
      invalidateCampaign(queryClient, id);
      clearTimeout(trailing.current.get(id));
      trailing.current.set(
        id,
        setTimeout(() => invalidateCampaign(queryClient, id), TRAILING_READ_MS),
      );
    },
    [queryClient, campaignId],
  );
  useLiveEvent(onEvent);
  useEffect(() => {
    const timers = trailing.current;
    return () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    };
  }, []);
}

/** What the contract allows in each state (campaigns.routes.ts: each control's 409). */
export function actionAllowed(action: CampaignAction, campaign: CampaignDto): boolean {
  const status: CampaignStatus = campaign.status;
  switch (action) {
    case 'pause':
      return status === 'scheduled' || status === 'running';
    case 'resume':
      return status === 'paused';
    case 'cancel':
      return status === 'scheduled' || status === 'running' || status === 'paused';
    case 'retry-failed':
      return (
        (status === 'running' || status === 'paused' || status === 'completed') &&
        campaign.counts.failed > 0
      );
  }
}

export function controlCampaign(id: string, action: CampaignAction): Promise<CampaignDto> {
  const route = {
    pause: 'campaigns.pause',
    resume: 'campaigns.resume',
    cancel: 'campaigns.cancel',
    'retry-failed': 'campaigns.retryFailed',
  } as const;
  return api.call(route[action], { params: { id } });
}

export const campaignStatusLabel: Record<CampaignStatus, string> = {
  scheduled: 'Scheduled',
  running: 'Sending',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export const campaignStatusTone = {
  scheduled: 'blue',
  running: 'brand',
  paused: 'amber',
  completed: 'green',
  cancelled: 'slate',
} as const satisfies Record<CampaignStatus, string>;

export const recipientStatusLabel: Record<CampaignRecipientStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
  replied: 'Replied',
  skipped: 'Skipped',
};

export const recipientStatusTone = {
  queued: 'slate',
  sending: 'slate',
  sent: 'blue',
  delivered: 'blue',
  read: 'green',
  failed: 'red',
  replied: 'brand',
  skipped: 'amber',
} as const satisfies Record<CampaignRecipientStatus, string>;

/** The counts' buckets in the order a recipient moves through them. */
export const countBuckets = [
  'replied',
  'read',
  'delivered',
  'sent',
  'failed',
  'skipped',
  'queued',
] as const satisfies readonly (keyof CampaignCounts)[];

/** Recipients Meta accepted the message for (sent, delivered, read or replied). */
export function reachedOf(counts: CampaignCounts): number {
  return counts.sent + counts.delivered + counts.read + counts.replied;
}

/** Why the server left someone out, in words (recipients' `error.code`). */
export const recipientErrorText: Record<string, string> = {
  interrupted:
    'Sending was interrupted mid-way: the message may have arrived. Retrying may send it twice.',
  opted_out: 'The number opted out before its turn.',
  no_consent: 'The number has no marketing consent.',
  cancelled: 'The campaign was cancelled before its turn.',
  channel_not_found: 'The channel was disconnected before its turn.',
};

export const exclusionLabel = {
  optedOut: 'Opted out',
  noConsent: 'No consent recorded',
  noPhone: 'No WhatsApp number',
} as const;

// ---- templates

type TemplateComponent = {
  type?: string;
  format?: string;
  text?: string;
  buttons?: { type?: string; url?: string }[];
};

const componentsOf = (t: MessageTemplateDto) => t.components as TemplateComponent[];
const variablesIn = (text: string | undefined) => [
  ...new Set([...(text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!)),
];

export function templateBody(t: MessageTemplateDto): string {
  return componentsOf(t).find((c) => c.type?.toUpperCase() === 'BODY')?.text ?? '';
}

/**
 * The body's variables as the server matches them: `1`, `2`… in number order (positional, sent
 * as a list) or the names (named, sent as a record).
 */
export function bodyVariables(t: MessageTemplateDto): { positional: boolean; names: string[] } {
  const names = variablesIn(templateBody(t));
  const positional = names.every((n) => /^\d+$/.test(n));
  return { positional, names: positional ? names.sort((a, b) => +a - +b) : names };
}

/**
 * A campaign fills only the body's variables: a template whose header takes a value (text or
 * media) or whose buttons take one cannot be broadcast.
 */
export function broadcastable(t: MessageTemplateDto): boolean {
  if (t.status !== 'APPROVED') return false;
  return componentsOf(t).every((c) => {
    const type = c.type?.toUpperCase();
    if (type === 'HEADER') {
      return (c.format ?? 'TEXT').toUpperCase() === 'TEXT' && variablesIn(c.text).length === 0;
    }
    if (type === 'BUTTONS') return (c.buttons ?? []).every((b) => variablesIn(b.url).length === 0);
    return true;
  });
}

export const templateKey = (t: { name: string; language: string }) => `${t.name}:${t.language}`;
