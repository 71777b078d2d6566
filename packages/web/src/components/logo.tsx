import { cx } from './ui';

/** The Switchboard wordmark; a tenant's own logo replaces it in the shell when branding has one. */
export function Logo({ className, compact }: { className?: string; compact?: boolean }) {
  return (
    <span className={cx('inline-flex items-center gap-2 font-semibold text-slate-900', className)}>
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--sb-brand)" />
        <path
          d="M9 11h14M9 16h10M9 21h6"
          stroke="var(--sb-brand-ink)"
          strokeWidth="2.6"
          strokeLinecap="round"
        />
      </svg>
      {compact ? <span className="sr-only">Switchboard</span> : <span>Switchboard</span>}
    </span>
  );
}
