'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { applyBranding } from '@/lib/branding';
import { brandingQuery, inboxBadgeQuery } from '@/lib/queries';
import { useSession } from '@/lib/session';
import {
  BoardIcon,
  BuildingIcon,
  ChartIcon,
  FormIcon,
  InboxIcon,
  LogoutIcon,
  MegaphoneIcon,
  SettingsIcon,
  ShieldIcon,
  UsersIcon,
} from './icons';
import { AvailabilityToggle } from './availability-toggle';
import { LiveIndicator, LiveStatusBanner } from './live-indicator';
import { Logo } from './logo';
import { cx, EmptyState, LoadingState, Select } from './ui';

const nav = [
  { href: '/app/inbox/', label: 'Inbox', icon: InboxIcon },
  { href: '/app/contacts/', label: 'Contacts', icon: UsersIcon },
  { href: '/app/leads/', label: 'Leads', icon: BoardIcon },
  { href: '/app/campaigns/', label: 'Campaigns', icon: MegaphoneIcon },
  { href: '/app/reports/', label: 'Reports', icon: ChartIcon },
  { href: '/app/forms/', label: 'Forms', icon: FormIcon },
  { href: '/app/settings/', label: 'Settings', icon: SettingsIcon },
] as const;

function TenantSwitcher() {
  const { state, switchTenant } = useSession();
  const [busy, setBusy] = useState(false);
  if (state.status !== 'signed-in') return null;
  const { tenants, tenantId } = state.session;
  if (tenants.length <= 1) {
    const name = tenants[0]?.name ?? 'No workspace';
    return (
      <p className="flex items-center gap-2 truncate px-1 text-sm font-medium text-slate-700">
        <BuildingIcon size={16} className="shrink-0 text-slate-400" />
        <span className="truncate">{name}</span>
      </p>
    );
  }
  return (
    <label className="block">
      <span className="sr-only">Workspace</span>
      <Select
        value={tenantId ?? ''}
        disabled={busy}
        onChange={async (e) => {
          setBusy(true);
          try {
            await switchTenant(e.target.value);
          } finally {
            setBusy(false);
          }
        }}
        className="h-9"
      >
        {tenants.map((t) => (
          <option key={t.tenantId} value={t.tenantId}>
            {t.name ?? t.tenantId}
          </option>
        ))}
      </Select>
    </label>
  );
}

function NavLink({
  href,
  label,
  icon: Icon,
  badge,
  compact,
}: {
  href: string;
  label: string;
  icon: (p: { size?: number }) => ReactNode;
  badge?: number;
  compact?: boolean;
}) {
  const pathname = usePathname() ?? '';
  const active = pathname.startsWith(href.replace(/\/$/, ''));
  return (
    <Link
      href={href}
      aria-current={active ? 'page' : undefined}
      className={cx(
        'relative flex items-center rounded-lg font-medium transition-colors',
        compact ? 'flex-1 flex-col gap-0.5 px-1 py-1.5 text-[11px]' : 'gap-3 px-3 py-2 text-sm',
        active
          ? compact
            ? 'text-brand-strong'
            : 'bg-brand/10 text-brand-strong'
          : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900',
      )}
    >
      <Icon size={compact ? 22 : 18} />
      <span>{label}</span>
      {badge ? (
        <span
          className={cx(
            'rounded-full bg-brand px-1.5 text-[11px] font-semibold leading-5 text-brand-ink',
            compact ? 'absolute right-[calc(50%-22px)] top-0' : 'ml-auto',
          )}
          aria-label={`${badge} unread`}
        >
          {badge > 99 ? '99+' : badge}
        </span>
      ) : null}
    </Link>
  );
}

