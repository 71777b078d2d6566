// Dates and names as an agent reads them: "14:05" today, "Tue" this week, "3 Mar" otherwise.

export function shortTime(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === now.toDateString();
  if (sameDay) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const days = (now.getTime() - d.getTime()) / 86_400_000;
  if (days < 6 && days > 0) return d.toLocaleDateString([], { weekday: 'short' });
  if (d.getFullYear() === now.getFullYear())
    return d.toLocaleDateString([], { day: 'numeric', month: 'short' });
  return d.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
}

export function clockTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function fullDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (d.toDateString() === now.toDateString()) return 'Today';
  const y = new Date(now);
  y.setDate(now.getDate() - 1);
  if (d.toDateString() === y.toDateString()) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long' });
}

export function relativeFromNow(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

export type PersonLike = {
  name?: string;
  phone?: string;
  identities?: { whatsapp?: string; instagram?: string };
  /** Instagram's @username, from the person's profile. */
  username?: string;
};

export function displayName(person: PersonLike | undefined): string {
  if (!person) return 'Unknown';
  if (person.name) return person.name;
  if (person.phone) return formatPhone(person.phone);
  if (person.identities?.whatsapp) return formatPhone(person.identities.whatsapp);
  if (person.username) return `@${person.username}`;
  if (person.identities?.instagram)
    return `Instagram user ${person.identities.instagram.slice(-4)}`;
  return 'Unknown';
}

export function formatPhone(digits: string): string {
  const d = digits.replace(/[^\d]/g, '');
  return d ? `+${d}` : digits;
}

/** The 24-hour customer-service window: open until 24h after the customer's last message. */
export function replyWindow(
  lastInboundAt: string | undefined,
  now = Date.now(),
): { open: boolean; closesAt?: Date; hoursLeft?: number } {
  if (!lastInboundAt) return { open: false };
  const closesAt = new Date(new Date(lastInboundAt).getTime() + 24 * 3_600_000);
  const left = closesAt.getTime() - now;
  return left > 0
    ? { open: true, closesAt, hoursLeft: left / 3_600_000 }
    : { open: false, closesAt };
}
