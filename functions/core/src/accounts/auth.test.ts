import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, SCRYPT_LOG_N, verifyAgainstDummy, verifyPassword } from './auth.ts';

describe('password hashing (scrypt)', () => {
  it("hashes at OWASP's minimum by default (N=2^17, r=8, p=1) and verifies", async () => {
    expect(SCRYPT_LOG_N).toBe(17);
    const stored = await hashPassword('correct horse');
    expect(stored.split('$').slice(0, 4)).toEqual(['scrypt', String(2 ** 17), '8', '1']);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('wrong horse', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('still verifies the old N=2^15 hashes, and marks them for rehashing', async () => {
    const old = await hashPassword('correct horse', 15);
    expect(await verifyPassword('correct horse', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it('refuses damaged or absurd parameters without allocating, and the dummy check never matches', async () => {
    expect(await verifyPassword('x', 'scrypt$1099511627776$8$1$c2FsdA==$aGFzaA==')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
    expect(await verifyAgainstDummy('x', 10)).toBe(false);
  });
});
