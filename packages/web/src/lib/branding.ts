import type { BrandingDto } from '@switchboard/contracts';

// Tenant branding as CSS variables on <html>: Tailwind's `brand` colours read them (globals.css).
// One static build serves every tenant; the shell and the hosted form call applyBranding().

const hex = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function luminance(color: string): number {
  let h = color.slice(1);
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** White or near-black, whichever reads better on the colour (WCAG contrast). */
export function inkFor(color: string): string {
  const lum = luminance(color);
  const withWhite = 1.05 / (lum + 0.05);
  const withDark = (lum + 0.05) / (0.0137 + 0.05);
  return withWhite >= withDark ? '#ffffff' : '#0f172a';
}

function valid(color: string | null | undefined): string | null {
  return color && hex.test(color) ? color : null;
}

const vars = ['--sb-brand', '--sb-brand-ink', '--sb-accent', '--sb-page', '--sb-page-ink'];

export function applyBranding(branding: Pick<BrandingDto, 'colors'> | null | undefined): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement.style;
  for (const name of vars) root.removeProperty(name);
  const colors = branding?.colors ?? {};
  const primary = valid(colors.primary);
  if (primary) {
    root.setProperty('--sb-brand', primary);
    root.setProperty('--sb-brand-ink', inkFor(primary));
  }
  const accent = valid(colors.accent);
  if (accent) root.setProperty('--sb-accent', accent);
  const background = valid(colors.background);
  if (background) root.setProperty('--sb-page', background);
  const text = valid(colors.text) ?? (background ? inkFor(background) : null);
  if (text) root.setProperty('--sb-page-ink', text);
}
