'use client';

import type { MessageTemplateDto } from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '@/lib/api-client';
import { TemplateIcon } from '../icons';
import {
  Badge,
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
} from '../ui';

type BodyComponent = { type?: string; text?: string };

function bodyOf(t: MessageTemplateDto): string {
  const body = t.components.find((c) => (c as BodyComponent).type?.toUpperCase() === 'BODY') as
    BodyComponent | undefined;
  return body?.text ?? '';
}

/** Placeholders in order of first appearance: `{{1}}` (positional) or `{{first_name}}` (named). */
function placeholders(text: string): string[] {
  const seen: string[] = [];
  for (const match of text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi)) {
    const key = match[1]!;
    if (!seen.includes(key)) seen.push(key);
  }
  return seen;
}

export type TemplateChoice = {
  name: string;
  language: string;
  parameters?: string[] | Record<string, string>;
  preview: string;
};

export function TemplatePicker({
  channelId,
  open,
  onClose,
  onSend,
  sending,
  error,
}: {
  channelId: string;
  open: boolean;
  onClose: () => void;
  onSend: (choice: TemplateChoice) => void;
  sending: boolean;
  error?: unknown;
}) {
  const templates = useQuery({
    queryKey: ['templates', channelId],
    queryFn: ({ signal }) => api.call('channels.templates', { params: { id: channelId }, signal }),
    enabled: open,
    staleTime: 60_000,
  });
  const [selected, setSelected] = useState<MessageTemplateDto | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const approved = useMemo(
    () => (templates.data?.items ?? []).filter((t) => t.status.toUpperCase() === 'APPROVED'),
    [templates.data],
  );
  const text = selected ? bodyOf(selected) : '';
  const keys = placeholders(text);
  const positional = keys.every((k) => /^\d+$/.test(k));
  const preview = keys.reduce(
    (out, key) =>
      out.replaceAll(new RegExp(`\\{\\{\\s*${key}\\s*\\}\\}`, 'g'), values[key] || `{{${key}}}`),
    text,
  );
  const complete = keys.every((k) => values[k]?.trim());

  function send() {
    if (!selected) return;
    const parameters = keys.length
      ? positional
        ? [...keys].sort((a, b) => Number(a) - Number(b)).map((k) => values[k]!.trim())
        : Object.fromEntries(keys.map((k) => [k, values[k]!.trim()]))
      : undefined;
    onSend({ name: selected.name, language: selected.language, parameters, preview });
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Send a template"
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={!selected || !complete} busy={sending} onClick={send}>
            Send template
          </Button>
        </>
      }
    >
      {templates.isLoading ? (
        <LoadingState label="Loading approved templates…" />
      ) : templates.error ? (
        <ErrorState
          error={templates.error}
          onRetry={() => void templates.refetch()}
          what="Templates"
        />
      ) : approved.length === 0 ? (
        <EmptyState icon={<TemplateIcon />} title="No approved templates">
          Create and get a template approved in WhatsApp Manager; it appears here after approval.
        </EmptyState>
      ) : (
        <div className="grid gap-4 md:grid-cols-[14rem_1fr]">
          <ul className="space-y-1" aria-label="Approved templates">
            {approved.map((t) => (
              <li key={`${t.name}:${t.language}`}>
                <button
                  type="button"
                  aria-pressed={selected === t}
                  onClick={() => {
                    setSelected(t);
                    setValues({});
                  }}
                  className={cx(
                    'w-full rounded-lg border px-3 py-2 text-left text-sm',
                    selected === t
                      ? 'border-brand bg-brand/10'
                      : 'border-slate-200 hover:bg-slate-50',
                  )}
                >
                  <span className="block font-medium">{t.name}</span>
                  <span className="flex gap-1 text-xs text-slate-500">
                    {t.language}
                    {t.category ? <Badge>{t.category.toLowerCase()}</Badge> : null}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <div className="space-y-3">
            {selected ? (
              <>
                {keys.map((key) => (
                  <Field
                    key={key}
                    label={positional ? `Value for {{${key}}}` : key.replace(/_/g, ' ')}
                    required
                  >
                    {({ id, describedBy }) => (
                      <Input
                        id={id}
                        aria-describedby={describedBy}
                        value={values[key] ?? ''}
                        onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))}
                      />
                    )}
                  </Field>
                ))}
                <InlineError error={error} />
                <div>
                  <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                    Preview
                  </p>
                  <p className="whitespace-pre-wrap rounded-xl rounded-br-md border border-brand/20 bg-brand/10 p-3 text-sm text-slate-900">
                    {preview || '(This template has no body text.)'}
                  </p>
                </div>
              </>
            ) : (
              <p className="text-sm text-slate-500">Pick a template to fill in and preview it.</p>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
