'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import { contactSearchQuery, invalidateContacts, type ContactDto } from '@/lib/contact-queries';
import { displayName, formatPhone } from '@/lib/format';
import { useDebounced } from '@/lib/use-debounced';
import { ChannelIcon, SearchIcon } from '../icons';
import { Avatar, Button, cx, Dialog, InlineError, Input, Spinner } from '../ui';

// Merge another contact into this one: pick it by search, read what will happen, confirm. The
// other contact's WhatsApp or Instagram, phone, e-mail, leads and conversations join this one,
// and its later messages arrive here; it cannot be undone.

function Identity({ contact }: { contact: ContactDto }) {
  return (
    <span className="flex items-center gap-1.5 text-xs text-slate-600">
      {contact.identities.whatsapp ? <ChannelIcon channel="whatsapp" size={12} labelled /> : null}
      {contact.identities.instagram ? <ChannelIcon channel="instagram" size={12} labelled /> : null}
      <span className="truncate">
        {contact.phone
          ? formatPhone(contact.phone)
          : (contact.email ?? contact.identities.instagram ?? '')}
      </span>
    </span>
  );
}

export function MergeDialog({
  open,
  onClose,
  target,
  onMerged,
}: {
  open: boolean;
  onClose: () => void;
  /** The contact that stays. */
  target: ContactDto;
  onMerged: (contact: ContactDto) => void;
}) {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<ContactDto | null>(null);
  const q = useDebounced(search.trim());
  const results = useQuery({ ...contactSearchQuery(q, 10), enabled: open && q.length > 0 });
  const merge = useMutation({
    mutationFn: (source: ContactDto) =>
      api.call('customers.merge', { params: { id: target.id }, body: { sourceId: source.id } }),
    onSuccess: (result) => {
      invalidateContacts(queryClient, target.id, result.sourceId);
      onMerged(result.contact);
      close();
    },
  });
  function close() {
    setSearch('');
    setPicked(null);
    merge.reset();
    onClose();
  }
  const candidates = (results.data?.items ?? []).filter((c) => c.id !== target.id);
  const targetName = displayName(target);

  return (
    <Dialog
      open={open}
      onClose={close}
      title={`Merge a contact into ${targetName}`}
      footer={
        <>
          <Button variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button
            variant="primary"
            disabled={!picked}
            busy={merge.isPending}
            onClick={() => picked && merge.mutate(picked)}
          >
            Merge contacts
          </Button>
        </>
      }
    >
      {picked ? (
        <div className="space-y-3">
          <p className="text-sm text-slate-700">
            <strong className="font-semibold text-slate-900">{displayName(picked)}</strong> becomes
            part of <strong className="font-semibold text-slate-900">{targetName}</strong>: their
            WhatsApp or Instagram, phone, e-mail, leads and conversations show on one timeline, and
            their new messages arrive there. This cannot be undone.
          </p>
          <div className="flex items-center gap-3 rounded-lg border border-slate-200 p-3">
            <Avatar name={displayName(picked)} size={36} />
            <span className="min-w-0 flex-1">
              <span className="block truncate font-medium text-slate-900">
                {displayName(picked)}
              </span>
              <Identity contact={picked} />
            </span>
            <Button size="sm" variant="ghost" onClick={() => setPicked(null)}>
              Change
            </Button>
          </div>
          {merge.error ? <InlineError error={merge.error} /> : null}
        </div>
      ) : (
        <div className="space-y-3">
          <label className="relative block">
            <span className="sr-only">Find the contact to merge</span>
            <SearchIcon
              size={16}
              className="pointer-events-none absolute left-3 top-3 text-slate-500"
            />
            <Input
              type="search"
              autoFocus
              placeholder="Name, phone or e-mail"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              className="pl-9"
            />
          </label>
          {!q ? (
            <p className="text-sm text-slate-600">
              Search for the other contact of the same person.
            </p>
          ) : results.isLoading ? (
            <Spinner label="Searching…" />
          ) : candidates.length === 0 ? (
            <p className="text-sm text-slate-600">No other contact matches.</p>
          ) : (
            <ul
              aria-label="Matching contacts"
              className="divide-y divide-slate-100 rounded-lg border border-slate-200"
            >
              {candidates.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    onClick={() => setPicked(c)}
                    className={cx(
                      'flex w-full items-center gap-3 px-3 py-2 text-left hover:bg-slate-50',
                    )}
                  >
                    <Avatar name={displayName(c)} size={32} src={c.avatarUrl} />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate text-sm font-medium text-slate-900">
                        {displayName(c)}
                      </span>
                      <Identity contact={c} />
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}
