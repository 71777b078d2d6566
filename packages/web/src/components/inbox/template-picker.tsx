'use client';

import {
  mediaLimits,
  type MessageTemplateDto,
  type SendMessageRequest,
  type TemplateHeader,
  type UploadedMedia,
} from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '@/lib/api-client';
import { checkAttachment, humanSize, mediaSrc } from '@/lib/media';
import { isAbort, uploadMedia } from '@/lib/upload';
import { ExternalIcon, FileIcon, ImageIcon, TemplateIcon, VideoIcon } from '../icons';
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
  Segmented,
} from '../ui';

// Picking an approved WhatsApp template and filling every variable Meta allows: the body's
// parameters, a text header's parameter or a media header (uploaded here, or a link), and the
// dynamic buttons (quick-reply payloads, URL endings), with a preview of what the customer gets.

type TemplateButton = { type?: string; text?: string; url?: string; phone_number?: string };
type TemplateComponent = {
  type?: string;
  format?: string;
  text?: string;
  buttons?: TemplateButton[];
};

type ButtonParameters = NonNullable<NonNullable<SendMessageRequest['template']>['buttons']>;
type HeaderMediaKind = 'image' | 'video' | 'document';
type DynamicButton = { index: number; subType: 'url' | 'quick_reply'; button: TemplateButton };

function componentsOf(t: MessageTemplateDto): TemplateComponent[] {
  return t.components as TemplateComponent[];
}

function component(t: MessageTemplateDto, type: string): TemplateComponent | undefined {
  return componentsOf(t).find((c) => c.type?.toUpperCase() === type);
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

/** A URL button's address with its variable ending filled (or the placeholder kept). */
function buttonUrl(b: TemplateButton, suffix: string | undefined): string | undefined {
  if (!b.url || placeholders(b.url).length === 0) return b.url;
  return b.url.replace(/\{\{\s*\w+\s*\}\}/, suffix?.trim() || '{{1}}');
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, (whole, key: string) => values[key] || whole);
}

const headerKinds: Record<string, HeaderMediaKind> = {
  IMAGE: 'image',
  VIDEO: 'video',
  DOCUMENT: 'document',
};

/** What the thread shows at once for a sent template, before the server answers. */
export type TemplatePreview = {
  body: string;
  header?: { type: 'text'; text: string } | { type: HeaderMediaKind; media?: UploadedMedia };
};

export type TemplateChoice = {
  name: string;
  language: string;
  parameters?: string[] | Record<string, string>;
  header?: TemplateHeader;
  buttons?: ButtonParameters;
  preview: TemplatePreview;
};

type HeaderUpload = {
  file: File;
  state: 'uploading' | 'uploaded' | 'failed';
  progress: number;
  uploaded?: UploadedMedia;
  error?: unknown;
  abort: AbortController;
};

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

