import { afterEach, describe, expect, it } from 'vitest';
import { BareResponse, bareReplies } from './bare-response.ts';

const saved = { ...bareReplies };
afterEach(() => Object.assign(bareReplies, saved));

describe('BareResponse', () => {
  it('keeps a string reply with plain headers as its parts while replies are bare', () => {
    bareReplies.enabled = true;
    const res = new BareResponse('{"a":1}', { status: 201, headers: { 'content-type': 'application/json' } });
    expect(BareResponse.isBare(res)).toBe(true);
    expect(res instanceof BareResponse).toBe(true);
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.parts()).toEqual({
      status: 201,
      headers: { 'content-type': 'application/json', 'content-length': '7' },
      body: '{"a":1}',
    });
    expect(new BareResponse().parts()).toEqual({ status: 200, headers: {}, body: null });
    expect(new BareResponse('é').parts()?.headers).toEqual({
      'content-type': 'text/plain;charset=UTF-8',
      'content-length': '2',
    });
  });

  it('is a real Response for anything else, and once replies are no longer bare', async () => {
    bareReplies.enabled = true;
    const stream = new BareResponse(new ReadableStream(), { headers: { 'x-a': '1' } });
    const headers = new BareResponse('x', { headers: new Headers({ 'x-a': '1' }) });
    bareReplies.enabled = false;
    const late = new BareResponse('late', { status: 202 });
    for (const res of [stream, headers, late]) {
      expect(BareResponse.isBare(res)).toBe(false);
      expect(res instanceof BareResponse).toBe(true); // as `instanceof Response` in a bundle
    }
    expect(await late.text()).toBe('late');
  });

  it('becomes a real Response when asked for more than its parts, and is written as that', async () => {
    bareReplies.enabled = true;
    const res = new BareResponse('{"a":1}', { headers: { 'content-type': 'application/json' } });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.parts()).toBeUndefined();
    expect(await res.json()).toEqual({ a: 1 });
    expect(BareResponse.json({ b: 2 }).status).toBe(200);
  });
});
