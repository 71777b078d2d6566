'use client';

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { lazy, Suspense, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '@/lib/api-client';
import { contactSearchQuery } from '@/lib/contact-queries';
import { displayName } from '@/lib/format';
import {
  invalidateStarted,
  startConversation,
  type StartedConversation,
} from '@/lib/integration-queries';
import { brandingQuery, channelsQuery } from '@/lib/queries';
import { useDebounced } from '@/lib/use-debounced';
import { WhatsAppIcon } from '../icons';
import {
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  Input,
  LoadingState,
  Segmented,
  Select,
} from '../ui';
import type { TemplateChoice } from './template-picker';

// Writing first on WhatsApp: pick the number to write from and who to write to (a phone number,
// read in the workspace's default country, or a contact), then an approved template with its
// variables (the template picker the thread uses). The conversation opens in the inbox.

const TemplatePicker = lazy(() =>
  import('./template-picker').then((m) => ({ default: m.TemplatePicker })),
);

/** A fixed recipient (from a lead or contact): shown, not chosen. */
export type KnownRecipient = { customerId: string; label: string };

type Step = 'recipient' | 'template';

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The same pre-check as the hosted form: lengths per country (the server checks more). */
function phoneProblem(value: string, defaultCountry: string | null | undefined): string | null {
  const text = value.trim();
  if (!text) return 'Enter the phone number to write to.';
  const parsed = parsePhoneNumberFromString(
    text.replace(/^00(?=[1-9])/, '+'),
    defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : undefined,
  );
  if (parsed?.isValid()) return null;
  return defaultCountry || text.startsWith('+')
    ? 'This is not a phone number that exists. Check the digits and the country code.'
    : 'Enter the number with its country code, like +1 650 555 1234.';
}

function ContactChooser({
  value,
  onChange,
  error,
}: {
  value: string | null;
  onChange: (customerId: string | null) => void;
  error?: string;
}) {
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search, 250);
  const results = useQuery({ ...contactSearchQuery(debounced, 8), enabled: debounced.length > 1 });
  const items = (results.data?.items ?? []).filter(
    (c) => c.phone || c.identities.whatsapp || c.id.startsWith('wa-'),
  );
  return (
    <div className="space-y-2">
      <Field label="Search contacts" hint="By name, phone or e-mail." error={error}>
        {({ id, describedBy, invalid }) => (
          <Input
            id={id}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            placeholder="Jane, +1 650…"
          />
        )}
      </Field>
      {debounced.length > 1 ? (
        <div role="radiogroup" aria-label="Contacts" className="max-h-48 space-y-1 overflow-y-auto">
          {results.isLoading ? (
            <p className="text-sm text-slate-600">Searching…</p>
          ) : items.length === 0 ? (
            <p className="text-sm text-slate-600">No contact with a WhatsApp number matches.</p>
          ) : (
            items.map((c) => (
              <label
                key={c.id}
                className={cx(
                  'flex cursor-pointer items-center gap-2 rounded-lg border px-3 py-2 text-sm',
                  value === c.id ? 'border-brand bg-brand/5' : 'border-slate-200 hover:bg-slate-50',
                )}
              >
                <input
                  type="radio"
                  name="contact"
                  checked={value === c.id}
                  onChange={() => onChange(c.id)}
                />
                <span className="font-medium text-slate-900">{displayName(c)}</span>
              </label>
            ))
          )}
        </div>
      ) : null}
    </div>
  );
}

