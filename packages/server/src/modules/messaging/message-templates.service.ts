import type { ChannelWithSecret } from '../channels/channel.repo';
import type { TenantData } from '../../engine/data/tenant-data';
import type { CachedTemplate, TemplateCacheEntry } from './template-cache.repo';
import { AppError } from '../../engine/errors';
import type { GraphTemplate } from './meta/graph-client';
import { GraphApiError, GraphTransportError, graphFailureToAppError } from './meta/graph-errors';
import type { OutboundDeps } from './outbound-deps';

/** Templates change rarely (Meta reviews them); a few minutes of staleness saves a Graph call per send. */
export const TEMPLATE_CACHE_SECONDS = 300;

function toCached(t: GraphTemplate): CachedTemplate {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    parameterFormat: t.parameter_format,
    components: t.components,
  };
}

/** Marks the channel for reconnection when Meta refused its token, then maps the failure. */
export async function failOnGraph(
  data: TenantData,
  channel: ChannelWithSecret,
  err: unknown,
  extra?: Record<string, unknown>,
): Promise<never> {
  if (err instanceof GraphApiError || err instanceof GraphTransportError) {
    if (
      err instanceof GraphApiError &&
      (err.kind === 'token_invalid' || err.kind === 'permission_denied')
    ) {
      await data.channels.setStatus(channel.id, 'needs_reconnect');
    }
    throw graphFailureToAppError(err, { channel: channel.type, extra });
  }
  throw err;
}

/** The channel's APPROVED templates, from the table cache when it is fresh, else from Meta. */
export async function approvedTemplates(
  deps: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  opts: { refresh?: boolean } = {},
): Promise<TemplateCacheEntry> {
  if (channel.type !== 'whatsapp' || !channel.wabaId) {
    throw new AppError('invalid_parameter', 'Message templates exist on WhatsApp channels only.');
  }
  if (channel.status === 'needs_reconnect') throw reconnectError(channel);
  const now = deps.now();
  if (!opts.refresh) {
    const cached = await data.templates.get(channel.id, TEMPLATE_CACHE_SECONDS * 1000, now);
    if (cached) return cached;
  }
  const token = await deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
  let listed: GraphTemplate[];
  try {
    listed = await deps.graph.listTemplates(token, channel.wabaId);
  } catch (err) {
    return failOnGraph(data, channel, err);
  }
  const entry: TemplateCacheEntry = {
    templates: listed.filter((t) => t.status === 'APPROVED').map(toCached),
    fetchedAt: now.toISOString(),
  };
  await data.templates.put(channel.id, entry, TEMPLATE_CACHE_SECONDS);
  return entry;
}

export function reconnectError(channel: ChannelWithSecret): AppError {
  return new AppError(
    'channel_token_invalid',
    `Meta rejected this ${channel.type === 'whatsapp' ? 'WhatsApp' : 'Instagram'} channel’s access token. Reconnect it (POST /channels with a new token).`,
    { channelId: channel.id },
  );
}

/** The template's body text with its parameters filled in: what the thread shows for the message. */
export function renderTemplateText(
  template: CachedTemplate,
  parameters: string[] | Record<string, string> | undefined,
): string | undefined {
  const body = template.components.find(
    (c) => String(c.type).toUpperCase() === 'BODY' && typeof c.text === 'string',
  );
  if (!body) return undefined;
  return String(body.text).replace(/\{\{\s*([\w]+)\s*\}\}/g, (whole, name: string) => {
    if (Array.isArray(parameters)) {
      const index = Number(name) - 1;
      return Number.isInteger(index) && parameters[index] !== undefined
        ? parameters[index]!
        : whole;
    }
    return parameters?.[name] ?? whole;
  });
}
