import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'Create a workspace' };

export default function SignupLayout({ children }: { children: ReactNode }) {
  return children;
}
