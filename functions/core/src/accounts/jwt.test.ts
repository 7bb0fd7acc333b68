import { sign, verify } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { JwtError, signHs256, verifyHs256 } from './jwt.ts';

const secret = 'jwt-test-secret-jwt-test-secret-0123';
const now = 1_900_000_000;

describe('HS256 tokens (node:crypto)', () => {
  it('round-trips its own tokens and interoperates with hono/jwt in both directions', async () => {
    const claims = { sub: 'u1', iat: now, exp: now + 60 };
    expect(verifyHs256(signHs256(claims, secret), secret, now)).toEqual(claims);
    expect(verifyHs256(await sign(claims, secret, 'HS256'), secret, now)).toEqual(claims);
    const ours = signHs256({ sub: 'u1', iat: Math.floor(Date.now() / 1000), exp: 4_000_000_000 }, secret);
    expect((await verify(ours, secret, 'HS256')).sub).toBe('u1');
  });

  it('refuses a wrong secret, a changed payload, another algorithm, expired and not-yet-valid tokens, garbage', () => {
    const token = signHs256({ sub: 'u1', exp: now + 60 }, secret);
    const [h, p, s] = token.split('.') as [string, string, string];
    const otherPayload = Buffer.from(JSON.stringify({ sub: 'admin', exp: now + 60 })).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const cases: [string, RegExp][] = [
      [signHs256({ sub: 'u1', exp: now + 60 }, 'another-secret-another-secret-0123'), /bad signature/],
      [signHs256({ sub: 'u1' }, secret), /no expiry/],
      [signHs256({ sub: 'u1', exp: 'never' }, secret), /no expiry/],
      [`${h}.${otherPayload}.${s}`, /bad signature/],
      [`${none}.${p}.`, /unexpected algorithm/],
      [signHs256({ sub: 'u1', exp: now }, secret), /expired/],
      [signHs256({ sub: 'u1', exp: now + 60, nbf: now + 10 }, secret), /not yet valid/],
      ['garbage', /malformed/],
      ['a.b.c', /malformed/],
      [`${h}.${p}`, /malformed/],
    ];
    for (const [bad, why] of cases) {
      expect(() => verifyHs256(bad, secret, now), bad).toThrow(JwtError);
      expect(() => verifyHs256(bad, secret, now), bad).toThrow(why);
    }
  });

  it('checks iss and aud when asked', () => {
    const expected = { iss: 'todo', aud: 'todo-api' };
    const ok = signHs256({ sub: 'u1', exp: now + 60, iss: 'todo', aud: 'todo-api' }, secret);
    expect(verifyHs256(ok, secret, now, expected).sub).toBe('u1');
    const listed = signHs256({ sub: 'u1', exp: now + 60, iss: 'todo', aud: ['x', 'todo-api'] }, secret);
    expect(verifyHs256(listed, secret, now, expected).sub).toBe('u1');
    const cases: [string, RegExp][] = [
      [signHs256({ sub: 'u1', exp: now + 60, aud: 'todo-api' }, secret), /unexpected issuer/],
      [signHs256({ sub: 'u1', exp: now + 60, iss: 'evil', aud: 'todo-api' }, secret), /unexpected issuer/],
      [signHs256({ sub: 'u1', exp: now + 60, iss: 'todo' }, secret), /unexpected audience/],
      [signHs256({ sub: 'u1', exp: now + 60, iss: 'todo', aud: 'other' }, secret), /unexpected audience/],
    ];
    for (const [bad, why] of cases) expect(() => verifyHs256(bad, secret, now, expected), bad).toThrow(why);
  });

  it('remembers a verified signature, not the verdict: time and iss/aud are checked on every call, per secret', () => {
    const expected = { iss: 'todo', aud: 'todo-api' };
    const token = signHs256({ sub: 'u1', exp: now + 60, iss: 'todo', aud: 'todo-api' }, secret);
    expect(verifyHs256(token, secret, now, expected).sub).toBe('u1');
    expect(verifyHs256(token, secret, now, expected).sub).toBe('u1');
    expect(() => verifyHs256(token, secret, now + 60, expected)).toThrow(/expired/);
    expect(() => verifyHs256(token, secret, now, { ...expected, aud: 'stream' })).toThrow(
      /unexpected audience/,
    );
    expect(() => verifyHs256(token, 'another-secret-another-secret-0123', now)).toThrow(/bad signature/);
    // What it hands out cannot be changed for the next caller.
    const claims = verifyHs256(token, secret, now, expected) as Record<string, unknown>;
    expect(() => {
      claims.sub = 'admin';
    }).toThrow(TypeError);
  });
});
