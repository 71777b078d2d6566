'use client';

import { useState } from 'react';
import { CheckIcon, CopyIcon } from './icons';
import { Button } from './ui';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          setCopied(false);
        }
      }}
    >
      {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </Button>
  );
}

/** A secret shown once: monospace, selectable, with a copy button and the warning. */
export function OneTimeSecret({ value, what }: { value: string; what: string }) {
  return (
    <div className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3">
      <p className="text-sm font-medium text-amber-900">
        Copy the {what} now. For your security it will not be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code
          className="min-w-0 flex-1 select-all break-all rounded-md bg-white px-2 py-1.5 font-mono text-xs text-slate-900 ring-1 ring-amber-200"
          data-testid="one-time-secret"
        >
          {value}
        </code>
        <CopyButton text={value} />
      </div>
    </div>
  );
}
