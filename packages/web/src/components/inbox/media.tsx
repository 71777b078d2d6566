'use client';

import type { MediaKind, MessageType } from '@switchboard/contracts';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import {
  attachmentsOf,
  displayKindOf,
  failureWording,
  forgetMediaUrl,
  humanSize,
  mediaSrc,
  stableMediaUrl,
} from '@/lib/media';
import type { Media } from '@/lib/message-types';
import {
  AlertIcon,
  CloseIcon,
  DownloadIcon,
  ExternalIcon,
  FileIcon,
  ImageIcon,
  MicIcon,
  RefreshIcon,
  VideoIcon,
} from '../icons';
import { cx, Spinner } from '../ui';

// Attachments in the thread: images and stickers inline (click to enlarge), video and audio with
// the browser's own controls, documents as a card with a download; a placeholder while the copy
// is being fetched from Meta, and the reason in plain words when it could not be.

const kindIcon: Record<MediaKind, ReactNode> = {
  image: <ImageIcon />,
  sticker: <ImageIcon />,
  video: <VideoIcon />,
  audio: <MicIcon />,
  document: <FileIcon />,
};

export function mediaLabel(kind: MediaKind, media?: Media): string {
  switch (kind) {
    case 'image':
      return 'Photo';
    case 'sticker':
      return 'Sticker';
    case 'video':
      return 'Video';
    case 'audio':
      return media?.voice ? 'Voice message' : 'Audio';
    case 'document':
      return media?.filename ?? 'Document';
  }
}

/** The short name of a document's format: "PDF", "DOCX", or its MIME subtype. */
function formatOf(media: Media): string | undefined {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(media.filename ?? '')?.[1];
  if (ext) return ext.toUpperCase();
  const sub = media.mimeType?.split(';')[0]?.split('/')[1];
  return sub && sub.length <= 12 ? sub.toUpperCase() : undefined;
}

/** The image, dialog-sized, over a dark backdrop; Escape, the backdrop or Close dismiss it. */
export function Lightbox({
  src,
  alt,
  caption,
  onClose,
}: {
  src: string;
  alt: string;
  caption?: string;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);
  return createPortal(
    <dialog
      ref={ref}
      aria-label={`${alt}, enlarged`}
      data-testid="lightbox"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      className="m-auto max-h-none max-w-none overflow-visible bg-transparent p-0 backdrop:bg-slate-950/85"
    >
      <div className="flex flex-col items-center gap-2">
        <div className="flex w-full justify-end gap-2">
          <a
            href={src}
            target="_blank"
            rel="noopener noreferrer"
            className="inline-flex items-center gap-1.5 rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-900 hover:bg-slate-100"
          >
            <ExternalIcon size={15} /> Open original
          </a>
          <button
            type="button"
            autoFocus
            onClick={onClose}
            className="rounded-md bg-white p-1.5 text-slate-900 hover:bg-slate-100"
            aria-label="Close"
          >
            <CloseIcon size={18} />
          </button>
        </div>
        <img
          src={src}
          alt={alt}
          className="h-[min(80vh,48rem)] w-[min(92vw,64rem)] object-contain"
        />
        {caption ? (
          // Its own dark ground: the ::backdrop behind it is invisible to contrast checkers.
          <p className="max-w-[92vw] whitespace-pre-wrap rounded-md bg-slate-950/80 px-3 py-1 text-center text-sm text-white">
            {caption}
          </p>
        ) : null}
      </div>
    </dialog>,
    document.body,
  );
}

function Pending({ kind, label, compact }: { kind: MediaKind; label: string; compact?: boolean }) {
  const visual = kind === 'image' || kind === 'sticker' || kind === 'video';
  return (
    <div
      role="status"
      data-media-status="pending"
      className={cx(
        'flex items-center gap-2 rounded-lg border border-dashed border-slate-300 bg-slate-50 text-sm text-slate-600',
        visual
          ? cx('flex-col justify-center', compact ? 'size-32' : 'h-40 w-56 max-w-full')
          : 'min-w-52 p-3',
      )}
    >
      <Spinner size={18} />
      <span className="text-center">
        <span className="sr-only">{label}: </span>Loading attachment…
      </span>
    </div>
  );
}

function Unavailable({
  title,
  detail,
  label,
  onRetry,
  download,
}: {
  title: string;
  detail: string;
  label: string;
  onRetry?: () => void;
  /** Where the file can still be downloaded (a format this browser cannot play). */
  download?: string;
}) {
  return (
    <div
      data-media-status="failed"
      className="flex min-w-52 max-w-72 items-start gap-2.5 rounded-lg border border-red-200 bg-red-50 p-3 text-red-800"
    >
      <AlertIcon size={18} className="mt-0.5 shrink-0" />
      <span className="min-w-0 text-sm">
        <span className="block font-medium">{title}</span>
        <span className="block text-xs text-red-700">
          <span className="sr-only">{label}. </span>
          {detail}
        </span>
        {onRetry ? (
          <button
            type="button"
            onClick={onRetry}
            className="mt-1.5 inline-flex items-center gap-1 rounded text-xs font-medium underline underline-offset-2"
          >
            <RefreshIcon size={12} /> Try again
          </button>
        ) : null}
        {download ? (
          <a
            href={download}
            download=""
            className="ml-3 mt-1.5 inline-flex items-center gap-1 rounded text-xs font-medium underline underline-offset-2"
          >
            <DownloadIcon size={12} /> Download it
          </a>
        ) : null}
      </span>
    </div>
  );
}

