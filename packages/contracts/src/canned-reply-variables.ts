// The variables a canned reply may hold, and the one parser and renderer of them: the server
// validates a reply's content with it when it is saved, the web composer renders it when a reply
// is inserted. Syntax: `{{contact.first_name}}`, with an optional fallback used when the value is
// missing: `{{contact.first_name | there}}`.

export const cannedReplyVariables = [
  'contact.name',
  'contact.first_name',
  'contact.last_name',
  'contact.phone',
  'contact.email',
  'agent.name',
  'agent.first_name',
  'agent.email',
] as const;
export type CannedReplyVariable = (typeof cannedReplyVariables)[number];

const known = new Set<string>(cannedReplyVariables);
const token = /\{\{([^{}]*)\}\}/g;
const fallbackMax = 100;

/** What a reply is rendered with: the conversation's contact and the signed-in agent. */
export type CannedReplyContext = {
  contact: { name?: string; phone?: string; email?: string };
  agent: { name?: string; email?: string };
};

type Token = { raw: string; name: string; fallback?: string };

function tokens(content: string): Token[] {
  return [...content.matchAll(token)].map((match) => {
    const [name = '', ...rest] = match[1]!.split('|');
    const fallback = rest.length > 0 ? rest.join('|').trim() : undefined;
    return { raw: match[0], name: name.trim(), fallback };
  });
}

/** The problems of a reply's content, as sentences; empty when every variable is known. */
export function cannedReplyContentIssues(content: string): string[] {
  const issues: string[] = [];
  for (const { raw, name, fallback } of tokens(content)) {
    if (!known.has(name)) {
      issues.push(
        `Unknown variable ${raw}. Use one of: ${cannedReplyVariables.map((v) => `{{${v}}}`).join(', ')}.`,
      );
    } else if (fallback !== undefined && fallback.length > fallbackMax) {
      issues.push(`The fallback of ${raw} is longer than ${fallbackMax} characters.`);
    }
  }
  const unclosed = content.replace(token, '');
  if (unclosed.includes('{{') || unclosed.includes('}}')) {
    issues.push('A variable is not closed: write it as {{contact.first_name}}.');
  }
  return [...new Set(issues)];
}

/** The variables a reply uses, in order of first use. */
export function cannedReplyVariablesUsed(content: string): CannedReplyVariable[] {
  const used = tokens(content)
    .map((t) => t.name)
    .filter((name): name is CannedReplyVariable => known.has(name));
  return [...new Set(used)];
}

function firstWord(name: string | undefined): string | undefined {
  return name?.trim().split(/\s+/)[0] || undefined;
}

function lastWords(name: string | undefined): string | undefined {
  const words = name?.trim().split(/\s+/) ?? [];
  return words.length > 1 ? words.slice(1).join(' ') : undefined;
}

function valueOf(name: string, ctx: CannedReplyContext): string | undefined {
  switch (name as CannedReplyVariable) {
    case 'contact.name':
      return ctx.contact.name;
    case 'contact.first_name':
      return firstWord(ctx.contact.name);
    case 'contact.last_name':
      return lastWords(ctx.contact.name);
    case 'contact.phone':
      return ctx.contact.phone;
    case 'contact.email':
      return ctx.contact.email;
    case 'agent.name':
      return ctx.agent.name;
    case 'agent.first_name':
      return firstWord(ctx.agent.name);
    case 'agent.email':
      return ctx.agent.email;
    default:
      return undefined;
  }
}

/** The reply as it is sent: each variable replaced by its value, its fallback, or nothing. */
export function renderCannedReply(content: string, ctx: CannedReplyContext): string {
  return content.replace(token, (raw, inner: string) => {
    const [name = '', ...rest] = inner.split('|');
    const value = valueOf(name.trim(), ctx)?.trim();
    if (value) return value;
    return rest.length > 0 ? rest.join('|').trim() : '';
  });
}
