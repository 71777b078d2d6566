'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';

/**
 * State kept in the URL's query string (`/app/inbox/?c=<id>`): static export has no dynamic
 * segments for unknown ids, and the back button and shared links keep working.
 */
export function useQueryParams(): [
  URLSearchParams,
  (patch: Record<string, string | null | undefined>, opts?: { push?: boolean }) => void,
] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const update = useCallback(
    (patch: Record<string, string | null | undefined>, opts: { push?: boolean } = {}) => {
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === undefined || value === '') next.delete(key);
        else next.set(key, value);
      }
      const qs = next.toString();
      const url = qs ? `${pathname}?${qs}` : pathname;
      if (opts.push) router.push(url, { scroll: false });
      else router.replace(url, { scroll: false });
    },
    [router, pathname],
  );
  return [params ?? new URLSearchParams(), update];
}
