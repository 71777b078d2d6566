import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'Confirm your e-mail' };

export default function SignupConfirmLayout({ children }: { children: ReactNode }) {
  return children;
}