/** One attachment in whatever state it is. `compact`: a thumbnail in an Instagram group. */
export function MediaAttachment({
  media,
  kind,
  compact,
}: {
  media: Media;
  kind: MediaKind;
  compact?: boolean;
}) {
  const label = mediaLabel(kind, media);
  const [broken, setBroken] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [retries, setRetries] = useState(0);
  const opener = useRef<HTMLButtonElement>(null);
  const src = useMemo(() => {
    const url = mediaSrc(media.url);
    return url ? stableMediaUrl(url) : undefined;
    // `retries` too: after a failed load, take the newest URL the thread has.
  }, [media.url, retries]);

  if (media.status === 'pending') return <Pending kind={kind} label={label} compact={compact} />;
  if (media.status === 'failed') {
    const words = media.failureReason
      ? failureWording[media.failureReason]
      : { title: 'Attachment not available', detail: 'It could not be saved from the channel.' };
    return <Unavailable {...words} label={label} />;
  }
  if (!src) {
    return (
      <div className="flex min-w-52 items-center gap-3 rounded-lg border border-black/5 bg-black/[0.04] p-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-white/70 text-slate-600">
          {kindIcon[kind]}
        </span>
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium">{media.filename ?? label}</span>
          <span className="block truncate text-xs text-slate-600">Preview not available</span>
        </span>
      </div>
    );
  }
  if (broken === src) {
    return (
      <Unavailable
        title="Could not show the attachment"
        detail={
          kind === 'video' || kind === 'audio'
            ? 'This browser may not play its format, or its link expired. Try again, or download it.'
            : 'Its link may have expired. Try again to get a fresh one.'
        }
        label={label}
        download={kind === 'video' || kind === 'audio' ? src : undefined}
        onRetry={() => {
          forgetMediaUrl(src);
          setBroken(null);
          setRetries((n) => n + 1);
        }}
      />
    );
  }
  const onError = () => setBroken(src);

  switch (kind) {
    case 'image':
    case 'sticker': {
      const alt = media.caption ?? label;
      return (
        <>
          <button
            ref={opener}
            type="button"
            onClick={() => setOpen(true)}
            aria-label={`Enlarge ${label.toLowerCase()}`}
            aria-haspopup="dialog"
            className="block overflow-hidden rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand"
          >
            <img
              src={src}
              alt={alt}
              data-media-status="ready"
              onError={onError}
              className={cx(
                kind === 'sticker'
                  ? 'size-32 object-contain'
                  : compact
                    ? 'size-32 object-cover'
                    : 'max-h-64 max-w-full object-cover',
              )}
            />
          </button>
          {open ? (
            <Lightbox
              src={src}
              alt={alt}
              caption={media.caption}
              onClose={() => {
                setOpen(false);
                opener.current?.focus();
              }}
            />
          ) : null}
        </>
      );
    }
    case 'video':
      return (
        <video
          controls
          playsInline
          preload="metadata"
          src={src}
          aria-label={label}
          data-media-status="ready"
          onError={onError}
          className={cx('max-w-full rounded-lg bg-black', compact ? 'size-32' : 'max-h-72 w-72')}
        />
      );
    case 'audio':
      return (
        <div className="min-w-60 space-y-1">
          <p className="flex items-center gap-1.5 text-xs font-medium text-slate-600">
            <MicIcon size={14} /> {label}
            {media.size ? <span className="font-normal">· {humanSize(media.size)}</span> : null}
          </p>
          <audio
            controls
            preload="metadata"
            src={src}
            aria-label={label}
            data-media-status="ready"
            onError={onError}
            className="h-10 w-64 max-w-full"
          />
        </div>
      );
    case 'document': {
      const name = media.filename ?? 'Document';
      return (
        <div
          data-media-status="ready"
          className="flex min-w-56 max-w-80 items-center gap-3 rounded-lg border border-black/5 bg-black/[0.04] p-3"
        >
          <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-white/80 text-slate-600">
            <FileIcon />
          </span>
          <span className="min-w-0 flex-1">
            <span className="block truncate text-sm font-medium" title={name}>
              {name}
            </span>
            <span className="block truncate text-xs text-slate-600">
              {[formatOf(media), humanSize(media.size)].filter(Boolean).join(' · ') || 'Document'}
            </span>
          </span>
          <a
            href={src}
            download={media.filename ?? ''}
            target="_blank"
            rel="noopener noreferrer"
            className="shrink-0 rounded-md p-1.5 text-slate-700 hover:bg-black/5"
            aria-label={`Download ${name}`}
            title="Download"
          >
            <DownloadIcon size={18} />
          </a>
        </div>
      );
    }
  }
}

/** A message's attachments: one with its caption, or Instagram's several as a group. */
export function MessageMedia({
  m,
  fallbackKind,
}: {
  m: { type: MessageType; media?: Media; attachments?: Media[] };
  fallbackKind?: MediaKind;
}) {
  const items = attachmentsOf(m);
  if (items.length === 0) return null;
  if (items.length === 1) {
    const media = items[0]!;
    const kind = fallbackKind && !media.mimeType ? fallbackKind : displayKindOf(media, m.type);
    return (
      <div className="space-y-1.5">
        <MediaAttachment media={media} kind={kind} />
        {media.caption ? <p className="whitespace-pre-wrap break-words">{media.caption}</p> : null}
      </div>
    );
  }
  return (
    <div
      role="group"
      aria-label={`${items.length} attachments`}
      className="grid grid-cols-2 gap-1"
      data-testid="attachment-group"
    >
      {items.map((media, i) => (
        <MediaAttachment key={i} media={media} kind={displayKindOf(media, m.type)} compact />
      ))}
    </div>
  );
}
