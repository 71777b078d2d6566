'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import {
  consentQuery,
  consentStatusLabel,
  evidenceText,
  invalidateConsent,
  type ConsentChangeDto,
  type ContactConsent,
} from '@/lib/consent-queries';
import { formatPhone, fullDate } from '@/lib/format';
import { membersQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { memberName } from '@/lib/workspace-queries';
import { ChevronDownIcon } from '../icons';
import { Badge, Button, cx, Dialog, Field, InlineError, Spinner, Textarea } from '../ui';

// A contact's WhatsApp consent: per phone number its status, when and from what (a form's box, a
// keyword the customer wrote, an agent's entry), the history newest first, and for agents a
// manual change with the note that is its evidence.

const statusTone = { opted_in: 'green', opted_out: 'red', unknown: 'slate' } as const;

function useMemberNames(): (id: string) => string {
  const members = useQuery(membersQuery());
  return (id) => {
    const member = members.data?.items.find((m) => m.id === id);
    return member ? memberName(member) : 'a former member';
  };
}

function ChangeLine({
  change,
  nameOf,
}: {
  change: ConsentChangeDto;
  nameOf: (id: string) => string;
}) {
  return (
    <>
      <time dateTime={change.at}>{fullDate(change.at)}</time> ·{' '}
      {evidenceText(change.evidence, nameOf)}
    </>
  );
}

function NumberConsent({
  consent,
  nameOf,
}: {
  consent: ContactConsent;
  nameOf: (id: string) => string;
}) {
  return (
    <li className="space-y-1.5">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium text-slate-900">{formatPhone(consent.address)}</span>
        <span data-testid="consent-status">
          <Badge tone={statusTone[consent.status]}>{consentStatusLabel[consent.status]}</Badge>
        </span>
      </div>
      <p className="text-xs text-slate-600">
        {consent.latest ? (
          <ChangeLine change={consent.latest} nameOf={nameOf} />
        ) : (
          'Nothing recorded: broadcasts skip this number until it opts in.'
        )}
      </p>
      {consent.history.length ? (
        <details className="group text-sm">
          <summary className="inline-flex cursor-pointer list-none items-center gap-1 text-xs font-medium text-brand-strong hover:underline">
            <ChevronDownIcon size={14} className="transition-transform group-open:rotate-180" />
            History ({consent.history.length})
          </summary>
          <ol
            aria-label={`Consent history of ${formatPhone(consent.address)}`}
            className="mt-2 space-y-2 border-l-2 border-slate-200 pl-3"
          >
            {consent.history.map((change) => (
              <li key={change.id} className="text-xs text-slate-600">
                <span className="font-medium text-slate-900">
                  {consentStatusLabel[change.status]}
                </span>{' '}
                · <ChangeLine change={change} nameOf={nameOf} />
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </li>
  );
}

function ChangeConsentDialog({
  customerId,
  current,
  open,
  onClose,
}: {
  customerId: string;
  current: ContactConsent['status'];
  open: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const formId = useId();
  const [status, setStatus] = useState<'opted_in' | 'opted_out'>(
    current === 'opted_in' ? 'opted_out' : 'opted_in',
  );
  const [note, setNote] = useState('');
  const save = useMutation({
    mutationFn: () =>
      api.call('customers.consent.set', {
        params: { id: customerId },
        body: { channel: 'whatsapp', status, note },
      }),
    onSuccess: () => {
      invalidateConsent(queryClient, customerId);
      onClose();
    },
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  function submit(e: FormEvent) {
    e.preventDefault();
    // The server says what is wrong with the note (the field error shows under it).
    save.mutate();
  }
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Change consent"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form={formId} busy={save.isPending}>
            Save consent
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate className="space-y-4">
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">WhatsApp marketing</legend>
          {(['opted_in', 'opted_out'] as const).map((value) => (
            <label key={value} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="radio"
                name="consent-status"
                className="size-4 accent-[var(--sb-brand)]"
                checked={status === value}
                onChange={() => setStatus(value)}
              />
              {consentStatusLabel[value]}
            </label>
          ))}
        </fieldset>
        <Field
          label="Note"
          required
          hint="Where this comes from: how the customer agreed or asked to stop."
          error={fields.note}
        >
          {({ id, describedBy, invalid }) => (
            <Textarea
              id={id}
              rows={3}
              maxLength={500}
              value={note}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              aria-required
              onChange={(e) => setNote(e.target.value)}
            />
          )}
        </Field>
        {save.error && !fields.note ? <InlineError error={save.error} /> : null}
      </form>
    </Dialog>
  );
}

/** The consent block; `compact` in the panel beside the thread. */
export function ConsentSection({ customerId, compact }: { customerId: string; compact?: boolean }) {
  const { atLeast } = useRole();
  const consent = useQuery(consentQuery(customerId));
  const nameOf = useMemberNames();
  const [changing, setChanging] = useState(false);
  // A server without the feature: no block at all.
  if (consent.data === null) return null;
  const items = consent.data?.items ?? [];
  const title = compact ? (
    <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600">
      WhatsApp consent
    </h3>
  ) : (
    <h3 className="font-semibold text-slate-900">WhatsApp consent</h3>
  );
  return (
    <section aria-label="WhatsApp consent" className={cx('space-y-2', !compact && 'px-5 py-4')}>
      <div className="flex items-center justify-between gap-2">
        {title}
        {atLeast('agent') && items.length ? (
          <Button size="sm" onClick={() => setChanging(true)}>
            Change consent
          </Button>
        ) : null}
      </div>
      {consent.isLoading ? (
        <Spinner label="Loading consent…" />
      ) : consent.error ? (
        <InlineError error={consent.error} />
      ) : items.length === 0 ? (
        <p className="text-sm text-slate-600">No phone number: nothing to consent to.</p>
      ) : (
        <ul className="space-y-3">
          {items.map((item) => (
            <NumberConsent key={item.address} consent={item} nameOf={nameOf} />
          ))}
        </ul>
      )}
      {changing ? (
        <ChangeConsentDialog
          customerId={customerId}
          current={items[0]?.status ?? 'unknown'}
          open
          onClose={() => setChanging(false)}
        />
      ) : null}
    </section>
  );
}
