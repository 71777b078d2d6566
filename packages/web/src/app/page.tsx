'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { LoadingState } from '@/components/ui';
import { SessionProvider, useSession } from '@/lib/session';

/** `/`: the inbox when signed in, the sign-in page otherwise. */
export default function Home() {
  return (
    <SessionProvider>
      <Redirect />
    </SessionProvider>
  );
}

function Redirect() {
  const { state } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === 'signed-in') router.replace('/app/inbox/');
    if (state.status === 'signed-out') router.replace('/login/');
  }, [state.status, router]);
  return (
    <main className="flex min-h-full items-center justify-center">
      <LoadingState label="Opening Switchboard…" />
    </main>
  );
}
