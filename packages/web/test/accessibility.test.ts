import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customer,
  guarded,
  guardedCode,
  igCustomer,
  roamer,
  seedAccessibilityWorld,
  seeded,
} from './helpers/a11y-workspace';
import { blockingViolations, describeViolations } from './helpers/axe';
import {
  newPage,
  screenshot,
  signIn,
  startWebWorld,
  type OwnerTenant,
  type WebWorld,
} from './helpers/web-harness';

// axe-core over every screen of the app in Debian's Chromium against a real sandbox: the signed-out
// pages, the hosted form, each screen of a workspace seeded through the API (a thread holding
// messages of every kind, leads, forms, keys, destinations, invitations), an empty workspace, the
// platform admin's pages, and the dialogs. A screen fails on any serious or critical violation,
// and the failure names the rule, the element and what to change.
//
// To cover a new screen, add one row to `screens`: who looks at it, its path, and (optionally)
// what to do on it first (wait for its content, open a dialog).

type Viewer = 'visitor' | 'owner' | 'newcomer' | 'guarded' | 'admin';
type Screen = {
  name: string;
  as: Viewer;
  /** Relative to the sandbox's origin; a function when it needs seeded ids. */
  path: string | (() => string);
  /** Runs after the page loaded: wait for the content, open what the screen is about. */
  prepare?: (page: Page) => Promise<void>;
  /** 1280 × 800 unless given: a tall one shows a whole thread (axe skips what is scrolled away). */
  viewport?: { width: number; height: number };
};

let world: WebWorld;
let base: string;
let tenant: OwnerTenant;
let newcomer: OwnerTenant;

