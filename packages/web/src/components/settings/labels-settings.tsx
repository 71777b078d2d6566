'use client';

import { labelColors, type LabelColor, type LabelDto } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { useRole } from '@/lib/session';
import { labelsQuery } from '@/lib/workspace-queries';
import { TagIcon } from '../icons';
import { labelColorNames, LabelChip, labelTones } from '../inbox/label-chip';
import {
  Card,
  cx,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
} from '../ui';
import { CardError, EditDeleteActions, EditorDialog, SettingsIntro } from './settings-parts';

// Settings → Labels: the workspace's labels, each a name and a colour from the palette. Admins
// create, rename, recolour and delete; everyone sees the list.

function ColourChoice({
  value,
  onChange,
}: {
  value: LabelColor;
  onChange: (color: LabelColor) => void;
}) {
  return (
    <div role="radiogroup" aria-label="Colour" className="flex flex-wrap gap-2">
      {labelColors.map((color) => (
        <button
          key={color}
          type="button"
          role="radio"
          aria-checked={value === color}
          aria-label={labelColorNames[color]}
          title={labelColorNames[color]}
          onClick={() => onChange(color)}
          className={cx(
            'flex size-8 items-center justify-center rounded-full ring-1 ring-inset',
            labelTones[color].chip,
            value === color && 'outline-2 outline-offset-2 outline-slate-900',
          )}
        >
          <span aria-hidden className={cx('size-3 rounded-full', labelTones[color].dot)} />
        </button>
      ))}
    </div>
  );
}

type Editing = { label: LabelDto | null; name: string; color: LabelColor };

export function LabelsSettings() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const labels = useQuery(labelsQuery());
  const [editing, setEditing] = useState<Editing | null>(null);

  const save = useMutation({
    mutationFn: ({ label, name, color }: Editing) =>
      label
        ? api.call('labels.update', { params: { id: label.id }, body: { name, color } })
        : api.call('labels.create', { body: { name, color } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['labels'] });
      setEditing(null);
    },
  });
  const remove = useMutation({
    mutationFn: (label: LabelDto) => api.call('labels.delete', { params: { id: label.id } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['labels'] }),
  });

  function open(label: LabelDto | null) {
    save.reset();
    setEditing({ label, name: label?.name ?? '', color: label?.color ?? 'blue' });
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (editing) save.mutate({ ...editing, name: editing.name.trim() });
  }
  const fields = save.error instanceof ApiError ? save.error.fields : {};

  if (labels.isLoading) return <LoadingState label="Loading labels…" />;
  if (labels.error) {
    return <ErrorState error={labels.error} onRetry={() => void labels.refetch()} what="Labels" />;
  }
  if (labels.data === null) return <NotAvailable what="Labels" />;
  const items = labels.data?.items ?? [];

  return (
    <div className="space-y-4">
      <SettingsIntro addLabel="New label" onAdd={canEdit ? () => open(null) : undefined}>
        Agents put labels on conversations, and anyone can filter the inbox by one.
        {canEdit ? '' : ' Ask a workspace admin to add or change labels.'}
      </SettingsIntro>
      <Card>
        {items.length === 0 ? (
          <EmptyState icon={<TagIcon size={20} />} title="No labels yet">
            Create labels such as “VIP”, “Billing” or “Follow up” to sort conversations.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Labels">
            {items.map((label) => (
              <li key={label.id} className="flex items-center gap-3 px-5 py-3">
                <div className="min-w-0 flex-1">
                  <LabelChip label={label} />
                </div>
                <span className="text-xs text-slate-600">{labelColorNames[label.color]}</span>
                {canEdit ? (
                  <EditDeleteActions
                    editName={`Edit label ${label.name}`}
                    deleteName={`Delete label ${label.name}`}
                    onEdit={() => open(label)}
                    question={`Delete the label “${label.name}”? It disappears from every conversation.`}
                    onDelete={() => remove.mutate(label)}
                    deleting={remove.isPending && remove.variables?.id === label.id}
                  />
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
        title={editing?.label ? 'Edit label' : 'New label'}
        formId="label-form"
        onSubmit={submit}
        submitLabel={editing?.label ? 'Save label' : 'Create label'}
        busy={save.isPending}
      >
        {editing ? (
          <>
            <Field label="Name" error={fields.name} required>
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={editing.name}
                  maxLength={40}
                  autoFocus
                  onChange={(e) => setEditing({ ...editing, name: e.target.value })}
                  placeholder="e.g. VIP"
                />
              )}
            </Field>
            <div className="space-y-1.5">
              <p className="text-sm font-medium text-slate-800">Colour</p>
              <ColourChoice
                value={editing.color}
                onChange={(color) => setEditing({ ...editing, color })}
              />
            </div>
            <div className="flex items-center gap-2 text-sm text-slate-600">
              Preview:{' '}
              <LabelChip label={{ name: editing.name.trim() || 'Label', color: editing.color }} />
            </div>
            {save.error && !fields.name ? <InlineError error={save.error} /> : null}
          </>
        ) : null}
      </EditorDialog>
    </div>
  );
}
