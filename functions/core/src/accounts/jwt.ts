import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JWTs with node:crypto's HMAC. Every request of every function verifies one, and the WebCrypto
 * path (hono/jwt: importKey + an async crypto job per call) measured ~10% of the embedded runner's CPU
 * under load; a synchronous HMAC over a cached key is a few microseconds. Tokens stay standard JWTs
 * (hono/jwt and any JWT library read them; a test checks both ways).
 */

export interface JwtClaims {
  sub?: unknown;
  iat?: unknown;
  exp?: unknown;
  nbf?: unknown;
  [claim: string]: unknown;
}

export class JwtError extends Error {
  override readonly name = 'JwtError';
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

export function signHs256(claims: JwtClaims, secret: string): string {
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${hmac(secret, body).toString('base64url')}`;
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed token');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new JwtError('malformed token');
  return value as Record<string, unknown>;
}

/** Claims a token must carry with exactly these values (`aud` may also be an array containing it). */
export interface ExpectedClaims {
  iss?: string;
  aud?: string;
}

/**
 * Tokens whose signature verified, with their decoded claims, per secret: a client sends the same token
 * on every request until it expires, and the HMAC and two JSON decodes were ~0.1 ms of each request's
 * CPU. Only the signature check is remembered; the time and iss/aud checks run on every call. Bounded:
 * past `SIGNED_TOKENS_MAX` entries the oldest goes (a Map iterates in insertion order).
 */
const signedTokens = new Map<string, Map<string, Readonly<JwtClaims>>>();
const SIGNED_TOKENS_MAX = 10_000;

/** The claims of `token` if it is an HS256 token signed with `secret`; a JwtError otherwise. */
function signedClaims(token: string, secret: string): Readonly<JwtClaims> {
  let known = signedTokens.get(secret);
  const hit = known?.get(token);
  if (hit) return hit;
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed token');
  const [header, payload, signature] = parts as [string, string, string];
  // The algorithm is fixed, not read from the token: "alg: none" or an RS/HS confusion cannot apply.
  if (decodeJson(header).alg !== 'HS256') throw new JwtError('unexpected algorithm');
  const expected = hmac(secret, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new JwtError('bad signature');
  const claims = Object.freeze(decodeJson(payload) as JwtClaims);
  if (!known) {
    known = new Map();
    signedTokens.set(secret, known);
  }
  if (known.size >= SIGNED_TOKENS_MAX) known.delete(known.keys().next().value!);
  known.set(token, claims);
  return claims;
}

/**
 * The claims of a valid HS256 token signed with `secret`, with an `exp` in the future (a token without
 * one never expires, so it is refused) and the expected `iss`/`aud`; a JwtError otherwise.
 */
export function verifyHs256(
  token: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  want: ExpectedClaims = {},
): Readonly<JwtClaims> {
  const claims = signedClaims(token, secret);
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw new JwtError('no expiry');
  if (claims.exp <= nowSeconds) throw new JwtError('expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > nowSeconds))
    throw new JwtError('not yet valid');
  if (want.iss !== undefined && claims.iss !== want.iss) throw new JwtError('unexpected issuer');
  if (want.aud !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(want.aud)) throw new JwtError('unexpected audience');
  }
  return claims;
}