const kindWords: Record<HeaderMediaKind, string> = {
  image: 'image',
  video: 'video',
  document: 'document',
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
  const [headerValue, setHeaderValue] = useState('');
  const [mediaMode, setMediaMode] = useState<'upload' | 'link'>('upload');
  const [mediaLink, setMediaLink] = useState('');
  const [docName, setDocName] = useState('');
  const [upload, setUpload] = useState<HeaderUpload | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [buttonValues, setButtonValues] = useState<Record<number, string>>({});
  const fileInput = useRef<HTMLInputElement>(null);
  const uploadRef = useRef<HeaderUpload | null>(null);
  uploadRef.current = upload;
  useEffect(() => () => uploadRef.current?.abort.abort(), []);

  const approved = useMemo(
    () => (templates.data?.items ?? []).filter((t) => t.status.toUpperCase() === 'APPROVED'),
    [templates.data],
  );

  const header = selected ? component(selected, 'HEADER') : undefined;
  const headerFormat = header?.format?.toUpperCase() ?? (header ? 'TEXT' : undefined);
  const mediaKind: HeaderMediaKind | undefined = headerFormat
    ? headerKinds[headerFormat]
    : undefined;
  const headerText = headerFormat === 'TEXT' ? (header?.text ?? '') : '';
  const headerKeys = placeholders(headerText);
  const bodyText = selected ? (component(selected, 'BODY')?.text ?? '') : '';
  const footerText = selected ? component(selected, 'FOOTER')?.text : undefined;
  const buttons = selected ? (component(selected, 'BUTTONS')?.buttons ?? []) : [];
  const keys = placeholders(bodyText);
  const positional = keys.every((k) => /^\d+$/.test(k));

  /** Buttons that take a parameter: URL buttons with a variable ending, quick replies. */
  const dynamicButtons = buttons.flatMap((b, index): DynamicButton[] => {
    const type = b.type?.toUpperCase();
    if (type === 'URL' && b.url && placeholders(b.url).length) {
      return [{ index, subType: 'url' as const, button: b }];
    }
    if (type === 'QUICK_REPLY') return [{ index, subType: 'quick_reply' as const, button: b }];
    return [];
  });

  const filledBody = fill(bodyText, values);
  const filledHeader = headerKeys.length
    ? fill(headerText, { [headerKeys[0]!]: headerValue })
    : headerText;

  const mediaReady = !mediaKind
    ? true
    : mediaMode === 'upload'
      ? upload?.state === 'uploaded'
      : isHttpUrl(mediaLink.trim());
  const complete =
    keys.every((k) => values[k]?.trim()) &&
    (headerKeys.length === 0 || Boolean(headerValue.trim())) &&
    mediaReady &&
    dynamicButtons.every((d) => d.subType === 'quick_reply' || buttonValues[d.index]?.trim());

  function reset(t: MessageTemplateDto) {
    upload?.abort.abort();
    setSelected(t);
    setValues({});
    setHeaderValue('');
    setMediaLink('');
    setDocName('');
    setUpload(null);
    setRefusal(null);
    setButtonValues({});
  }

  function pickHeaderFile(file: File | undefined) {
    if (!file || !mediaKind) return;
    upload?.abort.abort();
    const check = checkAttachment(file, [mediaKind]);
    if (!check.ok) {
      setUpload(null);
      setRefusal(check.message);
      return;
    }
    setRefusal(null);
    const abort = new AbortController();
    const mine: HeaderUpload = { file, state: 'uploading', progress: 0, abort };
    const update = (patch: Partial<HeaderUpload>) =>
      setUpload((u) => (u?.abort === abort ? { ...u, ...patch } : u));
    setUpload(mine);
    uploadMedia(file, {
      signal: abort.signal,
      onProgress: (p) => update({ progress: p.total ? p.loaded / p.total : 0 }),
    }).then(
      (uploaded) => update({ state: 'uploaded', progress: 1, uploaded }),
      (err: unknown) => {
        if (!isAbort(err)) update({ state: 'failed', error: err });
      },
    );
  }

  function send() {
    if (!selected || !complete) return;
    const parameters = keys.length
      ? positional
        ? [...keys].sort((a, b) => Number(a) - Number(b)).map((k) => values[k]!.trim())
        : Object.fromEntries(keys.map((k) => [k, values[k]!.trim()]))
      : undefined;
    let sentHeader: TemplateHeader | undefined;
    let previewHeader: TemplatePreview['header'];
    if (mediaKind) {
      const filename = mediaKind === 'document' ? docName.trim() || undefined : undefined;
      sentHeader =
        mediaMode === 'upload'
          ? {
              type: mediaKind,
              id: upload!.uploaded!.id,
              filename:
                filename ?? (mediaKind === 'document' ? upload!.uploaded!.filename : undefined),
            }
          : { type: mediaKind, url: mediaLink.trim(), filename };
      previewHeader = {
        type: mediaKind,
        media: mediaMode === 'upload' ? upload?.uploaded : undefined,
      };
    } else if (headerKeys.length) {
      sentHeader = { type: 'text', text: headerValue.trim() };
      previewHeader = { type: 'text', text: filledHeader };
    } else if (headerText) {
      previewHeader = { type: 'text', text: headerText };
    }
    const buttonParameters: ButtonParameters = dynamicButtons.flatMap((d): ButtonParameters => {
      const value = buttonValues[d.index]?.trim();
      if (!value) return [];
      return d.subType === 'url'
        ? [{ subType: 'url', index: d.index, text: value }]
        : [{ subType: 'quick_reply', index: d.index, payload: value }];
    });
    onSend({
      name: selected.name,
      language: selected.language,
      parameters,
      header: sentHeader,
      buttons: buttonParameters.length ? buttonParameters : undefined,
      preview: { body: filledBody, header: previewHeader },
    });
  }

  const previewMediaUrl = mediaMode === 'upload' ? mediaSrc(upload?.uploaded?.url) : undefined;

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
                  onClick={() => reset(t)}
                  className={cx(
                    'w-full rounded-lg border px-3 py-2 text-left text-sm',
                    selected === t
                      ? 'border-brand bg-brand/10'
                      : 'border-slate-200 hover:bg-slate-50',
                  )}
                >
                  <span className="block font-medium">{t.name}</span>
                  <span className="flex gap-1 text-xs text-slate-600">
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
                {headerKeys.length ? (
                  <Field label="Header value" hint={`Fills the header: “${headerText}”`} required>
                    {({ id, describedBy }) => (
                      <Input
                        id={id}
                        aria-describedby={describedBy}
                        maxLength={60}
                        value={headerValue}
                        onChange={(e) => setHeaderValue(e.target.value)}
                      />
                    )}
                  </Field>
                ) : null}
                {mediaKind ? (
                  <fieldset className="space-y-2 rounded-lg border border-slate-200 p-3">
                    <legend className="px-1 text-sm font-medium text-slate-700">
                      Header {kindWords[mediaKind]}{' '}
                      <span className="text-red-600" aria-hidden="true">
                        *
                      </span>
                    </legend>
                    <Segmented
                      label={`Where the header ${kindWords[mediaKind]} comes from`}
                      value={mediaMode}
                      onChange={setMediaMode}
                      options={[
                        { value: 'upload', label: 'Upload a file' },
                        { value: 'link', label: 'Use a link' },
                      ]}
                    />
                    {mediaMode === 'upload' ? (
                      <div className="space-y-2">
                        <input
                          ref={fileInput}
                          type="file"
                          className="hidden"
                          tabIndex={-1}
                          aria-hidden="true"
                          data-testid="template-header-file"
                          accept={mediaLimits[mediaKind].mimeTypes.join(',')}
                          onChange={(e) => {
                            const file = e.currentTarget.files?.[0];
                            e.currentTarget.value = '';
                            pickHeaderFile(file);
                          }}
                        />
                        <div className="flex flex-wrap items-center gap-2">
                          <Button size="sm" onClick={() => fileInput.current?.click()}>
                            {upload
                              ? 'Choose another file'
                              : `Choose a${mediaKind === 'image' ? 'n' : ''} ${kindWords[mediaKind]}`}
                          </Button>
                          {upload ? (
                            <span className="min-w-0 truncate text-sm text-slate-700">
                              {upload.file.name} · {humanSize(upload.file.size)}
                              {upload.state === 'uploading'
                                ? ` · uploading ${Math.round(upload.progress * 100)}%`
                                : upload.state === 'uploaded'
                                  ? ' · ready'
                                  : ''}
                            </span>
                          ) : null}
                        </div>
                        {upload?.state === 'uploading' ? (
                          <div
                            role="progressbar"
                            aria-label="Upload progress"
                            aria-valuemin={0}
                            aria-valuemax={100}
                            aria-valuenow={Math.round(upload.progress * 100)}
                            className="h-1.5 overflow-hidden rounded-full bg-slate-200"
                          >
                            <div
                              className="h-full rounded-full bg-brand"
                              style={{ width: `${Math.round(upload.progress * 100)}%` }}
                            />
                          </div>
                        ) : null}
                        {upload?.state === 'failed' ? <InlineError error={upload.error} /> : null}
                        {refusal ? <InlineError error={refusal} /> : null}
                      </div>
                    ) : (
                      <Field
                        label={`Link to the ${kindWords[mediaKind]}`}
                        hint="A public https address Meta can download it from."
                      >
                        {({ id, describedBy }) => (
                          <Input
                            id={id}
                            type="url"
                            inputMode="url"
                            placeholder="https://"
                            aria-describedby={describedBy}
                            value={mediaLink}
                            onChange={(e) => setMediaLink(e.target.value)}
                          />
                        )}
                      </Field>
                    )}
                    {mediaKind === 'document' ? (
                      <Field label="File name shown to the customer" hint="Optional.">
                        {({ id, describedBy }) => (
                          <Input
                            id={id}
                            aria-describedby={describedBy}
                            maxLength={240}
                            value={docName}
                            onChange={(e) => setDocName(e.target.value)}
                          />
                        )}
                      </Field>
                    ) : null}
                  </fieldset>
                ) : null}
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
                {dynamicButtons.map((d) => (
                  <Field
                    key={d.index}
                    label={
                      d.subType === 'url'
                        ? `Link ending for the “${d.button.text ?? 'link'}” button`
                        : `Reply payload for the “${d.button.text ?? 'reply'}” button`
                    }
                    hint={
                      d.subType === 'url'
                        ? `Fills ${d.button.url}`
                        : 'Optional: what comes back to you when the customer taps it.'
                    }
                    required={d.subType === 'url'}
                  >
                    {({ id, describedBy }) => (
                      <Input
                        id={id}
                        aria-describedby={describedBy}
                        maxLength={d.subType === 'url' ? 2000 : 1000}
                        value={buttonValues[d.index] ?? ''}
                        onChange={(e) =>
                          setButtonValues((v) => ({ ...v, [d.index]: e.target.value }))
                        }
                      />
                    )}
                  </Field>
                ))}
                <InlineError error={error} />
                <div>
                  <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">
                    Preview
                  </p>
                  <div
                    className="space-y-2 rounded-xl rounded-br-md border border-brand/20 bg-brand/10 p-3 text-sm text-slate-900"
                    data-testid="template-preview"
                  >
                    {mediaKind ? (
                      mediaKind === 'image' && previewMediaUrl ? (
                        <img
                          src={previewMediaUrl}
                          alt="Header"
                          className="max-h-40 rounded-lg object-cover"
                        />
                      ) : (
                        <div className="flex h-24 items-center justify-center gap-2 rounded-lg bg-white/70 text-slate-600">
                          {mediaKind === 'image' ? (
                            <ImageIcon />
                          ) : mediaKind === 'video' ? (
                            <VideoIcon />
                          ) : (
                            <FileIcon />
                          )}
                          <span className="text-xs">
                            {upload?.uploaded
                              ? (upload.uploaded.filename ?? upload.file.name)
                              : mediaLink.trim() || `Header ${kindWords[mediaKind]}`}
                          </span>
                        </div>
                      )
                    ) : filledHeader ? (
                      <p className="font-semibold">{filledHeader}</p>
                    ) : null}
                    <p className="whitespace-pre-wrap">
                      {filledBody || '(This template has no body text.)'}
                    </p>
                    {footerText ? <p className="text-xs text-slate-600">{footerText}</p> : null}
                    {buttons.length ? (
                      <ul className="flex flex-col gap-1" aria-label="Buttons">
                        {buttons.map((b, i) => {
                          const url = buttonUrl(b, buttonValues[i]);
                          return (
                            <li
                              key={i}
                              title={url ?? b.phone_number}
                              className="flex items-center justify-center gap-1.5 rounded-lg border border-brand/30 bg-white px-3 py-1.5 text-center font-medium text-brand-strong"
                            >
                              {b.type?.toUpperCase() === 'URL' ? <ExternalIcon size={14} /> : null}
                              {b.text}
                              {url ? <span className="sr-only"> (opens {url})</span> : null}
                            </li>
                          );
                        })}
                      </ul>
                    ) : null}
                    {buttons.some((b) => b.url) ? (
                      <p className="break-all text-xs text-slate-600">
                        {buttons
                          .map((b, i) => buttonUrl(b, buttonValues[i]))
                          .filter(Boolean)
                          .join(' · ')}
                      </p>
                    ) : null}
                  </div>
                </div>
              </>
            ) : (
              <p className="text-sm text-slate-600">Pick a template to fill in and preview it.</p>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
