'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { availabilityQuery, setAvailability } from '@/lib/assignment-queries';
import { useRole } from '@/lib/session';
import { cx } from './ui';

/**
 * My availability in this workspace: available members take auto-assigned conversations, away
 * ones are skipped. Viewers are never assigned, so they have no toggle.
 */
export function AvailabilityToggle({ compact }: { compact?: boolean }) {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const enabled = atLeast('agent');
  const availability = useQuery({ ...availabilityQuery(), enabled });
  const change = useMutation({
    mutationFn: setAvailability,
    onSuccess: (next) => {
      queryClient.setQueryData(availabilityQuery().queryKey, next);
      void queryClient.invalidateQueries({ queryKey: ['members'] });
    },
  });
  if (!enabled || !availability.data) return null;
  const available = change.isPending
    ? (change.variables ?? availability.data.available)
    : availability.data.available;
  return (
    <button
      type="button"
      role="switch"
      aria-checked={available}
      aria-label="Available for new conversations"
      title={
        available
          ? 'Available: new conversations may be assigned to you'
          : 'Away: auto-assignment skips you'
      }
      disabled={change.isPending}
      onClick={() => change.mutate(!available)}
      className={cx(
        'inline-flex items-center gap-2 rounded-full border text-xs font-medium transition-colors',
        'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand',
        compact ? 'h-8 px-2' : 'h-7 px-2.5',
        available
          ? 'border-emerald-300 bg-emerald-50 text-emerald-900'
          : 'border-slate-300 bg-white text-slate-700',
      )}
    >
      <span
        aria-hidden
        className={cx('size-2 rounded-full', available ? 'bg-emerald-600' : 'bg-slate-400')}
      />
      <span className={compact ? 'sr-only' : undefined}>{available ? 'Available' : 'Away'}</span>
    </button>
  );
}
