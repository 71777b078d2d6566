'use client';

import type { FormEvent, ReactNode } from 'react';
import { OneTimeSecret } from '../copy-button';
import { PlusIcon } from '../icons';
import {
  Button,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
} from '../ui';

// Pieces the integration settings (API keys, CRM destinations, event webhooks) have in common:
// the intro with its "add" button, the gate before the list, the create dialog that turns into a
// one-time secret, the endpoint field, test results and confirmed removal; and those of the
// workspace lists (labels, canned replies): a row's Edit and Delete, and the dialog that edits one.

/** The sentence that says what the page is for, and the button that adds one. */
export function SettingsIntro({
  children,
  addLabel,
  onAdd,
}: {
  children: ReactNode;
  addLabel: string;
  /** Left out for those who may not add: no button then. */
  onAdd?: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <p className="max-w-xl text-sm text-slate-600">{children}</p>
      {onAdd ? (
        <Button variant="primary" onClick={onAdd}>
          <PlusIcon size={16} /> {addLabel}
        </Button>
      ) : null}
    </div>
  );
}

type ListQuery = {
  isLoading: boolean;
  error: unknown;
  data: unknown;
  refetch: () => unknown;
};

/**
 * What an admins-only list shows instead of itself: "admins only", loading, an error, or that the
 * server lacks the feature (`data === null`). Null when the list can render.
 */
export function listGate(
  query: ListQuery,
  opts: {
    canEdit: boolean;
    icon: ReactNode;
    /** The sentence under "Admins only". */
    askAdmin: string;
    loadingLabel: string;
    /** The list's name in an error, and the feature's in "not available". */
    what: string;
  },
): ReactNode | null {
  if (!opts.canEdit)
    return (
      <EmptyState icon={opts.icon} title="Admins only">
        {opts.askAdmin}
      </EmptyState>
    );
  if (query.isLoading) return <LoadingState label={opts.loadingLabel} />;
  if (query.error)
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} what={opts.what} />;
  if (query.data === null) return <NotAvailable what={opts.what} />;
  return null;
}

/** A mutation's error under a card's list, or nothing. */
export function CardError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="p-4">
      <InlineError error={error} />
    </div>
  );
}

/**
 * The "add" dialog: a form, then, once created, the secret shown this one time and a Done button.
 * `secret` is null until the create answer carries one.
 */
export function SecretRevealDialog({
  open,
  onClose,
  title,
  createdTitle,
  secret,
  secretWhat,
  formId,
  onSubmit,
  submitLabel,
  busy,
  disabled,
  noValidate,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  createdTitle: string;
  secret: string | null;
  /** What the secret is, in "Copy the … now". */
  secretWhat: string;
  formId: string;
  onSubmit: (e: FormEvent) => void;
  submitLabel: string;
  busy: boolean;
  disabled?: boolean;
  noValidate?: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={secret ? createdTitle : title}
      footer={
        secret ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" form={formId} variant="primary" busy={busy} disabled={disabled}>
              {submitLabel}
            </Button>
          </>
        )
      }
    >
      {secret ? (
        <OneTimeSecret value={secret} what={secretWhat} />
      ) : (
        <form id={formId} onSubmit={onSubmit} className="space-y-4" noValidate={noValidate}>
          {children}
        </form>
      )}
    </Dialog>
  );
}

/** The HTTPS endpoint a webhook posts to. */
export function EndpointUrlField({
  hint,
  placeholder,
  value,
  onChange,
  error,
}: {
  hint: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  return (
    <Field label="Endpoint URL" hint={hint} error={error} required>
      {({ id, describedBy, invalid }) => (
        <Input
          id={id}
          type="url"
          inputMode="url"
          placeholder={placeholder}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        />
      )}
    </Field>
  );
}

export type DeliveryTest = { delivered: boolean; status?: number | null; error?: string | null };

/** How a "Send test" went: `what` is "Test delivery" or "Test event". */
export function TestResult({ result, what }: { result: DeliveryTest | Error; what: string }) {
  if (result instanceof Error) {
    return (
      <p role="status" className="text-sm text-red-700">
        Test failed: {result.message}
      </p>
    );
  }
  const http = result.status ? ` (HTTP ${result.status})` : '';
  return (
    <p
      role="status"
      className={result.delivered ? 'text-sm text-emerald-700' : 'text-sm text-red-700'}
    >
      {result.delivered
        ? `${what} accepted${http}.`
        : `${what} failed${http}: ${result.error ?? 'no details'}`}
    </p>
  );
}

/** A ghost button that acts only once the browser's confirm says yes. */
export function ConfirmButton({
  question,
  onConfirm,
  children,
  busy,
}: {
  question: string;
  onConfirm: () => void;
  children: ReactNode;
  busy?: boolean;
}) {
  return (
    <Button
      size="sm"
      variant="ghost"
      busy={busy}
      onClick={() => {
        if (window.confirm(question)) onConfirm();
      }}
    >
      {children}
    </Button>
  );
}

/** "Send test" on a destination's row. */
export function SendTestButton({ onClick, busy }: { onClick: () => void; busy: boolean }) {
  return (
    <Button size="sm" onClick={onClick} busy={busy}>
      Send test
    </Button>
  );
}

/** A list row's Edit and Delete (after a confirm), named after the row for screen readers. */
export function EditDeleteActions({
  editName,
  deleteName,
  onEdit,
  question,
  onDelete,
  deleting,
}: {
  editName: string;
  deleteName: string;
  onEdit: () => void;
  question: string;
  onDelete: () => void;
  deleting: boolean;
}) {
  return (
    <>
      <Button size="sm" variant="ghost" onClick={onEdit} aria-label={editName}>
        Edit
      </Button>
      <Button
        size="sm"
        variant="ghost"
        aria-label={deleteName}
        busy={deleting}
        onClick={() => {
          if (window.confirm(question)) onDelete();
        }}
      >
        Delete
      </Button>
    </>
  );
}

/** The dialog that creates or edits one item; its body is the form, rendered while open. */
export function EditorDialog({
  open,
  onClose,
  title,
  formId,
  onSubmit,
  submitLabel,
  busy,
  disabled,
  wide,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  formId: string;
  onSubmit: (e: FormEvent) => void;
  submitLabel: string;
  busy: boolean;
  disabled?: boolean;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      wide={wide}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form={formId} busy={busy} disabled={disabled}>
            {submitLabel}
          </Button>
        </>
      }
    >
      {open ? (
        <form id={formId} onSubmit={onSubmit} className="space-y-4">
          {children}
        </form>
      ) : null}
    </Dialog>
  );
}
