import { describe, expect, it } from 'vitest';
import {
  cannedReplyContentIssues,
  cannedReplyVariablesUsed,
  renderCannedReply,
} from '@switchboard/contracts';

// The one parser of canned reply variables: the server validates with it, the composer renders.

describe('canned reply variables', () => {
  const ctx = {
    contact: { name: 'Maria da Silva', phone: '+5511999990000' },
    agent: { name: 'Ana Costa', email: 'ana@example.com' },
  };

  it('renders contact and agent values, first and last names', () => {
    expect(
      renderCannedReply(
        'Hi {{contact.first_name}} ({{ contact.last_name }}), {{agent.first_name}} here: {{contact.phone}} / {{agent.email}}',
        ctx,
      ),
    ).toBe('Hi Maria (da Silva), Ana here: +5511999990000 / ana@example.com');
  });

  it('uses the fallback, or nothing, when a value is missing', () => {
    expect(renderCannedReply('Hi {{contact.email | friend}}!', ctx)).toBe('Hi friend!');
    expect(renderCannedReply('Hi {{contact.email}}!', ctx)).toBe('Hi !');
    expect(
      renderCannedReply('Hi {{contact.first_name | there}}!', { contact: {}, agent: {} }),
    ).toBe('Hi there!');
  });

  it('names every problem: unknown variables, unclosed braces, long fallbacks', () => {
    expect(cannedReplyContentIssues('Hi {{contact.first_name}}')).toEqual([]);
    expect(cannedReplyContentIssues('Hi {{contact.age}}')[0]).toMatch(
      /Unknown variable \{\{contact\.age\}\}/,
    );
    expect(cannedReplyContentIssues('Hi {{contact.name')).toHaveLength(1);
    expect(cannedReplyContentIssues('Hi contact.name}}')).toHaveLength(1);
    expect(cannedReplyContentIssues(`{{contact.name | ${'x'.repeat(101)}}}`)[0]).toMatch(
      /fallback/,
    );
  });

  it('lists the variables a reply uses', () => {
    expect(
      cannedReplyVariablesUsed('{{agent.name}} {{contact.name}} {{agent.name}} {{x}}'),
    ).toEqual(['agent.name', 'contact.name']);
  });
});