function TenantLogo({ url, name }: { url?: string | null; name?: string }) {
  if (!url) return <Logo />;
  return (
    // Signed, same-origin asset URL: next/image's optimiser does not exist in a static export.
    <img src={url} alt={name ? `${name} logo` : 'Logo'} className="h-8 max-w-40 object-contain" />
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const { state, logout } = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const signedIn = state.status === 'signed-in';
  const hasTenant = signedIn && Boolean(state.session.tenantId);
  const branding = useQuery({ ...brandingQuery(), enabled: hasTenant });
  const badge = useQuery({ ...inboxBadgeQuery(), enabled: hasTenant });

  useEffect(() => {
    if (state.status === 'signed-out') {
      router.replace(`/login/?next=${encodeURIComponent(pathname ?? '/app/inbox/')}`);
    }
  }, [state.status, router, pathname]);

  useEffect(() => {
    applyBranding(branding.data ?? null);
  }, [branding.data]);

  if (state.status !== 'signed-in') {
    return (
      <main className="flex min-h-full items-center justify-center">
        <LoadingState
          label={state.status === 'loading' ? 'Opening Switchboard…' : 'Signing you in…'}
        />
      </main>
    );
  }
  const session = state.session;
  const tenantName = session.tenants.find((t) => t.tenantId === session.tenantId)?.name;
  const onAdminPage = pathname?.startsWith('/app/admin');

  let content = children;
  if (!session.tenantId && !onAdminPage) {
    content = (
      <EmptyState
        icon={<BuildingIcon />}
        title="You are not in a workspace yet"
        action={
          session.user.platformAdmin ? (
            <Link className="font-medium text-brand-strong hover:underline" href="/app/admin/">
              Create a workspace
            </Link>
          ) : undefined
        }
      >
        {session.user.platformAdmin
          ? 'As a platform admin you can create a workspace and its owner.'
          : 'Ask a workspace owner to invite you.'}
      </EmptyState>
    );
  }

  return (
    <div className="flex h-dvh flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only z-50 rounded bg-white p-2 focus:not-sr-only focus:absolute focus:left-2 focus:top-2"
      >
        Skip to content
      </a>
      {/* Desktop sidebar */}
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:flex">
        <div className="flex h-16 items-center px-4">
          <TenantLogo url={branding.data?.logoUrl} name={tenantName} />
        </div>
        <nav aria-label="Main" className="flex flex-1 flex-col gap-1 px-3">
          {nav.map((item) => (
            <NavLink
              key={item.href}
              {...item}
              badge={item.href === '/app/inbox/' ? badge.data : undefined}
            />
          ))}
          {session.user.platformAdmin ? (
            <NavLink href="/app/admin/" label="Platform" icon={ShieldIcon} />
          ) : null}
        </nav>
        <div className="space-y-2 border-t border-slate-200 p-3">
          <TenantSwitcher />
          <AvailabilityToggle />
          {session.tenantId ? <LiveIndicator /> : null}
          <div className="flex items-center justify-between gap-2 px-1">
            <span className="truncate text-xs text-slate-500" title={session.user.email}>
              {session.user.email}
            </span>
            <button
              type="button"
              onClick={() => void logout().then(() => router.replace('/login/'))}
              className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900"
              aria-label="Sign out"
              title="Sign out"
            >
              <LogoutIcon size={18} />
            </button>
          </div>
        </div>
      </aside>
      {/* Phone top bar */}
      <header className="flex h-12 shrink-0 items-center justify-between gap-2 border-b border-slate-200 bg-white px-3 md:hidden">
        <TenantLogo url={branding.data?.logoUrl} name={tenantName} />
        <div className="flex items-center gap-1">
          <AvailabilityToggle compact />
          {session.tenantId ? <LiveIndicator compact /> : null}
          <div className="max-w-40">
            <TenantSwitcher />
          </div>
          <button
            type="button"
            onClick={() => void logout().then(() => router.replace('/login/'))}
            className="rounded-md p-2 text-slate-500 hover:bg-slate-100"
            aria-label="Sign out"
          >
            <LogoutIcon size={18} />
          </button>
        </div>
      </header>
      <main id="main" className="flex min-h-0 min-w-0 flex-1 flex-col overflow-y-auto">
        <LiveStatusBanner />
        <div className="min-h-0 flex-1">{content}</div>
      </main>
      {/* Phone tab bar */}
      <nav
        aria-label="Main"
        className="flex shrink-0 border-t border-slate-200 bg-white px-1 pb-[env(safe-area-inset-bottom)] md:hidden"
      >
        {nav.map((item) => (
          <NavLink
            key={item.href}
            {...item}
            compact
            badge={item.href === '/app/inbox/' ? badge.data : undefined}
          />
        ))}
      </nav>
    </div>
  );
}
