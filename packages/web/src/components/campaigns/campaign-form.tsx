'use client';

import type {
  CampaignAudience,
  CampaignDto,
  CampaignParameter,
  CreateCampaignRequest,
  MessageTemplateDto,
} from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import {
  applyCampaign,
  bodyVariables,
  broadcastable,
  campaignEstimateQuery,
  channelTemplatesQuery,
  exclusionLabel,
  templateBody,
  templateKey,
} from '@/lib/campaign-queries';
import { channelsQuery, formsQuery, pipelineQuery } from '@/lib/queries';
import { useDebounced } from '@/lib/use-debounced';
import {
  Button,
  Card,
  ErrorState,
  Field,
  InlineError,
  Input,
  Segmented,
  Select,
  Spinner,
} from '../ui';
import {
  emptyParameter,
  parameterOf,
  ParameterRow,
  sampleOf,
  type ParameterDraft,
} from './template-parameters';

// A new campaign: a name, the WhatsApp number that sends, one of its approved templates with a
// value for each body variable, who receives it, and when. The estimate is counted live as the
// audience changes, so the admin sees who is reached and who is left out (and why) before sending.

const ESTIMATE_DEBOUNCE_MS = 400;

function splitTags(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ].slice(0, 50);
}

function toggled(list: string[], value: string, on: boolean): string[] {
  return on ? [...list, value] : list.filter((v) => v !== value);
}

/** `datetime-local`'s value (the browser's time zone) for a moment. */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function newClientKey(): string {
  return `cmpk_${crypto.randomUUID()}`;
}

