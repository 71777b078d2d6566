import { describe, expect, it, vi } from 'vitest';
import { MailSendError, SesMailer, sesHttpTransport, type SesSendEmailInput } from './ses-mailer';
import { signRequest } from './sigv4';

// The SES v2 adapter: the request it sends, signed as the AWS SDK signs (checked against
// @smithy/signature-v4's output for the same input), and SES's refusals surfaced as errors.

const mail = {
  to: { address: 'ana@example.com' },
  fromName: 'Padaria São João',
  subject: 'Join Padaria São João on Switchboard',
  text: 'link: https://app.example.com/invite/?token=inv_x',
  html: '<p>link</p>',
  kind: 'invitation',
  tags: { tenantId: 'tn_1', invitationId: 'iv_1', weird: 'a b/c' },
};

describe('SesMailer', () => {
  it('sends simple UTF-8 content from the sender, through the configuration set, with tags', async () => {
    const sent: SesSendEmailInput[] = [];
    const mailer = new SesMailer(
      { fromAddress: 'no-reply@mail.example.com', configurationSet: 'switchboard-mail' },
      async () => async (input) => {
        sent.push(input);
        return { MessageId: 'ses-1' };
      },
    );
    expect(await mailer.send(mail)).toEqual({ id: 'ses-1' });
    expect(sent[0]).toMatchObject({
      FromEmailAddress: '=?UTF-8?B?UGFkYXJpYSBTw6NvIEpvw6Nv?= <no-reply@mail.example.com>',
      Destination: { ToAddresses: ['ana@example.com'] },
      ConfigurationSetName: 'switchboard-mail',
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html } },
        },
      },
    });
    expect(sent[0]!.EmailTags).toEqual([
      { Name: 'kind', Value: 'invitation' },
      { Name: 'tenantId', Value: 'tn_1' },
      { Name: 'invitationId', Value: 'iv_1' },
      { Name: 'weird', Value: 'a_b_c' },
    ]);
  });
});

describe('the signed transport', () => {
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'session-token',
  };

  it('posts to the region’s SES v2 endpoint with a SigV4 authorization', async () => {
    const fetchImpl = vi.fn(async () => Response.json({ MessageId: 'm-1' }));
    const send = await sesHttpTransport(env, fetchImpl as unknown as typeof fetch)();
    const out = await send({ ConfigurationSetName: 'c' } as SesSendEmailInput);
    expect(out.MessageId).toBe('m-1');
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [URL, RequestInit];
    expect(String(url)).toBe('https://email.us-east-1.amazonaws.com/v2/email/outbound-emails');
    const headers = init.headers as Record<string, string>;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ses\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('session-token');
  });

  it('surfaces a refusal with SES’s error type', async () => {
    const fetchImpl = async () =>
      new Response('{"message":"Email address is not verified."}', {
        status: 400,
        headers: { 'x-amzn-ErrorType': 'MessageRejected:http://internal' },
      });
    const send = await sesHttpTransport(env, fetchImpl as typeof fetch)();
    const err = await send({} as SesSendEmailInput).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailSendError);
    expect(err).toMatchObject({ status: 400, awsErrorType: 'MessageRejected' });
  });

  it('signs exactly as @smithy/signature-v4 does', () => {
    const headers = signRequest({
      method: 'POST',
      url: new URL('https://email.us-east-1.amazonaws.com/v2/email/outbound-emails'),
      body: JSON.stringify({ hello: 'wörld' }),
      headers: { 'content-type': 'application/json' },
      region: 'us-east-1',
      service: 'ses',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        sessionToken: 'tok/en+=',
      },
      at: new Date('2025-03-04T05:06:07.123Z'),
    });
    // The value @smithy/signature-v4 (the AWS SDK's signer) gives for this request.
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250304/us-east-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=860a4adb88b50154b890a826e9a1c1db6a0f7bfb7dea178ba136db80ee438421',
    );
    expect(headers['x-amz-date']).toBe('20250304T050607Z');
  });
});
