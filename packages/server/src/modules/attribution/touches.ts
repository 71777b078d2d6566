import type { AdReferral, NormalizedMessage, Touch, Utm } from '@switchboard/contracts';

// Turning what a landing page and Meta tell us into touches: pure, so the ingest path and the
// message processor agree on what a source is. A touch's id is derived from what it describes
// (the lead, the message), so recording the same one twice is recognisably the same.

const text = (v: unknown, max = 500): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined;

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `utm_source`… as a form's hidden fields hold them. */
export function utmOf(fields: Record<string, string> | undefined): Utm | undefined {
  if (!fields) return undefined;
  const utm = compact({
    source: text(fields.utm_source, 200),
    medium: text(fields.utm_medium, 200),
    campaign: text(fields.utm_campaign, 200),
    term: text(fields.utm_term, 200),
    content: text(fields.utm_content, 200),
  });
  return Object.keys(utm).length > 0 ? utm : undefined;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A landing-page submission. Without UTM fields the source is the referring site's host, and
 * `direct` when there is none (a page's own host is not a source).
 */
export function touchFromSubmission(input: {
  submissionId: string;
  leadId?: string;
  formId?: string;
  at: string;
  utm?: Record<string, string>;
  pageUrl?: string;
  referrer?: string;
}): Touch {
  const utm = utmOf(input.utm);
  const referrer = hostOf(input.referrer);
  const page = hostOf(input.pageUrl);
  const source = utm?.source ?? (referrer && referrer !== page ? referrer : 'direct');
  return compact({
    id: `sub-${input.submissionId}`,
    kind: 'form' as const,
    at: input.at,
    source: source.toLowerCase(),
    medium:
      utm?.medium?.toLowerCase() ?? (utm?.source || source === 'direct' ? undefined : 'referral'),
    campaign: utm?.campaign,
    utm,
    formId: input.formId,
    leadId: input.leadId,
    pageUrl: text(input.pageUrl, 2000),
  });
}

/** Which network a click-to-WhatsApp ad ran on, from its link (fb.me, instagram.com). */
function networkOf(sourceUrl: string | undefined): string {
  const host = hostOf(sourceUrl) ?? '';
  return host.includes('instagram') ? 'instagram' : 'facebook';
}

/**
 * The touch a message carries, if any: WhatsApp's `referral` (click-to-chat ads and posts),
 * Instagram's `referral` (ads, ig.me links) and Instagram story replies.
 */
export function touchFromMessage(input: {
  channel: 'whatsapp' | 'instagram';
  message: Pick<NormalizedMessage, 'type' | 'referral' | 'context' | 'timestamp'>;
  messageId: string;
  conversationId: string;
}): Touch | undefined {
  const { channel, message, messageId, conversationId } = input;
  const base = { id: `msg-${messageId}`, at: message.timestamp, conversationId, messageId };
  const r = message.referral;
  if (channel === 'whatsapp' && r) {
    const ad: AdReferral = compact({
      sourceType: text(r.source_type, 40),
      sourceId: text(r.source_id, 200),
      sourceUrl: text(r.source_url, 2000),
      headline: text(r.headline),
      body: text(r.body),
      ctwaClid: text(r.ctwa_clid, 1000),
    });
    return compact({
      ...base,
      kind: 'whatsapp_ad' as const,
      source: networkOf(ad.sourceUrl),
      medium: ad.sourceType === 'post' ? 'social' : 'paid_social',
      campaign: ad.headline ?? ad.sourceId,
      ad,
    });
  }
  if (channel === 'instagram' && r) {
    const context =
      r.ads_context_data && typeof r.ads_context_data === 'object'
        ? (r.ads_context_data as Record<string, unknown>)
        : {};
    const isAd = text(r.source, 40)?.toUpperCase() === 'ADS' || text(r.ad_id, 200) !== undefined;
    const ad: AdReferral = compact({
      sourceType: isAd ? 'ad' : 'link',
      sourceId: text(r.ad_id, 200) ?? text(context.post_id, 200),
      headline: text(context.ad_title),
      ref: text(r.ref, 200),
    });
    return compact({
      ...base,
      kind: 'instagram_ad' as const,
      source: 'instagram',
      medium: isAd ? 'paid_social' : 'social',
      campaign: ad.headline ?? ad.ref ?? ad.sourceId,
      ad,
    });
  }
  if (channel === 'instagram' && message.type === 'story_reply') {
    const ad: AdReferral = compact({
      sourceType: 'story',
      sourceId: text(message.context?.storyId, 200),
    });
    return compact({
      ...base,
      kind: 'instagram_story' as const,
      source: 'instagram',
      medium: 'story',
      ad,
    });
  }
  return undefined;
}