const heading = (name: string | RegExp) => async (page: Page) => {
  await page.getByRole('heading', { name }).first().waitFor({ timeout: 15_000 });
};
const text = (value: string | RegExp) => async (page: Page) => {
  await page.getByText(value).first().waitFor({ timeout: 15_000 });
};
const thread = async (page: Page) => {
  const log = page.getByRole('log', { name: `Messages with ${customer.name}` });
  await log.getByText('Segue o endereço da loja').waitFor({ timeout: 15_000 });
  await log.locator('[data-status="failed"]').first().waitFor({ timeout: 15_000 });
  await log.locator('img[data-media-status="ready"]').first().waitFor({ timeout: 15_000 });
  await log.getByText('pedir a paleta de cores').waitFor({ timeout: 15_000 });
};
async function passwordStep(page: Page) {
  await page.getByLabel('E-mail').fill(guarded.email);
  await page.getByLabel('Password').fill(guarded.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Code').waitFor();
}
const dialog = (opener: string, title: string | RegExp) => async (page: Page) => {
  await page.getByRole('button', { name: opener }).first().click();
  await page.getByRole('dialog', { name: title }).waitFor();
};

const tall = { width: 1280, height: 2400 };
const phone = { width: 390, height: 844 };

const screens: Screen[] = [
  // Signed out
  { name: 'sign-in', as: 'visitor', path: '/login/', prepare: heading('Sign in') },
  {
    name: 'sign-in, wrong password',
    as: 'visitor',
    path: '/login/',
    prepare: async (page) => {
      await page.getByLabel('E-mail').fill('nobody@example.com');
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').first().waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'sign-in, two-factor code',
    as: 'visitor',
    path: '/login/',
    prepare: passwordStep,
  },
  {
    name: 'sign-in, recovery code',
    as: 'visitor',
    path: '/login/',
    prepare: async (page) => {
      await passwordStep(page);
      await page.getByRole('button', { name: /recovery code/i }).click();
      await page.getByLabel('Recovery code').waitFor();
    },
  },
  {
    name: 'sign-in, choose a workspace',
    as: 'visitor',
    path: '/login/',
    prepare: async (page) => {
      await page.getByLabel('E-mail').fill(roamer.email);
      await page.getByLabel('Password').fill(roamer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Choose a workspace' }).waitFor();
    },
  },
  { name: 'sign-up', as: 'visitor', path: '/signup/', prepare: heading(/Create/) },
  {
    name: 'sign-up, field errors',
    as: 'visitor',
    path: '/signup/',
    prepare: async (page) => {
      await page.getByLabel('Workspace name').fill('Ateliê Lume');
      await page.getByLabel('Work e-mail').fill('founder@example.com');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create the workspace' }).click();
      await page.getByText('Use at least 10 characters.').waitFor();
    },
  },
  {
    name: 'sign-up confirmation, spent link',
    as: 'visitor',
    path: '/signup/confirm/?token=su_spent0000000000000000000000',
    prepare: heading('This link no longer works'),
  },
  {
    name: 'forgot password',
    as: 'visitor',
    path: '/forgot-password/',
    prepare: heading(/password/i),
  },
  {
    name: 'forgot password, link sent',
    as: 'visitor',
    path: '/forgot-password/',
    prepare: async (page) => {
      await page.getByLabel('E-mail').fill('someone@example.com');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    },
  },
  {
    name: 'reset password',
    as: 'visitor',
    path: () => `/reset-password/?token=${seeded.resetToken}`,
    prepare: heading('Choose a new password'),
  },
  {
    name: 'reset password, dead link',
    as: 'visitor',
    path: '/reset-password/?token=pr_dead000000000000000000000000',
    prepare: async (page) => {
      await page.getByLabel('New password', { exact: true }).fill('another new password');
      await page.getByLabel('Repeat the new password').fill('another new password');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    },
  },
  {
    name: 'invitation',
    as: 'visitor',
    path: () => `/invite/?token=${seeded.inviteToken}`,
    prepare: heading('Join your team'),
  },
  {
    name: 'hosted form',
    as: 'visitor',
    path: () => `/f/?id=${seeded.formId}`,
    prepare: heading('Contact us'),
  },
  {
    name: 'hosted form, errors',
    as: 'visitor',
    path: () => `/f/?id=${seeded.formId}`,
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Send' }).click();
      await page
        .getByRole('alert')
        .getByText(/Please fix/)
        .waitFor();
    },
  },
  {
    name: 'hosted form, sent',
    as: 'visitor',
    path: () => `/f/?id=${seeded.formId}`,
    prepare: async (page) => {
      await page.getByLabel(/^Name/).fill('Rita Moreira');
      await page.getByLabel(/^E-mail/).fill('rita@example.com');
      await page.getByLabel(/I accept the terms/).check();
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByText(/Thank you/).waitFor({ timeout: 15_000 });
    },
  },
  { name: 'page not found', as: 'visitor', path: '/no-such-page/', prepare: heading(/not/i) },

  // A workspace with nothing in it yet
  {
    name: 'inbox, empty, with the checklist',
    as: 'newcomer',
    path: '/app/inbox/',
    prepare: text('No conversations yet'),
  },
  { name: 'leads, empty', as: 'newcomer', path: '/app/leads/', prepare: heading('Leads') },
  { name: 'forms, empty', as: 'newcomer', path: '/app/forms/', prepare: text('No forms yet') },

  // The seeded workspace
  {
    name: 'inbox, conversation list',
    as: 'owner',
    path: '/app/inbox/',
    prepare: async (page) => {
      await page.getByTestId('conversation-row').first().waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'inbox, open thread',
    as: 'owner',
    path: () => `/app/inbox/?c=${seeded.conversationId}`,
    prepare: thread,
    viewport: tall,
  },
  {
    name: 'inbox, Instagram thread',
    as: 'owner',
    path: () => `/app/inbox/?c=${seeded.igConversationId}`,
    prepare: async (page) => {
      const log = page.getByRole('log', { name: `Messages with ${igCustomer}` });
      await log.getByText('Fazemos sim! Qual a data?').waitFor({ timeout: 15_000 });
    },
    viewport: tall,
  },
  {
    name: 'inbox, open thread, phone',
    as: 'owner',
    path: () => `/app/inbox/?c=${seeded.conversationId}`,
    prepare: thread,
    viewport: { ...phone, height: tall.height },
  },
  {
    name: 'inbox, template dialog',
    as: 'owner',
    path: () => `/app/inbox/?c=${seeded.conversationId}`,
    prepare: async (page) => {
      await thread(page);
      await dialog('Send a template', 'Send a template')(page);
      await page
        .getByRole('dialog', { name: 'Send a template' })
        .getByRole('button', { name: /order_update/ })
        .click();
    },
  },
  {
    name: 'inbox, reply buttons dialog',
    as: 'owner',
    path: () => `/app/inbox/?c=${seeded.conversationId}`,
    prepare: async (page) => {
      await thread(page);
      await page.getByRole('button', { name: 'More ways to reply' }).first().click();
      await page.getByRole('menuitem', { name: 'Reply buttons' }).click();
      await page.getByRole('dialog', { name: 'Send reply buttons' }).waitFor();
    },
  },
  {
    name: 'inbox, photo enlarged',
    as: 'owner',
    path: () => `/app/inbox/?c=${seeded.conversationId}`,
    prepare: async (page) => {
      await thread(page);
      await page.getByRole('button', { name: 'Enlarge photo' }).first().click();
      await page.getByTestId('lightbox').waitFor();
    },
  },
  {
    name: 'inbox, closed conversations',
    as: 'owner',
    path: '/app/inbox/?status=closed',
    prepare: heading('Inbox'),
  },
  {
    name: 'contacts',
    as: 'owner',
    path: '/app/contacts/',
    prepare: text(customer.name),
  },
  {
    name: 'contact',
    as: 'owner',
    path: () => `/app/contacts/?id=${encodeURIComponent(seeded.customerId)}`,
    prepare: async (page) => {
      await page.getByRole('heading', { name: customer.name }).first().waitFor();
    },
  },
  {
    name: 'contact, consent history',
    as: 'owner',
    path: () => `/app/contacts/?id=${encodeURIComponent(seeded.customerId)}`,
    prepare: async (page) => {
      const consent = page.getByRole('region', { name: 'WhatsApp consent' });
      await consent.getByText(/^History/).click();
      await consent.getByRole('list', { name: /^Consent history of/ }).waitFor();
      await page
        .getByRole('region', { name: 'Source' })
        .getByText(/Landing page|No source/)
        .first()
        .waitFor();
    },
  },
  {
    name: 'contact, change consent dialog',
    as: 'owner',
    path: () => `/app/contacts/?id=${encodeURIComponent(seeded.customerId)}`,
    prepare: async (page) => {
      await dialog('Change consent', 'Change consent')(page);
      await page.getByRole('dialog').getByRole('button', { name: 'Save consent' }).click();
      await page.getByText('Say where this consent comes from.').waitFor();
    },
  },
  {
    name: 'reports',
    as: 'owner',
    path: '/app/reports/',
    prepare: text('Total'),
  },
  {
    name: 'reports, bad range',
    as: 'owner',
    path: '/app/reports/?from=2020-02-10&to=2020-02-01',
    prepare: text('`from` comes before `to`.'),
  },
  {
    name: 'reports, empty',
    as: 'newcomer',
    path: '/app/reports/',
    prepare: text('Nothing in this range'),
  },
  {
    name: 'leads, board',
    as: 'owner',
    path: '/app/leads/',
    prepare: async (page) => {
      await page.getByTestId('lead-card').first().waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'leads, table',
    as: 'owner',
    path: '/app/leads/?view=table',
    prepare: text('Beatriz Lopes'),
  },
  {
    name: 'leads, drawer',
    as: 'owner',
    path: () => `/app/leads/?lead=${seeded.leadId}`,
    prepare: async (page) => {
      await page.getByRole('dialog').getByText('Beatriz Lopes').first().waitFor();
    },
  },
  { name: 'forms', as: 'owner', path: '/app/forms/', prepare: text('Contact us') },
  {
    name: 'campaigns, empty',
    as: 'newcomer',
    path: '/app/campaigns/',
    prepare: text('No campaigns yet'),
  },
  {
    name: 'campaigns, new campaign with its estimate',
    as: 'owner',
    path: '/app/campaigns/?new=1',
    prepare: async (page) => {
      await page.getByLabel(/^WhatsApp number/).selectOption({ index: 1 });
      await page.getByLabel(/^Template/).selectOption({ label: 'hello_world (en_US)' });
      await page.getByTestId('estimate-eligible').waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'campaigns, a scheduled campaign, then the list',
    as: 'owner',
    path: '/app/campaigns/?new=1',
    prepare: async (page) => {
      await page.getByLabel(/^Campaign name/).fill('Scheduled greeting');
      await page.getByLabel(/^WhatsApp number/).selectOption({ index: 1 });
      await page.getByLabel(/^Template/).selectOption({ label: 'hello_world (en_US)' });
      await page.getByRole('button', { name: 'Later', exact: true }).click();
      await page.getByRole('button', { name: 'Schedule campaign' }).click();
      await page.getByTestId('campaign-status').getByText('Scheduled').waitFor({ timeout: 15_000 });
    },
  },
  { name: 'campaigns', as: 'owner', path: '/app/campaigns/', prepare: text('Scheduled greeting') },
  {
    name: 'form builder',
    as: 'owner',
    path: () => `/app/forms/?id=${seeded.formId}`,
    prepare: async (page) => {
      await page.getByTestId('form-preview').getByLabel(/^Name/).waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'form builder, a field open',
    as: 'owner',
    path: () => `/app/forms/?id=${seeded.formId}`,
    prepare: async (page) => {
      await page
        .getByRole('button', { name: /^Interest/ })
        .first()
        .click();
      await page.getByLabel('Options').first().waitFor();
    },
  },
  {
    name: 'form builder, new form',
    as: 'owner',
    path: '/app/forms/?id=new',
    prepare: async (page) => {
      await page.getByLabel('Form name').waitFor();
    },
  },
  {
    name: 'settings, branding',
    as: 'owner',
    path: '/app/settings/',
    prepare: async (page) => {
      await page.getByLabel('Display name').waitFor();
    },
  },
  {
    name: 'settings, channels',
    as: 'owner',
    path: '/app/settings/?tab=channels',
    prepare: text('Helena Flores WhatsApp'),
  },
  {
    name: 'settings, connect WhatsApp dialog',
    as: 'owner',
    path: '/app/settings/?tab=channels',
    prepare: async (page) => {
      await text('Helena Flores WhatsApp')(page);
      await page.getByRole('button', { name: 'Connect WhatsApp' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'settings, team',
    as: 'owner',
    path: '/app/settings/?tab=team',
    prepare: async (page) => {
      await page.getByTestId('invitation').first().waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'settings, labels',
    as: 'owner',
    path: '/app/settings/?tab=labels',
    prepare: text('Label pink'),
  },
  {
    name: 'settings, new label dialog',
    as: 'owner',
    path: '/app/settings/?tab=labels',
    prepare: async (page) => {
      await text('Label pink')(page);
      await dialog('New label', 'New label')(page);
    },
  },
  {
    name: 'settings, canned replies',
    as: 'owner',
    path: '/app/settings/?tab=canned-replies',
    prepare: text('horario'),
  },
  {
    name: 'settings, new canned reply dialog',
    as: 'owner',
    path: '/app/settings/?tab=canned-replies',
    prepare: async (page) => {
      await text('horario')(page);
      await dialog('New canned reply', 'New canned reply')(page);
    },
  },
  {
    name: 'settings, event webhooks',
    as: 'owner',
    path: '/app/settings/?tab=event-webhooks',
    prepare: text('events.example.invalid'),
  },
  {
    name: 'settings, add event endpoint dialog',
    as: 'owner',
    path: '/app/settings/?tab=event-webhooks',
    prepare: async (page) => {
      await text('events.example.invalid')(page);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'settings, API keys',
    as: 'owner',
    path: '/app/settings/?tab=api-keys',
    prepare: text('Website backend'),
  },
  {
    name: 'settings, new API key dialog',
    as: 'owner',
    path: '/app/settings/?tab=api-keys',
    prepare: async (page) => {
      await text('Website backend')(page);
      await dialog('New API key', 'New API key')(page);
    },
  },
  {
    name: 'settings, API key IP ranges dialog',
    as: 'owner',
    path: '/app/settings/?tab=api-keys',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Allowed IP ranges of Website backend' }).click();
      await page.getByRole('dialog', { name: /Website backend/ }).waitFor();
    },
  },
  {
    name: 'settings, consent keywords',
    as: 'owner',
    path: '/app/settings/?tab=consent',
    prepare: async (page) => {
      await page.getByRole('group', { name: 'English (en)' }).waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'settings, CRM sync',
    as: 'owner',
    path: '/app/settings/?tab=crm',
    prepare: text('crm.example.invalid'),
  },
  {
    name: 'settings, add CRM destination dialog',
    as: 'owner',
    path: '/app/settings/?tab=crm',
    prepare: async (page) => {
      await text('crm.example.invalid')(page);
      await dialog('Add destination', 'Add a CRM destination')(page);
    },
  },
  {
    name: 'settings, audit trail',
    as: 'owner',
    path: '/app/settings/?tab=audit',
    prepare: async (page) => {
      await page.getByRole('tabpanel').getByRole('table').first().waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'settings, security',
    as: 'owner',
    path: '/app/settings/?tab=security',
    prepare: heading('Two-factor sign-in'),
  },
  {
    name: 'settings, two-factor dialog',
    as: 'owner',
    path: '/app/settings/?tab=security',
    prepare: async (page) => {
      await heading('Two-factor sign-in')(page);
      await dialog('Set up two-factor', 'Set up two-factor sign-in')(page);
    },
  },
  {
    name: 'inbox, a light brand colour',
    as: 'guarded',
    path: '/app/inbox/',
    prepare: text('No conversations yet'),
  },
  {
    name: 'settings, branding, a light brand colour',
    as: 'guarded',
    path: '/app/settings/',
    prepare: async (page) => {
      await page.getByLabel('Display name').waitFor();
    },
  },
  {
    name: 'settings, security with two-factor on',
    as: 'guarded',
    path: '/app/settings/?tab=security',
    prepare: text(/recovery codes left/),
  },
  {
    name: 'settings, new recovery codes dialog',
    as: 'guarded',
    path: '/app/settings/?tab=security',
    prepare: async (page) => {
      await text(/recovery codes left/)(page);
      await page.getByRole('button', { name: 'New recovery codes' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'settings, turn off two-factor dialog',
    as: 'guarded',
    path: '/app/settings/?tab=security',
    prepare: async (page) => {
      await text(/recovery codes left/)(page);
      await page.getByRole('button', { name: 'Turn off' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'settings, single sign-on',
    as: 'owner',
    path: '/app/settings/?tab=sso',
    prepare: async (page) => {
      await page.getByRole('tabpanel').getByRole('heading').first().waitFor({ timeout: 15_000 });
    },
  },

  // On a phone
  {
    name: 'sign-in, phone',
    as: 'visitor',
    path: '/login/',
    prepare: heading('Sign in'),
    viewport: phone,
  },
  {
    name: 'hosted form, phone',
    as: 'visitor',
    path: () => `/f/?id=${seeded.formId}`,
    prepare: heading('Contact us'),
    viewport: phone,
  },
  {
    name: 'inbox, conversation list, phone',
    as: 'owner',
    path: '/app/inbox/',
    prepare: async (page) => {
      await page.getByTestId('conversation-row').first().waitFor({ timeout: 15_000 });
    },
    viewport: phone,
  },
  {
    name: 'leads, board, phone',
    as: 'owner',
    path: '/app/leads/',
    prepare: async (page) => {
      await page.getByTestId('lead-card').first().waitFor({ timeout: 15_000 });
    },
    viewport: phone,
  },
  {
    name: 'leads, table, phone',
    as: 'owner',
    path: '/app/leads/?view=table',
    prepare: text('Beatriz Lopes'),
    viewport: phone,
  },
  {
    name: 'settings, API keys, phone',
    as: 'owner',
    path: '/app/settings/?tab=api-keys',
    prepare: text('Website backend'),
    viewport: phone,
  },

  // The platform admin
  {
    name: 'admin, workspaces',
    as: 'admin',
    path: '/app/admin/',
    prepare: text(/Helena/),
  },
  {
    name: 'admin, channel claims',
    as: 'admin',
    path: '/app/admin/channel-claims/',
    prepare: heading('Contested channels'),
  },
  {
    name: 'admin, deciding a claim',
    as: 'admin',
    path: '/app/admin/channel-claims/',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Keep with holder' }).first().click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'admin, mail',
    as: 'admin',
    path: '/app/admin/mail/',
    prepare: async (page) => {
      const messages = page.getByRole('list', { name: 'Messages' });
      await messages.getByText('Reset your Switchboard password').first().click();
      await page.getByRole('article', { name: 'Message' }).waitFor();
    },
  },
  {
    name: 'admin, replays',
    as: 'admin',
    path: '/app/admin/replays/',
    prepare: async (page) => {
      const row = page.getByRole('list', { name: 'Replays' }).getByRole('listitem').first();
      await row.getByText('Done').waitFor({ timeout: 20_000 });
    },
  },
];

const pages = new Map<Viewer, { context: BrowserContext; page: Page }>();

async function signInAs(viewer: Exclude<Viewer, 'visitor'>, page: Page) {
  if (viewer !== 'guarded') {
    const who = viewer === 'admin' ? world.t.sb.admin : viewer === 'owner' ? tenant : newcomer;
    return signIn(page, base, who.email, who.password);
  }
  await page.goto(`${base}/login/`);
  await passwordStep(page);
  // The next step's code: the enrolment spent this one, and a step is never accepted twice.
  await page.getByLabel('Code').fill(guardedCode(1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/app\/inbox\/?/);
}

/** A visitor gets a fresh context per screen; everyone else one signed-in page for the run. */
async function pageFor(viewer: Viewer): Promise<{ page: Page; done: () => Promise<void> }> {
  if (viewer === 'visitor') {
    const { context, page } = await newPage(world);
    return { page, done: () => context.close() };
  }
  let entry = pages.get(viewer);
  if (!entry) {
    entry = await newPage(world);
    await signInAs(viewer, entry.page);
    pages.set(viewer, entry);
  }
  return { page: entry.page, done: async () => undefined };
}

beforeAll(async () => {
  world = await startWebWorld();
  base = world.t.sb.url;
  ({ owner: tenant, newcomer } = await seedAccessibilityWorld(world));
  // A consent change, so the contact's consent has a history to disclose.
  const consent = await world.t.api.request(
    'PUT',
    `/customers/${encodeURIComponent(seeded.customerId)}/consent`,
    { token: tenant.token, body: { status: 'opted_in', note: 'Asked for offers at the shop' } },
  );
  expect(consent.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('accessibility (axe-core: no serious or critical violation)', () => {
  for (const screen of screens) {
    it(screen.name, async () => {
      const { page, done } = await pageFor(screen.as);
      const path = typeof screen.path === 'function' ? screen.path() : screen.path;
      try {
        await page.setViewportSize(screen.viewport ?? { width: 1280, height: 800 });
        await page.goto(`${base}${path}`);
        await screen.prepare?.(page);
        // Spinners gone: the screen shows what it is about, not its loading state.
        await page
          .getByText(/^Loading/)
          .first()
          .waitFor({ state: 'hidden', timeout: 15_000 });
        const violations = await blockingViolations(page);
        expect(
          violations.flatMap((v) =>
            v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`),
          ),
          `${screen.name} (${path})\n\n${describeViolations(violations)}`,
        ).toEqual([]);
      } catch (error) {
        await screenshot(page, `a11y-${screen.name.replace(/[^a-z0-9]+/gi, '-')}`);
        throw error;
      } finally {
        await done();
      }
    });
  }

  it('has a row for every settings tab and every page the navigation links to', async () => {
    const covered = screens.map(
      (screen) => new URL(typeof screen.path === 'function' ? screen.path() : screen.path, base),
    );
    const has = (href: string) => {
      const want = new URL(href, base);
      return covered.some(
        (url) =>
          url.pathname === want.pathname &&
          [...want.searchParams].every(([k, v]) => url.searchParams.get(k) === v),
      );
    };
    const links = async (viewer: Exclude<Viewer, 'visitor'>, path: string, selector: string) => {
      const { page } = await pageFor(viewer);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${base}${path}`);
      await page.locator(selector).first().waitFor({ state: 'attached', timeout: 15_000 });
      return page
        .locator(selector)
        .evaluateAll((els) => els.map((el) => el.getAttribute('href') ?? el.id));
    };
    const tabs = (await links('owner', '/app/settings/', '[role="tab"]')).map((id) =>
      id === 'tab-branding' ? '/app/settings/' : `/app/settings/?tab=${id.replace(/^tab-/, '')}`,
    );
    const nav = await links('owner', '/app/inbox/', 'nav a[href^="/app/"]');
    const admin = await links('admin', '/app/admin/', 'main a[href^="/app/admin/"]');
    const missing = [...tabs, ...nav, ...admin].filter((href) => !has(href));
    expect(missing, 'screens without a row in `screens`').toEqual([]);
  });
});
