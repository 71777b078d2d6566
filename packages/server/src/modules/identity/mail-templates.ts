import type { Mailer } from '../../engine/ports/mailer';
import type { Role } from '../../engine/topology';

// The identity mails: subject, plain text and HTML of each. The text part carries every link on
// a line of its own (what a person copies, and what the tests read); the HTML is one table with
// inline styles, the only layout mail clients agree on. Everything a user typed is escaped.

/** Who a mail comes from, as the person sees it: a workspace's branding, or the platform's. */
export type MailBrand = { name: string; color: string; logoUrl?: string };

export const platformBrand: MailBrand = { name: 'Switchboard', color: '#4f46e5' };

export type RenderedMail = { subject: string; text: string; html: string };

/** What a service needs to mail someone (built from the app's deps in engine/http/mail-deps.ts). */
export type MailDeps = {
  mailer: Mailer;
  /** An absolute link to a web app page, with `?token=`. */
  link(page: 'invite' | 'reset-password' | 'signup/confirm', token: string): string;
  /** An absolute link to a web app page that takes no token. */
  page(path: 'login' | 'forgot-password'): string;
  /** A workspace's name, colour and logo as its mails show them. */
  brandOf(tenantId: string, tenantName?: string): Promise<MailBrand>;
};

const roleArticle: Record<Role, string> = {
  owner: 'an owner',
  admin: 'an admin',
  agent: 'an agent',
  viewer: 'a viewer',
};

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only a plain hex colour reaches a style attribute. */
function safeColor(color: string): string {
  return /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(color) ? color : platformBrand.color;
}

function longDate(date: Date): string {
  return date.toLocaleString('en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
}

type Layout = {
  brand: MailBrand;
  heading: string;
  paragraphs: string[];
  button: { label: string; url: string };
  after: string[];
};

function html(layout: Layout): string {
  const color = safeColor(layout.brand.color);
  const name = escapeHtml(layout.brand.name);
  const url = escapeHtml(layout.button.url);
  const masthead = layout.brand.logoUrl
    ? `<img src="${escapeHtml(layout.brand.logoUrl)}" alt="${name}" height="40" style="height:40px;border:0">`
    : `<span style="font-size:20px;font-weight:700;color:${color}">${name}</span>`;
  const p = (text: string) =>
    `<p style="margin:0 0 16px;font-size:15px;line-height:22px;color:#334155">${escapeHtml(text)}</p>`;
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(layout.heading)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f1f5f9;font-family:Arial,Helvetica,sans-serif">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f5f9;padding:24px 0">',
    '<tr><td align="center">',
    '<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:12px;border-top:4px solid ' +
      `${color}">`,
    `<tr><td style="padding:24px 32px 8px">${masthead}</td></tr>`,
    '<tr><td style="padding:8px 32px 24px">',
    `<h1 style="margin:0 0 16px;font-size:20px;color:#0f172a">${escapeHtml(layout.heading)}</h1>`,
    ...layout.paragraphs.map(p),
    `<p style="margin:24px 0"><a href="${url}" style="display:inline-block;background:${color};color:#ffffff;text-decoration:none;font-weight:700;padding:12px 20px;border-radius:8px">${escapeHtml(layout.button.label)}</a></p>`,
    `<p style="margin:0 0 16px;font-size:13px;line-height:20px;color:#64748b">Or paste this link into your browser:<br><a href="${url}" style="color:${color};word-break:break-all">${url}</a></p>`,
    ...layout.after.map(p),
    '</td></tr>',
    '</table>',
    `<p style="font-size:12px;color:#94a3b8">Sent by Switchboard for ${name}.</p>`,
    '</td></tr></table>',
    '</body></html>',
  ].join('\n');
}

function text(layout: Layout): string {
  return [
    layout.heading,
    '',
    ...layout.paragraphs.flatMap((p) => [p, '']),
    `${layout.button.label}:`,
    layout.button.url,
    '',
    ...layout.after.flatMap((p) => [p, '']),
    layout.brand.name === platformBrand.name
      ? `-- ${platformBrand.name}`
      : `-- ${layout.brand.name}, on Switchboard`,
    '',
  ].join('\n');
}

function render(subject: string, layout: Layout): RenderedMail {
  return { subject, text: text(layout), html: html(layout) };
}

export function passwordResetMail(input: {
  email: string;
  link: string;
  validMinutes: number;
}): RenderedMail {
  return render('Reset your Switchboard password', {
    brand: platformBrand,
    heading: 'Reset your password',
    paragraphs: [
      `Someone asked to reset the password of the Switchboard account ${input.email}. If it was you, choose a new password with the link below. It works once, for ${input.validMinutes} minutes, and signs you out everywhere.`,
    ],
    button: { label: 'Choose a new password', url: input.link },
    after: [
      'If you did not ask for this, ignore this e-mail: your password stays as it is, and nobody can change it without this link.',
    ],
  });
}

export function invitationMail(input: {
  brand: MailBrand;
  workspaceName: string;
  role: Role;
  inviterEmail?: string;
  link: string;
  expiresAt: Date;
  /** The platform created this workspace for a person who already has an account. */
  newWorkspace?: boolean;
  /** The invitee has an account: they join with its password. */
  existingAccount: boolean;
}): RenderedMail {
  const workspace = input.workspaceName;
  const intro = input.newWorkspace
    ? `The workspace ${workspace} was created for you on Switchboard. Accept to become its owner.`
    : `${input.inviterEmail ?? 'A workspace admin'} invited you to join ${workspace} on Switchboard as ${roleArticle[input.role]}.`;
  const how = input.existingAccount
    ? 'You already have a Switchboard account: accept with its password.'
    : 'You will choose your password when you accept.';
  return render(
    input.newWorkspace
      ? `Your Switchboard workspace ${workspace} is ready`
      : `Join ${workspace} on Switchboard`,
    {
      brand: input.brand,
      heading: input.newWorkspace ? `${workspace} is ready for you` : `Join ${workspace}`,
      paragraphs: [intro, `${how} The link works once, until ${longDate(input.expiresAt)} (UTC).`],
      button: { label: 'Accept the invitation', url: input.link },
      after: ['If you did not expect this, ignore this e-mail: nothing happens without the link.'],
    },
  );
}

export function signupVerificationMail(input: {
  email: string;
  workspaceName: string;
  link: string;
  validHours: number;
}): RenderedMail {
  return render('Confirm your e-mail to create your Switchboard workspace', {
    brand: platformBrand,
    heading: `Create ${input.workspaceName}`,
    paragraphs: [
      `Someone asked to create the Switchboard workspace ${input.workspaceName} for ${input.email}. If it was you, confirm your address with the link below: the workspace is created and you are signed in. The link works once, for ${input.validHours} hours.`,
    ],
    button: { label: 'Confirm and create the workspace', url: input.link },
    after: [
      'If you did not ask for this, ignore this e-mail: nothing is created without this link.',
    ],
  });
}

/** To an address that already has an account: someone tried to sign up with it. */
export function signupExistingAccountMail(input: {
  email: string;
  signInLink: string;
  resetLink: string;
}): RenderedMail {
  return render('Someone tried to sign up to Switchboard with your address', {
    brand: platformBrand,
    heading: 'You already have an account',
    paragraphs: [
      `Someone tried to create a new Switchboard account for ${input.email}, which already has one, so no new account was made. If it was you, sign in with your password instead.`,
    ],
    button: { label: 'Sign in', url: input.signInLink },
    after: [
      `Forgot your password? Choose a new one: ${input.resetLink}`,
      'If it was not you, you can ignore this e-mail: nothing changed on your account.',
    ],
  });
}
