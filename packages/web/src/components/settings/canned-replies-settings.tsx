'use client';

import {
  cannedReplyContentIssues,
  cannedReplyContentMax,
  cannedReplyVariables,
  renderCannedReply,
  type CannedReplyDto,
} from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { useRole, useSignedIn } from '@/lib/session';
import { cannedContext, cannedRepliesQuery } from '@/lib/workspace-queries';
import { BoltIcon } from '../icons';
import {
  Card,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
  Textarea,
} from '../ui';
import { CardError, EditDeleteActions, EditorDialog, SettingsIntro } from './settings-parts';

// Settings → Canned replies: answers for the whole workspace, inserted in the composer by typing
// `/` and the short code. The content may use variables, filled in from the conversation's contact
// and the agent when inserted. Admins manage them; agents use them.

/** How the preview fills the variables: a sample contact, and you as the agent. */
const sampleContact = { name: 'Maria Silva', phone: '5511999990000', email: 'maria@example.com' };

type Editing = { reply: CannedReplyDto | null; shortCode: string; content: string };

export function CannedRepliesSettings() {
  const queryClient = useQueryClient();
  const session = useSignedIn();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const replies = useQuery(cannedRepliesQuery());
  const [editing, setEditing] = useState<Editing | null>(null);
  const contentBox = useRef<HTMLTextAreaElement>(null);

  const save = useMutation({
    mutationFn: ({ reply, shortCode, content }: Editing) =>
      reply
        ? api.call('cannedReplies.update', {
            params: { id: reply.id },
            body: { shortCode, content },
          })
        : api.call('cannedReplies.create', { body: { shortCode, content } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['canned-replies'] });
      setEditing(null);
    },
  });
  const remove = useMutation({
    mutationFn: (reply: CannedReplyDto) =>
      api.call('cannedReplies.delete', { params: { id: reply.id } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['canned-replies'] }),
  });

  function open(reply: CannedReplyDto | null) {
    save.reset();
    setEditing({ reply, shortCode: reply?.shortCode ?? '', content: reply?.content ?? '' });
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (editing) save.mutate({ ...editing, shortCode: editing.shortCode.trim() });
  }
  /** Puts a variable at the caret of the content box. */
  function insertVariable(variable: string) {
    if (!editing) return;
    const el = contentBox.current;
    const at = el?.selectionStart ?? editing.content.length;
    const token = `{{${variable}}}`;
    const content =
      editing.content.slice(0, at) + token + editing.content.slice(el?.selectionEnd ?? at);
    setEditing({ ...editing, content });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  }

  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const localIssue = editing ? cannedReplyContentIssues(editing.content)[0] : undefined;

  if (replies.isLoading) return <LoadingState label="Loading canned replies…" />;
  if (replies.error) {
    return (
      <ErrorState
        error={replies.error}
        onRetry={() => void replies.refetch()}
        what="Canned replies"
      />
    );
  }
  if (replies.data === null) return <NotAvailable what="Canned replies" />;
  const items = replies.data?.items ?? [];

  return (
    <div className="space-y-4">
      <SettingsIntro addLabel="New canned reply" onAdd={canEdit ? () => open(null) : undefined}>
        Type <kbd className="rounded border border-slate-300 bg-slate-50 px-1 font-mono">/</kbd> and
        a short code in the reply box to insert one.
        {canEdit ? '' : ' Ask a workspace admin to add or change them.'}
      </SettingsIntro>
      <Card>
        {items.length === 0 ? (
          <EmptyState icon={<BoltIcon size={20} />} title="No canned replies yet">
            Save the answers your team gives every day, such as opening hours or how refunds work.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Canned replies">
            {items.map((reply) => (
              <li key={reply.id} className="flex items-start gap-3 px-5 py-3">
                <code className="mt-0.5 shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-sm font-semibold text-brand-strong">
                  /{reply.shortCode}
                </code>
                <p className="min-w-0 flex-1 whitespace-pre-wrap break-words text-sm text-slate-800">
                  {reply.content}
                </p>
                {canEdit ? (
                  <div className="flex shrink-0 gap-1">
                    <EditDeleteActions
                      editName={`Edit /${reply.shortCode}`}
                      deleteName={`Delete /${reply.shortCode}`}
                      onEdit={() => open(reply)}
                      question={`Delete the canned reply /${reply.shortCode}?`}
                      onDelete={() => remove.mutate(reply)}
                      deleting={remove.isPending && remove.variables?.id === reply.id}
                    />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <CardError error={remove.error} />
      </Card>
      <EditorDialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.reply ? 'Edit canned reply' : 'New canned reply'}
        wide
        formId="canned-reply-form"
        onSubmit={submit}
        submitLabel={editing?.reply ? 'Save reply' : 'Create reply'}
        busy={save.isPending}
        disabled={Boolean(localIssue)}
      >
        {editing ? (
          <>
            <Field
              label="Short code"
              hint="Letters, digits, - and _. Agents type / and this code."
              error={fields.shortCode}
              required
            >
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={editing.shortCode}
                  maxLength={32}
                  autoFocus
                  autoComplete="off"
                  onChange={(e) => setEditing({ ...editing, shortCode: e.target.value })}
                  placeholder="e.g. hours"
                />
              )}
            </Field>
            <Field label="Content" error={fields.content ?? localIssue} required>
              {({ id, describedBy, invalid }) => (
                <Textarea
                  id={id}
                  ref={contentBox}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  rows={5}
                  maxLength={cannedReplyContentMax}
                  value={editing.content}
                  onChange={(e) => setEditing({ ...editing, content: e.target.value })}
                  placeholder="Hi {{contact.first_name | there}}, we are open 9–18 on weekdays."
                />
              )}
            </Field>
            <div>
              <p className="text-sm font-medium text-slate-800">Insert a variable</p>
              <p className="text-xs text-slate-600">
                Add a fallback for a missing value: {'{{contact.first_name | there}}'}.
              </p>
              <div className="mt-2 flex flex-wrap gap-1.5">
                {cannedReplyVariables.map((v) => (
                  <button
                    key={v}
                    type="button"
                    onClick={() => insertVariable(v)}
                    className="rounded-full border border-slate-300 bg-white px-2 py-0.5 font-mono text-xs text-slate-700 hover:bg-slate-50"
                  >
                    {`{{${v}}}`}
                  </button>
                ))}
              </div>
            </div>
            {editing.content.trim() && !localIssue ? (
              <div className="rounded-lg bg-slate-50 p-3">
                <p className="text-xs font-medium text-slate-600">Preview (a sample contact)</p>
                <p className="mt-1 whitespace-pre-wrap text-sm text-slate-900">
                  {renderCannedReply(
                    editing.content,
                    cannedContext(sampleContact, session.user.email),
                  )}
                </p>
              </div>
            ) : null}
            {save.error && !fields.shortCode && !fields.content ? (
              <InlineError error={save.error} />
            ) : null}
          </>
        ) : null}
      </EditorDialog>
    </div>
  );
}
