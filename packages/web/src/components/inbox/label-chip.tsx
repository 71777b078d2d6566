import type { LabelColor, LabelDto } from '@switchboard/contracts';
import { CloseIcon } from '../icons';
import { cx } from '../ui';

// A label as a chip: dark text on a light tint of its colour (every pair passes WCAG AA, 4.5:1),
// with a dot of the full colour so two labels of similar tint still differ.

export const labelTones: Record<LabelColor, { chip: string; dot: string }> = {
  gray: { chip: 'bg-slate-100 text-slate-800 ring-slate-300', dot: 'bg-slate-500' },
  red: { chip: 'bg-red-50 text-red-800 ring-red-200', dot: 'bg-red-500' },
  orange: { chip: 'bg-orange-50 text-orange-800 ring-orange-200', dot: 'bg-orange-500' },
  amber: { chip: 'bg-amber-50 text-amber-900 ring-amber-200', dot: 'bg-amber-500' },
  green: { chip: 'bg-emerald-50 text-emerald-800 ring-emerald-200', dot: 'bg-emerald-500' },
  teal: { chip: 'bg-teal-50 text-teal-800 ring-teal-200', dot: 'bg-teal-500' },
  blue: { chip: 'bg-sky-50 text-sky-800 ring-sky-200', dot: 'bg-sky-500' },
  indigo: { chip: 'bg-indigo-50 text-indigo-800 ring-indigo-200', dot: 'bg-indigo-500' },
  purple: { chip: 'bg-purple-50 text-purple-800 ring-purple-200', dot: 'bg-purple-500' },
  pink: { chip: 'bg-pink-50 text-pink-800 ring-pink-200', dot: 'bg-pink-500' },
};

export const labelColorNames: Record<LabelColor, string> = {
  gray: 'Gray',
  red: 'Red',
  orange: 'Orange',
  amber: 'Amber',
  green: 'Green',
  teal: 'Teal',
  blue: 'Blue',
  indigo: 'Indigo',
  purple: 'Purple',
  pink: 'Pink',
};

export function LabelDot({ color, className }: { color: LabelColor; className?: string }) {
  return (
    <span
      aria-hidden
      className={cx('inline-block size-2 shrink-0 rounded-full', labelTones[color].dot, className)}
    />
  );
}

export function LabelChip({
  label,
  onRemove,
  removing,
}: {
  label: Pick<LabelDto, 'name' | 'color'>;
  onRemove?: () => void;
  removing?: boolean;
}) {
  return (
    <span
      data-testid="label-chip"
      className={cx(
        'inline-flex max-w-48 items-center gap-1.5 rounded-full py-0.5 pl-2 text-xs font-medium ring-1 ring-inset',
        onRemove ? 'pr-0.5' : 'pr-2',
        labelTones[label.color].chip,
      )}
    >
      <LabelDot color={label.color} />
      <span className="truncate">{label.name}</span>
      {onRemove ? (
        <button
          type="button"
          onClick={onRemove}
          disabled={removing}
          aria-label={`Remove label ${label.name}`}
          title={`Remove ${label.name}`}
          className="rounded-full p-0.5 hover:bg-black/10 disabled:opacity-60"
        >
          <CloseIcon size={12} />
        </button>
      ) : null}
    </span>
  );
}
