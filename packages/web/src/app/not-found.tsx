import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="flex min-h-full flex-col items-center justify-center gap-3 p-8 text-center">
      <p className="text-sm font-semibold text-brand-strong">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">This page does not exist</h1>
      <p className="text-slate-500">The link may be old, or the page moved.</p>
      <Link
        href="/"
        className="mt-2 font-medium text-brand-strong underline-offset-4 hover:underline"
      >
        Go to Switchboard
      </Link>
    </main>
  );
}
