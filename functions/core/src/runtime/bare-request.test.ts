import { describe, expect, it } from 'vitest';
import { bareRequest } from './bare-request.ts';

describe('bareRequest', () => {
  const request = bareRequest({
    method: 'POST',
    url: 'http://audit.local/events/tasks',
    headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], accept: 'x' },
    body: '{"a":1}',
  });

  it('reads headers as Headers does: by any case, repeated values joined, set-cookie kept apart', () => {
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(request.headers.has('ACCEPT')).toBe(true);
    expect(request.headers.get('x-missing')).toBeNull();
    expect(request.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(request.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect([...request.headers.keys()]).toEqual(['accept', 'content-type', 'set-cookie']);
  });

  it('gives its body as text, JSON or bytes, and nothing without one', async () => {
    expect(request.method).toBe('POST');
    expect(await request.text()).toBe('{"a":1}');
    expect(await request.json()).toEqual({ a: 1 });
    expect(new TextDecoder().decode(await request.arrayBuffer())).toBe('{"a":1}');
    const bodiless = bareRequest({ method: 'GET', url: 'http://h/', headers: {} });
    expect(await bodiless.text()).toBe('');
    expect((await bodiless.arrayBuffer()).byteLength).toBe(0);
  });
});
