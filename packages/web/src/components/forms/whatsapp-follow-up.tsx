'use client';

import type {
  CampaignParameter,
  FormDefinition,
  FormWhatsappHandoff,
  MessageTemplateDto,
} from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { api } from '@/lib/api-client';
import { channelsQuery } from '@/lib/queries';
import { Card, Field, InlineError, Input, Select } from '../ui';

// The form's WhatsApp follow-up (`whatsappHandoff`): which number sends which approved template
// right after a submission whose WhatsApp opt-in box is ticked, each body variable filled from
// one of the form's fields (with a fallback for an empty answer) or with fixed text.

/** The campaigns' parameter: a contact field (here, read from the submission) or fixed text. */
type Parameter = CampaignParameter;

/** A template's body variables, in order of first appearance: `1`, `2`… or their names. */
function bodyVariables(template: MessageTemplateDto | undefined): string[] {
  const body = template?.components.find((c) => String(c.type).toUpperCase() === 'BODY');
  const text = typeof body?.text === 'string' ? body.text : '';
  return [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))];
}

const templateValue = (t: { name: string; language: string }) => `${t.name}|${t.language}`;

/** Where a variable's value can come from: the form's fields, the first word of the name. */
function sourcesOf(def: FormDefinition): { value: string; label: string }[] {
  const fields = def.fields
    .filter((f) => !f.consent)
    .map((f) => ({ value: `contact.attributes.${f.key}`, label: f.label }));
  const named = def.fields.some((f) => f.role === 'name' || f.key === 'name');
  return named ? [{ value: 'contact.first_name', label: 'First name' }, ...fields] : fields;
}

function parametersFor(
  variables: string[],
  current: Record<string, Parameter>,
  fallback: Parameter,
): FormWhatsappHandoff['template']['parameters'] {
  if (variables.length === 0) return undefined;
  const filled = (v: string): Parameter => current[v] ?? fallback;
  if (variables.every((v) => /^\d+$/.test(v))) return variables.map(filled);
  return Object.fromEntries(variables.map((v) => [v, filled(v)]));
}

function currentParameters(handoff: FormWhatsappHandoff | undefined): Record<string, Parameter> {
  const params = handoff?.template.parameters;
  if (!params) return {};
  if (Array.isArray(params)) return Object.fromEntries(params.map((p, i) => [String(i + 1), p]));
  return params;
}

export function hasWhatsappOptIn(def: FormDefinition): boolean {
  return def.fields.some((f) => f.consent && f.consentChannel === 'whatsapp');
}

