import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig } from '@todo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailSender, emailSubject } from './email.ts';

describe('email subjects', () => {
  it('strip C0 and C1 control characters, CR/LF included, and collapse whitespace to single spaces', () => {
    expect(emailSubject('Reminder: Pay rent')).toBe('Reminder: Pay rent');
    expect(emailSubject('Reminder: a\r\nBcc: victim@example.com')).toBe(
      'Reminder: a Bcc: victim@example.com',
    );
    expect(emailSubject('Reminder: \ttabs\u0000nul\u0007bell\u001bescape\u007fdel')).toBe(
      'Reminder: tabs nul bell escape del',
    );
    expect(emailSubject('Reminder: c1\u0085next\u009bcsi\u0080x')).toBe('Reminder: c1 next csi x');
    expect(emailSubject('  Reminder:\u2028line\u2029para\u00a0\u00a0nbsp   spaces  ')).toBe(
      'Reminder: line para nbsp spaces',
    );
    expect(emailSubject('Reminder: ünïcödé — ok ✓ 日本')).toBe('Reminder: ünïcödé — ok ✓ 日本');
  });

  it('every subject is at most one line and has no control character left', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('');
    const cleaned = emailSubject(`Reminder: ${all}end`);
    const controls = [...cleaned].filter(
      (ch) => ch.charCodeAt(0) < 0x20 || (ch >= '\u007f' && ch <= '\u009f'),
    );
    expect(controls).toEqual([]);
    expect(cleaned).not.toMatch(/\s{2,}/);
    expect(cleaned.endsWith('end')).toBe(true);
  });
});

describe('the Resend sender', () => {
  const received: Record<string, unknown>[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    received.push(JSON.parse(text));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'email-1' }));
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the cleaned subject, and the text as it was', async () => {
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sender = createEmailSender(
      loadConfig({ RESEND_API_KEY: 're_test', RESEND_BASE_URL: baseUrl, LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    await sender.send({
      to: 'ana@example.com',
      subject: 'Reminder: Pay\r\nrent\u0085now',
      text: 'Pay\r\nrent\n',
      idempotencyKey: 'k-1',
    });
    expect(received[0]).toMatchObject({ subject: 'Reminder: Pay rent now', text: 'Pay\r\nrent\n' });
  });
});
