'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { consentKeywordsQuery, type ConsentKeywordsDto } from '@/lib/consent-queries';
import { useRole } from '@/lib/session';
import { PlusIcon, ShieldIcon, TrashIcon } from '../icons';
import { Button, Card, Field, InlineError, Input, Textarea } from '../ui';
import { listGate } from './settings-parts';

// Settings → Consent: the words a customer writes on WhatsApp to stop (or restart) marketing
// messages, per language, and the reply each gets. Admins edit the whole set and save it at once;
// the server refuses a word that is in both lists, and its field errors show on the field.

type Language = ConsentKeywordsDto['languages'][number];
/** A language as edited: the keyword lists as typed, comma separated. */
type Draft = {
  /** Only a React key: rows may be added and removed. */
  rowId: number;
  language: string;
  optOut: string;
  optIn: string;
  optOutReply: string;
  optInReply: string;
};

let rowSeq = 0;
const toDraft = (l: Language): Draft => ({
  rowId: ++rowSeq,
  language: l.language,
  optOut: l.optOut.join(', '),
  optIn: l.optIn.join(', '),
  optOutReply: l.optOutReply,
  optInReply: l.optInReply,
});
const words = (text: string) =>
  text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
const fromDraft = (d: Draft): Language => ({
  language: d.language.trim(),
  optOut: words(d.optOut),
  optIn: words(d.optIn),
  optOutReply: d.optOutReply,
  optInReply: d.optInReply,
});

/** "English (en)" where the browser knows the code, else the code itself. */
function languageName(code: string): string {
  const trimmed = code.trim();
  if (!trimmed) return 'New language';
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(trimmed);
    return name && name !== trimmed ? `${name} (${trimmed})` : trimmed;
  } catch {
    return trimmed;
  }
}

/** The first server error at `prefix` or under it (`languages.0.optOut.3`: one of its words). */
function errorAt(fields: Record<string, string>, prefix: string): string | undefined {
  const key = Object.keys(fields).find((k) => k === prefix || k.startsWith(`${prefix}.`));
  return key ? fields[key] : undefined;
}

function LanguageRow({
  draft,
  index,
  fields,
  onChange,
  onRemove,
  canRemove,
}: {
  draft: Draft;
  index: number;
  fields: Record<string, string>;
  onChange: (next: Draft) => void;
  onRemove: () => void;
  canRemove: boolean;
}) {
  const err = (name: keyof Language) => errorAt(fields, `languages.${index}.${name}`);
  const name = languageName(draft.language);
  const text = (key: 'optOut' | 'optIn', label: string, hint: string) => (
    <Field label={label} hint={hint} error={err(key)}>
      {({ id, describedBy, invalid }) => (
        <Input
          id={id}
          value={draft[key]}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(e) => onChange({ ...draft, [key]: e.target.value })}
        />
      )}
    </Field>
  );
  const reply = (key: 'optOutReply' | 'optInReply', label: string) => (
    <Field label={label} error={err(key)} required>
      {({ id, describedBy, invalid }) => (
        <Textarea
          id={id}
          rows={2}
          maxLength={1024}
          value={draft[key]}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(e) => onChange({ ...draft, [key]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <Card>
      <fieldset className="space-y-4 p-5">
        <legend className="sr-only">{name}</legend>
        <div className="flex flex-wrap items-end justify-between gap-3">
          <Field
            label="Language code"
            hint="Such as en, es or pt-BR."
            error={err('language')}
            required
            className="w-48"
          >
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                value={draft.language}
                maxLength={6}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => onChange({ ...draft, language: e.target.value })}
              />
            )}
          </Field>
          <p className="flex-1 pb-7 text-sm font-medium text-slate-900" aria-hidden>
            {name}
          </p>
          {canRemove ? (
            <Button
              size="sm"
              variant="ghost"
              className="mb-6"
              aria-label={`Remove ${name}`}
              onClick={onRemove}
            >
              <TrashIcon size={14} /> Remove
            </Button>
          ) : null}
        </div>
        <div className="grid gap-4 md:grid-cols-2">
          <div className="space-y-4">
            {text('optOut', 'Opt-out keywords', 'Comma separated, such as STOP, UNSUBSCRIBE.')}
            {reply('optOutReply', 'Opt-out reply')}
          </div>
          <div className="space-y-4">
            {text('optIn', 'Opt-in keywords', 'Comma separated, such as START.')}
            {reply('optInReply', 'Opt-in reply')}
          </div>
        </div>
      </fieldset>
    </Card>
  );
}

function KeywordsEditor({ initial }: { initial: ConsentKeywordsDto }) {
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<Draft[]>(() => initial.languages.map(toDraft));
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (languages: Language[]) =>
      api.call('consent-keywords.update', { body: { languages } }),
    onSuccess: (data) => {
      queryClient.setQueryData(consentKeywordsQuery().queryKey, data);
      setDrafts(data.languages.map(toDraft));
      setSaved(true);
    },
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const rowErrors = Object.keys(fields).some((k) => /^languages\.\d+\./.test(k));
  function update(index: number, next: Draft) {
    setSaved(false);
    setDrafts((all) => all.map((d, i) => (i === index ? next : d)));
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    save.mutate(drafts.map(fromDraft));
  }
  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Consent keywords">
      <p className="max-w-2xl text-sm text-slate-600">
        A WhatsApp message that is exactly one of these words (any case, accents and punctuation
        aside) opts the number out of marketing messages, or back in, and gets the language’s reply.
        Every change is audited.
      </p>
      {drafts.map((draft, index) => (
        <LanguageRow
          key={draft.rowId}
          draft={draft}
          index={index}
          fields={fields}
          canRemove={drafts.length > 1}
          onChange={(next) => update(index, next)}
          onRemove={() => {
            setSaved(false);
            save.reset();
            setDrafts((all) => all.filter((_, i) => i !== index));
          }}
        />
      ))}
      {save.error && !rowErrors ? (
        <InlineError error={errorAt(fields, 'languages') ?? save.error} />
      ) : null}
      {save.error && rowErrors ? (
        <InlineError error="Some keywords could not be saved: see the fields marked above." />
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        <Button
          onClick={() => {
            setSaved(false);
            setDrafts((all) => [
              ...all,
              toDraft({ language: '', optOut: [], optIn: [], optOutReply: '', optInReply: '' }),
            ]);
          }}
          disabled={drafts.length >= 20}
        >
          <PlusIcon size={16} /> Add language
        </Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save keywords
        </Button>
        <span role="status" className="text-sm text-emerald-700">
          {saved ? 'Keywords saved.' : ''}
        </span>
      </div>
    </form>
  );
}

export function ConsentSettings() {
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const keywords = useQuery(consentKeywordsQuery(canEdit));
  const gate = listGate(keywords, {
    canEdit,
    icon: <ShieldIcon size={20} />,
    askAdmin: 'Ask a workspace admin to change the opt-out and opt-in keywords.',
    loadingLabel: 'Loading keywords…',
    what: 'Consent keywords',
  });
  if (gate) return gate;
  return keywords.data ? <KeywordsEditor initial={keywords.data} /> : null;
}
