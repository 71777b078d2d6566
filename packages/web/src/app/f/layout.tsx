import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'Contact form', robots: { index: false } };

export default function HostedFormLayout({ children }: { children: ReactNode }) {
  return children;
}
