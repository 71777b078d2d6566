'use client';

import {
  outboundInteractiveSchema,
  type ChannelType,
  type OutboundInteractive,
} from '@switchboard/contracts';
import { useState } from 'react';
import { PlusIcon, TrashIcon } from '../icons';
import { Button, Dialog, Field, InlineError, Input, Segmented, Textarea } from '../ui';
import { SentInteractive } from './message-bubble';

// A small builder for WhatsApp reply buttons and lists (Instagram: quick replies), checked with
// the contract's own schema (Meta's limits) and previewed as the customer will see it.

type Row = { title: string; description: string };

function slug(title: string, i: number, prefix: string): string {
  const base = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `${prefix}_${i + 1}${base ? `_${base}` : ''}`;
}

const optional = (value: string) => value.trim() || undefined;

export function InteractiveBuilder({
  channel,
  initialKind,
  onClose,
  onSend,
  sending,
  error,
}: {
  channel: ChannelType;
  initialKind: 'buttons' | 'list';
  onClose: () => void;
  onSend: (interactive: OutboundInteractive) => void;
  sending: boolean;
  error?: unknown;
}) {
  const [kind, setKind] = useState<'buttons' | 'list'>(
    channel === 'instagram' ? 'buttons' : initialKind,
  );
  const [header, setHeader] = useState('');
  const [body, setBody] = useState('');
  const [footer, setFooter] = useState('');
  const [buttons, setButtons] = useState<string[]>(['', '']);
  const [listButton, setListButton] = useState('See options');
  const [sectionTitle, setSectionTitle] = useState('');
  const [rows, setRows] = useState<Row[]>([{ title: '', description: '' }]);
  const [shown, setShown] = useState(false);
  const instagram = channel === 'instagram';

  const draft = (): unknown =>
    kind === 'buttons'
      ? {
          type: 'buttons',
          header: instagram ? undefined : optional(header),
          body: body.trim(),
          footer: instagram ? undefined : optional(footer),
          buttons: buttons
            .map((title) => title.trim())
            .filter(Boolean)
            .map((title, i) => ({ id: slug(title, i, 'btn'), title })),
        }
      : {
          type: 'list',
          header: optional(header),
          body: body.trim(),
          footer: optional(footer),
          button: listButton.trim(),
          sections: [
            {
              title: optional(sectionTitle),
              rows: rows
                .filter((r) => r.title.trim())
                .map((r, i) => ({
                  id: slug(r.title, i, 'row'),
                  title: r.title.trim(),
                  description: optional(r.description),
                })),
            },
          ],
        };
  const parsed = outboundInteractiveSchema.safeParse(draft());
  const problem = parsed.success ? null : parsed.error.issues[0];
  const problemText = problem ? describeProblem(problem.path, problem.message) : null;

  function send() {
    setShown(true);
    if (parsed.success) onSend(parsed.data);
  }

  const title =
    kind === 'buttons' ? (instagram ? 'Send quick replies' : 'Send reply buttons') : 'Send a list';

  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            busy={sending}
            onClick={send}
            disabled={shown && !parsed.success}
          >
            Send
          </Button>
        </>
      }
    >
      <div className="grid gap-4 md:grid-cols-[1fr_16rem]">
        <div className="space-y-3">
          {instagram ? null : (
            <Segmented
              label="Send as"
              value={kind}
              onChange={setKind}
              options={[
                { value: 'buttons', label: 'Reply buttons' },
                { value: 'list', label: 'List' },
              ]}
            />
          )}
          {instagram ? null : (
            <Field label="Header" hint="Optional, up to 60 characters.">
              {({ id, describedBy }) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  maxLength={60}
                  value={header}
                  onChange={(e) => setHeader(e.target.value)}
                />
              )}
            </Field>
          )}
          <Field label="Message" required>
            {({ id, describedBy }) => (
              <Textarea
                id={id}
                aria-describedby={describedBy}
                rows={3}
                maxLength={kind === 'buttons' ? 1024 : 4096}
                value={body}
                onChange={(e) => setBody(e.target.value)}
              />
            )}
          </Field>
          {instagram ? null : (
            <Field label="Footer" hint="Optional, up to 60 characters.">
              {({ id, describedBy }) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  maxLength={60}
                  value={footer}
                  onChange={(e) => setFooter(e.target.value)}
                />
              )}
            </Field>
          )}
          {kind === 'buttons' ? (
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-700">
                Buttons{' '}
                <span className="font-normal text-slate-500">(1 to 3, up to 20 characters)</span>
              </legend>
              {buttons.map((value, i) => (
                <div key={i} className="flex items-center gap-2">
                  <Input
                    aria-label={`Button ${i + 1}`}
                    maxLength={20}
                    value={value}
                    onChange={(e) =>
                      setButtons((b) => b.map((old, j) => (j === i ? e.target.value : old)))
                    }
                  />
                  <button
                    type="button"
                    onClick={() => setButtons((b) => b.filter((_, j) => j !== i))}
                    disabled={buttons.length === 1}
                    className="rounded p-1.5 text-slate-600 hover:bg-slate-100 disabled:opacity-40"
                    aria-label={`Remove button ${i + 1}`}
                  >
                    <TrashIcon size={16} />
                  </button>
                </div>
              ))}
              {buttons.length < 3 ? (
                <Button size="sm" variant="ghost" onClick={() => setButtons((b) => [...b, ''])}>
                  <PlusIcon size={14} /> Add a button
                </Button>
              ) : null}
            </fieldset>
          ) : (
            <>
              <Field label="Label of the button that opens the list" required>
                {({ id, describedBy }) => (
                  <Input
                    id={id}
                    aria-describedby={describedBy}
                    maxLength={20}
                    value={listButton}
                    onChange={(e) => setListButton(e.target.value)}
                  />
                )}
              </Field>
              <Field label="Section title" hint="Optional, up to 24 characters.">
                {({ id, describedBy }) => (
                  <Input
                    id={id}
                    aria-describedby={describedBy}
                    maxLength={24}
                    value={sectionTitle}
                    onChange={(e) => setSectionTitle(e.target.value)}
                  />
                )}
              </Field>
              <fieldset className="space-y-2">
                <legend className="text-sm font-medium text-slate-700">
                  Options <span className="font-normal text-slate-500">(up to 10)</span>
                </legend>
                {rows.map((row, i) => (
                  <div key={i} className="flex items-start gap-2">
                    <div className="grid flex-1 gap-1 sm:grid-cols-2">
                      <Input
                        aria-label={`Option ${i + 1}`}
                        maxLength={24}
                        value={row.title}
                        onChange={(e) =>
                          setRows((r) =>
                            r.map((old, j) => (j === i ? { ...old, title: e.target.value } : old)),
                          )
                        }
                      />
                      <Input
                        aria-label={`Description of option ${i + 1}`}
                        placeholder="Description (optional)"
                        maxLength={72}
                        value={row.description}
                        onChange={(e) =>
                          setRows((r) =>
                            r.map((old, j) =>
                              j === i ? { ...old, description: e.target.value } : old,
                            ),
                          )
                        }
                      />
                    </div>
                    <button
                      type="button"
                      onClick={() => setRows((r) => r.filter((_, j) => j !== i))}
                      disabled={rows.length === 1}
                      className="mt-2 rounded p-1.5 text-slate-600 hover:bg-slate-100 disabled:opacity-40"
                      aria-label={`Remove option ${i + 1}`}
                    >
                      <TrashIcon size={16} />
                    </button>
                  </div>
                ))}
                {rows.length < 10 ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => setRows((r) => [...r, { title: '', description: '' }])}
                  >
                    <PlusIcon size={14} /> Add an option
                  </Button>
                ) : null}
              </fieldset>
            </>
          )}
          {shown && problemText ? <InlineError error={problemText} /> : null}
          <InlineError error={error} />
        </div>
        <div>
          <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Preview</p>
          <div className="rounded-xl rounded-br-md border border-brand/20 bg-brand/10 p-3 text-sm text-slate-900">
            {parsed.success ? (
              <SentInteractive i={parsed.data} />
            ) : (
              <p className="text-slate-600">
                Write the message and at least one {kind === 'buttons' ? 'button' : 'option'}.
              </p>
            )}
          </div>
        </div>
      </div>
    </Dialog>
  );
}

function describeProblem(path: readonly PropertyKey[], message: string): string {
  const where = path.map(String);
  if (where[0] === 'body') return 'Write the message the customer will read.';
  if (where[0] === 'buttons') return 'Give one to three buttons a title of up to 20 characters.';
  if (where[0] === 'button') return 'Give the button that opens the list a label.';
  if (where[0] === 'sections') {
    return message.includes('10')
      ? 'A list holds at most 10 options.'
      : 'Give at least one option a title of up to 24 characters.';
  }
  return message;
}
