// Tenant branding as CSS variables on <html>: Tailwind's `brand` colours read them (globals.css).

export type BrandColors = { primaryColor?: string | null; accentColor?: string | null };

const hex = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** White or near-black, whichever reads better on the colour (WCAG relative luminance). */
export function inkFor(color: string): string {
  let h = color.slice(1);
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  const lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  // Contrast with white vs with #0f172a (slate-900).
  const withWhite = 1.05 / (lum + 0.05);
  const withDark = (lum + 0.05) / (0.0137 + 0.05);
  return withWhite >= withDark ? '#ffffff' : '#0f172a';
}

export function applyBranding(colors: BrandColors | null | undefined): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement.style;
  const primary = colors?.primaryColor && hex.test(colors.primaryColor) ? colors.primaryColor : null;
  const accent = colors?.accentColor && hex.test(colors.accentColor) ? colors.accentColor : null;
  if (primary) {
    root.setProperty('--sb-brand', primary);
    root.setProperty('--sb-brand-ink', inkFor(primary));
  } else {
    root.removeProperty('--sb-brand');
    root.removeProperty('--sb-brand-ink');
  }
  if (accent) root.setProperty('--sb-accent', accent);
  else root.removeProperty('--sb-accent');
}