function CheckboxGroup({
  legend,
  options,
  selected,
  onChange,
  empty,
}: {
  legend: string;
  options: { value: string; label: string }[];
  selected: string[];
  onChange: (next: string[]) => void;
  empty: string;
}) {
  return (
    <fieldset className="space-y-1.5">
      <legend className="text-sm font-medium text-slate-700">{legend}</legend>
      {options.length === 0 ? <p className="text-xs text-slate-500">{empty}</p> : null}
      <div className="flex flex-wrap gap-x-4 gap-y-1.5">
        {options.map((o) => (
          <label key={o.value} className="flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              className="size-4 accent-[var(--sb-brand)]"
              checked={selected.includes(o.value)}
              onChange={(e) => onChange(toggled(selected, o.value, e.target.checked))}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function EstimatePanel({ audience }: { audience: CampaignAudience | null }) {
  const estimate = useQuery(campaignEstimateQuery(audience));
  const data = estimate.data;
  return (
    <section
      aria-labelledby="estimate-heading"
      aria-busy={estimate.isFetching}
      className="space-y-3 rounded-lg border border-slate-200 bg-slate-50 p-4"
    >
      <div className="flex items-center justify-between gap-2">
        <h3 id="estimate-heading" className="text-sm font-semibold text-slate-900">
          Who receives it
        </h3>
        {estimate.isFetching ? <Spinner size={14} /> : null}
      </div>
      {!audience ? (
        <p className="text-sm text-slate-600">Pick the WhatsApp number first.</p>
      ) : estimate.error && !data ? (
        <InlineError error={estimate.error} />
      ) : !data ? (
        <p className="text-sm text-slate-600">Counting…</p>
      ) : (
        <div role="status" aria-live="polite" className="space-y-2">
          <p className="text-sm text-slate-800">
            <span className="text-2xl font-semibold text-slate-900" data-testid="estimate-eligible">
              {data.eligible}
            </span>{' '}
            {data.eligible === 1 ? 'contact opted in and will' : 'contacts opted in and will'}{' '}
            receive it
          </p>
          <dl className="grid grid-cols-3 gap-2 text-sm" aria-label="Left out">
            {(Object.keys(exclusionLabel) as (keyof typeof exclusionLabel)[]).map((k) => (
              <div key={k} className="rounded-md bg-white p-2 ring-1 ring-slate-200">
                <dt className="text-xs text-slate-500">{exclusionLabel[k]}</dt>
                <dd className="font-semibold text-slate-900" data-testid={`estimate-${k}`}>
                  {data.excluded[k]}
                </dd>
              </div>
            ))}
          </dl>
          <p className="text-xs text-slate-500">
            Left out: numbers that opted out, numbers with no marketing consent recorded, and
            contacts without a WhatsApp number. Consent is checked again before each message.
          </p>
          {estimate.error ? <InlineError error={estimate.error} /> : null}
        </div>
      )}
    </section>
  );
}

export function CampaignForm({
  onCancel,
  onCreated,
}: {
  onCancel: () => void;
  onCreated: (campaign: CampaignDto) => void;
}) {
  const queryClient = useQueryClient();
  const channels = useQuery(channelsQuery());
  const pipeline = useQuery(pipelineQuery());
  const forms = useQuery(formsQuery());
  const whatsapp = (channels.data?.items ?? []).filter((c) => c.type === 'whatsapp');

  const [name, setName] = useState('');
  const [chosenChannel, setChannelId] = useState('');
  const channelId = chosenChannel || (whatsapp.length === 1 ? whatsapp[0]!.id : '');
  const [templateChoice, setTemplateChoice] = useState('');
  const [drafts, setDrafts] = useState<Record<string, ParameterDraft>>({});
  const [tagsText, setTagsText] = useState('');
  const [stages, setStages] = useState<string[]>([]);
  const [formIds, setFormIds] = useState<string[]>([]);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [sendAt, setSendAt] = useState(() => localInputValue(new Date(Date.now() + 3_600_000)));
  const [localError, setLocalError] = useState<string | null>(null);
  // One key per request content: a double click (or a retry after a lost answer) is the same
  // campaign; a changed request after an error is a new one.
  const keyFor = useRef<{ body: string; key: string } | null>(null);

  const templates = useQuery(channelTemplatesQuery(channelId || undefined));
  const approved = (templates.data?.items ?? []).filter(broadcastable);
  const hidden = (templates.data?.items ?? []).length - approved.length;
  const template: MessageTemplateDto | undefined = approved.find(
    (t) => templateKey(t) === templateChoice,
  );
  const variables = template ? bodyVariables(template) : { positional: true, names: [] };

  const audience = useMemo<CampaignAudience | null>(() => {
    if (!channelId) return null;
    const tags = splitTags(tagsText);
    return {
      channelId,
      ...(tags.length ? { tags } : {}),
      ...(stages.length ? { leadStages: stages } : {}),
      ...(formIds.length ? { formIds } : {}),
    };
  }, [channelId, tagsText, stages, formIds]);
  const debouncedAudience = useDebounced(audience, ESTIMATE_DEBOUNCE_MS);
  const estimate = useQuery(campaignEstimateQuery(debouncedAudience));

  const create = useMutation({
    mutationFn: (body: CreateCampaignRequest) => api.call('campaigns.create', { body }),
    onSuccess: (campaign) => {
      applyCampaign(queryClient, campaign);
      onCreated(campaign);
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const fieldError = (prefix: string) =>
    Object.entries(fields).find(([k]) => k === prefix || k.startsWith(`${prefix}.`))?.[1];
  const shownFields = ['name', 'sendAt', 'template.parameters'];
  const otherFieldErrors = Object.entries(fields).filter(
    ([k]) => !shownFields.some((p) => k === p || k.startsWith(`${p}.`)),
  );

  function draftOf(variable: string): ParameterDraft {
    return drafts[variable] ?? emptyParameter;
  }

  function parameters(): CreateCampaignRequest['template']['parameters'] | null {
    if (variables.names.length === 0) return undefined;
    const built: [string, CampaignParameter | undefined][] = variables.names.map((v) => [
      v,
      parameterOf(draftOf(v)),
    ]);
    if (built.some(([, p]) => !p)) return null;
    const ok = built as [string, CampaignParameter][];
    return variables.positional ? ok.map(([, p]) => p) : Object.fromEntries(ok);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setLocalError(null);
    if (create.isPending) return;
    if (!audience) return setLocalError('Pick the WhatsApp number that sends the campaign.');
    if (!template) return setLocalError('Pick an approved template.');
    const params = parameters();
    if (params === null) {
      return setLocalError('Give every template variable a value: a text, or a custom field key.');
    }
    let at: string | undefined;
    if (when === 'later') {
      const parsed = new Date(sendAt);
      if (Number.isNaN(parsed.getTime()) || parsed.getTime() <= Date.now()) {
        return setLocalError('Pick a send time in the future.');
      }
      at = parsed.toISOString();
    }
    const body: Omit<CreateCampaignRequest, 'clientKey'> = {
      name,
      audience,
      template: {
        name: template.name,
        language: template.language,
        ...(params ? { parameters: params } : {}),
      },
      ...(at ? { sendAt: at } : {}),
    };
    const json = JSON.stringify(body);
    if (keyFor.current?.body !== json) keyFor.current = { body: json, key: newClientKey() };
    create.mutate({ ...body, clientKey: keyFor.current.key });
  }

  if (channels.error && !channels.data) {
    return (
      <ErrorState error={channels.error} onRetry={() => void channels.refetch()} what="Channels" />
    );
  }
  const noneEligible = when === 'now' && estimate.data?.eligible === 0;
  const preview = template
    ? templateBody(template).replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, v: string) => {
        const sample = sampleOf(draftOf(v));
        return sample || whole;
      })
    : '';

  return (
    <form onSubmit={submit} noValidate className="mx-auto max-w-5xl space-y-4 p-4 md:p-6">
      <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
        <div className="space-y-4">
          <Card className="space-y-4 p-5">
            <h2 className="text-base font-semibold text-slate-900">Message</h2>
            <Field label="Campaign name" required error={fields.name}>
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  value={name}
                  maxLength={120}
                  aria-required
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  placeholder="December offers"
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            <Field
              label="WhatsApp number"
              required
              error={fieldError('audience.channelId')}
              hint={
                channels.isSuccess && whatsapp.length === 0
                  ? 'Connect a WhatsApp number in Settings → Channels first.'
                  : undefined
              }
            >
              {({ id, describedBy, invalid }) => (
                <Select
                  id={id}
                  value={channelId}
                  aria-required
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => {
                    setChannelId(e.target.value);
                    setTemplateChoice('');
                  }}
                >
                  <option value="">Choose a number…</option>
                  {whatsapp.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.displayName ?? c.phoneNumberId ?? c.id}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field
              label="Template"
              required
              hint={
                templates.isLoading
                  ? 'Loading the approved templates…'
                  : hidden > 0
                    ? `Only approved templates whose header and buttons take no values can be broadcast (${hidden} hidden).`
                    : 'Approved by Meta for this number.'
              }
            >
              {({ id, describedBy }) => (
                <Select
                  id={id}
                  value={templateChoice}
                  disabled={!channelId || templates.isLoading}
                  aria-required
                  aria-describedby={describedBy}
                  onChange={(e) => {
                    setTemplateChoice(e.target.value);
                    setDrafts({});
                  }}
                >
                  <option value="">Choose a template…</option>
                  {approved.map((t) => (
                    <option key={templateKey(t)} value={templateKey(t)}>
                      {t.name} ({t.language})
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            {templates.error ? <InlineError error={templates.error} /> : null}
            {template ? (
              <div className="space-y-3">
                <figure className="rounded-lg bg-emerald-50 p-3 text-sm text-slate-800 ring-1 ring-emerald-600/20">
                  <figcaption className="mb-1 text-xs font-medium text-emerald-800">
                    Preview
                  </figcaption>
                  <p className="whitespace-pre-wrap" data-testid="template-preview">
                    {preview}
                  </p>
                </figure>
                {variables.names.length ? (
                  <div className="space-y-2">
                    <h3 className="text-sm font-medium text-slate-700">Template values</h3>
                    {variables.names.map((v) => (
                      <ParameterRow
                        key={v}
                        variable={v}
                        draft={draftOf(v)}
                        onChange={(next) => setDrafts((d) => ({ ...d, [v]: next }))}
                        error={fieldError('template.parameters')}
                      />
                    ))}
                  </div>
                ) : (
                  <p className="text-sm text-slate-600">This template takes no values.</p>
                )}
              </div>
            ) : null}
          </Card>

          <Card className="space-y-4 p-5">
            <div>
              <h2 className="text-base font-semibold text-slate-900">Audience</h2>
              <p className="mt-1 text-sm text-slate-600">
                Contacts that match every filter you set (any of the values within one). With no
                filter, every contact with a WhatsApp number. Only numbers that opted in to
                marketing are sent to.
              </p>
            </div>
            <Field
              label="Tags"
              hint="Separate tags with commas: contacts with any of them."
              error={fieldError('audience.tags')}
            >
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  value={tagsText}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  placeholder="vip, newsletter"
                  onChange={(e) => setTagsText(e.target.value)}
                />
              )}
            </Field>
            <CheckboxGroup
              legend="Lead stage"
              options={(pipeline.data?.stages ?? []).map((s) => ({ value: s.id, label: s.name }))}
              selected={stages}
              onChange={setStages}
              empty="No pipeline stages."
            />
            <CheckboxGroup
              legend="Came from the form"
              options={(forms.data?.items ?? []).map((f) => ({ value: f.id, label: f.name }))}
              selected={formIds}
              onChange={setFormIds}
              empty="No forms yet."
            />
          </Card>

          <Card className="space-y-3 p-5">
            <h2 className="text-base font-semibold text-slate-900">When</h2>
            <Segmented
              label="When to send"
              value={when}
              onChange={setWhen}
              options={[
                { value: 'now', label: 'Now' },
                { value: 'later', label: 'Later' },
              ]}
            />
            {when === 'later' ? (
              <Field
                label="Send at"
                hint="Your local time. You can pause or cancel it until then."
                error={fields.sendAt}
              >
                {({ id, describedBy, invalid }) => (
                  <Input
                    id={id}
                    type="datetime-local"
                    value={sendAt}
                    min={localInputValue(new Date())}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    onChange={(e) => setSendAt(e.target.value)}
                    className="max-w-64"
                  />
                )}
              </Field>
            ) : null}
          </Card>
        </div>
        <div className="space-y-4 lg:sticky lg:top-4 lg:self-start">
          <EstimatePanel audience={debouncedAudience} />
          {localError ? <InlineError error={localError} /> : null}
          {create.error && (!Object.keys(fields).length || otherFieldErrors.length) ? (
            <InlineError
              error={
                otherFieldErrors.length
                  ? otherFieldErrors.map(([k, m]) => `${k}: ${m}`).join(' ')
                  : create.error
              }
            />
          ) : null}
          {noneEligible ? (
            <p className="text-sm text-amber-800">
              Nobody in this audience can receive it now: change the filters, or schedule it.
            </p>
          ) : null}
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="ghost" onClick={onCancel}>
              Cancel
            </Button>
            <Button variant="primary" type="submit" busy={create.isPending} disabled={noneEligible}>
              {when === 'now' ? 'Send now' : 'Schedule campaign'}
            </Button>
          </div>
        </div>
      </div>
    </form>
  );
}
