import type { ReactNode } from 'react';
import { Logo } from './logo';

/** The frame of the signed-out pages (sign in, password reset, invitations). */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex justify-center">
          <Logo className="text-lg" />
        </div>
        <div className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
      </div>
    </main>
  );
}