export function StartConversationDialog({
  open,
  onClose,
  recipient,
  onStarted,
}: {
  open: boolean;
  onClose: () => void;
  /** Write to this contact (a lead's, a contact page's); without it the agent chooses. */
  recipient?: KnownRecipient;
  /** After the template went out; by default the conversation opens in the inbox. */
  onStarted?: (started: StartedConversation) => void;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const channels = useQuery({ ...channelsQuery(), enabled: open });
  const branding = useQuery({ ...brandingQuery(), enabled: open });
  const whatsapp = (channels.data?.items ?? []).filter((c) => c.type === 'whatsapp');
  const [step, setStep] = useState<Step>('recipient');
  const [channelId, setChannelId] = useState('');
  const [mode, setMode] = useState<'phone' | 'contact'>('phone');
  const [phone, setPhone] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ to?: string; contact?: string }>({});

  useEffect(() => {
    if (!open) {
      setStep('recipient');
      setPhone('');
      setContactId(null);
      setErrors({});
    }
  }, [open]);
  const chosenChannel = channelId || whatsapp[0]?.id || '';
  const defaultCountry = branding.data?.defaultCountry;

  const send = useMutation({
    mutationFn: (template: TemplateChoice) => {
      const { preview: _preview, ...body } = template;
      const to = recipient
        ? { customerId: recipient.customerId }
        : mode === 'phone'
          ? { to: phone.trim() }
          : { customerId: contactId! };
      return startConversation({ channelId: chosenChannel, ...to, template: body }, newKey());
    },
    onSuccess: (started) => {
      invalidateStarted(queryClient, started);
      onClose();
      if (onStarted) onStarted(started);
      else router.push(`/app/inbox/?c=${encodeURIComponent(started.conversation.id)}`);
    },
    onError: (err) => {
      // A number the server refuses: back to it, with the reason by the field.
      if (err instanceof ApiError && err.fields.to) {
        setErrors({ to: err.fields.to });
        setStep('recipient');
      }
    },
  });

  function next(e: FormEvent) {
    e.preventDefault();
    if (!recipient) {
      if (mode === 'phone') {
        const problem = phoneProblem(phone, defaultCountry);
        if (problem) return setErrors({ to: problem });
      } else if (!contactId) {
        return setErrors({ contact: 'Choose the contact to write to.' });
      }
    }
    setErrors({});
    send.reset();
    setStep('template');
  }

  const loading = channels.isLoading || branding.isLoading;
  return (
    <>
      <Dialog
        open={open && step === 'recipient'}
        // Closing it to show the template picker is a step, not the end of the dialog.
        onClose={() => {
          if (step === 'recipient') onClose();
        }}
        title="New WhatsApp conversation"
        footer={
          whatsapp.length ? (
            <>
              <Button onClick={onClose}>Cancel</Button>
              <Button type="submit" form="start-conversation" variant="primary">
                Choose template
              </Button>
            </>
          ) : (
            <Button onClick={onClose}>Close</Button>
          )
        }
      >
        {loading ? (
          <LoadingState label="Loading channels…" />
        ) : channels.error ? (
          <ErrorState
            error={channels.error}
            onRetry={() => void channels.refetch()}
            what="Channels"
          />
        ) : !whatsapp.length ? (
          <EmptyState icon={<WhatsAppIcon />} title="No WhatsApp number connected">
            Connect a WhatsApp number in Settings → Channels to write to customers first.
          </EmptyState>
        ) : (
          <form id="start-conversation" onSubmit={next} className="space-y-4" noValidate>
            <p className="text-sm text-slate-600">
              Someone who has not written in the last 24 hours can only receive an approved
              template. Their reply opens the conversation for free-form messages.
            </p>
            <Field label="From">
              {({ id }) => (
                <Select
                  id={id}
                  value={chosenChannel}
                  onChange={(e) => setChannelId(e.target.value)}
                >
                  {whatsapp.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.displayName ?? c.phoneNumberId ?? c.id}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            {recipient ? (
              <div className="space-y-1">
                <p className="text-sm font-medium text-slate-700">To</p>
                <p className="text-sm text-slate-900">{recipient.label}</p>
              </div>
            ) : (
              <>
                <Segmented
                  label="Write to"
                  value={mode}
                  onChange={(m) => {
                    setMode(m);
                    setErrors({});
                  }}
                  options={[
                    { value: 'phone', label: 'Phone number' },
                    { value: 'contact', label: 'Contact' },
                  ]}
                />
                {mode === 'phone' ? (
                  <Field
                    label="Phone number"
                    hint={
                      defaultCountry
                        ? `Numbers without a country code are read as ${defaultCountry}.`
                        : 'With its country code, e.g. +1 650 555 1234.'
                    }
                    error={errors.to}
                    required
                  >
                    {({ id, describedBy, invalid }) => (
                      <Input
                        id={id}
                        type="tel"
                        autoComplete="off"
                        value={phone}
                        onChange={(e) => setPhone(e.target.value)}
                        aria-describedby={describedBy}
                        aria-invalid={invalid}
                      />
                    )}
                  </Field>
                ) : (
                  <ContactChooser
                    value={contactId}
                    onChange={setContactId}
                    error={errors.contact ?? errors.to}
                  />
                )}
              </>
            )}
          </form>
        )}
      </Dialog>
      {open && step === 'template' && chosenChannel ? (
        <Suspense fallback={null}>
          <TemplatePicker
            channelId={chosenChannel}
            open
            onClose={() => setStep('recipient')}
            onSend={(choice) => send.mutate(choice)}
            sending={send.isPending}
            error={send.error}
          />
        </Suspense>
      ) : null}
    </>
  );
}

/** A button that opens the dialog: in the inbox header, on a lead or a contact. */
export function StartConversationButton({
  children,
  recipient,
  size = 'sm',
  variant,
}: {
  children: ReactNode;
  recipient?: KnownRecipient;
  size?: 'sm' | 'md';
  variant?: 'primary' | 'ghost';
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size={size} variant={variant} onClick={() => setOpen(true)}>
        {children}
      </Button>
      <StartConversationDialog open={open} onClose={() => setOpen(false)} recipient={recipient} />
    </>
  );
}