export function WhatsappFollowUp({
  def,
  errors,
  disabled,
  onChange,
}: {
  def: FormDefinition;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (handoff: FormWhatsappHandoff | undefined) => void;
}) {
  const headingId = useId();
  const handoff = def.whatsappHandoff;
  const channels = useQuery(channelsQuery());
  const whatsapp = (channels.data?.items ?? []).filter((c) => c.type === 'whatsapp');
  const channelId = handoff?.channelId ?? '';
  const templates = useQuery({
    queryKey: ['templates', channelId],
    queryFn: ({ signal }) => api.call('channels.templates', { params: { id: channelId }, signal }),
    enabled: Boolean(channelId),
    staleTime: 60_000,
  });
  const chosen = templates.data?.items.find(
    (t) => handoff && templateValue(t) === templateValue(handoff.template),
  );
  const variables = bodyVariables(chosen);
  const current = currentParameters(handoff);
  const sources = sourcesOf(def);
  // A new variable starts on the first field, so the form stays valid while it is mapped.
  const firstSource: Parameter = sources[0] ? { field: sources[0].value } : { text: '' };

  const setTemplate = (value: string) => {
    const template = templates.data?.items.find((t) => templateValue(t) === value);
    if (!handoff || !template) return;
    onChange({
      channelId: handoff.channelId,
      template: {
        name: template.name,
        language: template.language,
        ...(bodyVariables(template).length
          ? { parameters: parametersFor(bodyVariables(template), {}, firstSource) }
          : {}),
      },
    });
  };
  const setParameter = (variable: string, next: Parameter) => {
    if (!handoff) return;
    const parameters = parametersFor(variables, { ...current, [variable]: next }, firstSource);
    onChange({ ...handoff, template: { ...handoff.template, parameters } });
  };

  return (
    <div role="region" aria-labelledby={headingId}>
      <Card className="space-y-4 p-5">
        <div>
          <h3 id={headingId} className="font-semibold text-slate-900">
            WhatsApp follow-up
          </h3>
          <p className="text-sm text-slate-500">
            When the WhatsApp opt-in box is ticked, send an approved template to the number right
            away. The lead then opens on that conversation. Publish again to apply a change.
          </p>
        </div>
        {channels.error ? <InlineError error={channels.error} /> : null}
        <Field
          label="Send from"
          error={errors['whatsappHandoff.channelId'] ?? errors.whatsappHandoff}
        >
          {({ id, describedBy, invalid }) => (
            <Select
              id={id}
              value={channelId}
              disabled={disabled}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(e) =>
                onChange(
                  e.target.value
                    ? { channelId: e.target.value, template: { name: '', language: '' } }
                    : undefined,
                )
              }
            >
              <option value="">Don’t send a message</option>
              {whatsapp.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.displayName ?? c.phoneNumberId ?? c.id}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {handoff ? (
          <Field
            label="Template"
            error={errors['whatsappHandoff.template.name'] ?? errors['whatsappHandoff.template']}
          >
            {({ id, describedBy, invalid }) => (
              <Select
                id={id}
                value={handoff.template.name ? templateValue(handoff.template) : ''}
                disabled={disabled || templates.isLoading}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => setTemplate(e.target.value)}
              >
                <option value="" disabled>
                  {templates.isLoading ? 'Loading templates…' : 'Choose an approved template'}
                </option>
                {(templates.data?.items ?? []).map((t) => (
                  <option key={templateValue(t)} value={templateValue(t)}>
                    {t.name} · {t.language}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        ) : null}
        {templates.error ? <InlineError error={templates.error} /> : null}
        {handoff && variables.length > 0 ? (
          <fieldset className="space-y-3">
            <legend className="text-sm font-medium text-slate-700">Fill the variables</legend>
            {variables.map((variable) => {
              const param = current[variable] ?? firstSource;
              const source = 'field' in param ? param.field : 'text';
              return (
                <div key={variable} className="grid gap-2 sm:grid-cols-2">
                  <Field label={`{{${variable}}}`}>
                    {({ id }) => (
                      <Select
                        id={id}
                        value={source}
                        disabled={disabled}
                        onChange={(e) =>
                          setParameter(
                            variable,
                            e.target.value === 'text' ? { text: '' } : { field: e.target.value },
                          )
                        }
                      >
                        {sources.map((s) => (
                          <option key={s.value} value={s.value}>
                            {s.label}
                          </option>
                        ))}
                        <option value="text">Fixed text</option>
                      </Select>
                    )}
                  </Field>
                  <Field
                    label={
                      'field' in param ? `{{${variable}}} if left empty` : `{{${variable}}} text`
                    }
                    error={
                      errors[
                        `whatsappHandoff.template.parameters.${
                          /^\d+$/.test(variable) ? Number(variable) - 1 : variable
                        }.${'field' in param ? 'fallback' : 'text'}`
                      ]
                    }
                  >
                    {({ id, describedBy, invalid }) => (
                      <Input
                        id={id}
                        value={'field' in param ? (param.fallback ?? '') : param.text}
                        disabled={disabled}
                        maxLength={1024}
                        aria-describedby={describedBy}
                        aria-invalid={invalid}
                        onChange={(e) =>
                          setParameter(
                            variable,
                            'field' in param
                              ? {
                                  field: param.field,
                                  ...(e.target.value ? { fallback: e.target.value } : {}),
                                }
                              : { text: e.target.value },
                          )
                        }
                      />
                    )}
                  </Field>
                </div>
              );
            })}
          </fieldset>
        ) : null}
      </Card>
    </div>
  );
}
