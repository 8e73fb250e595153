// The fast path's own SHA-256 must name the same cache files as node:crypto always did: any
// difference would orphan every cached token (a login per context after an upgrade).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256Hex } from '../src/store/sha256.js';
import { cacheKey } from '../src/store/cache-key.js';

const reference = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

test('sha256Hex equals node:crypto on the padding boundaries and known vectors', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  for (let n = 0; n < 200; n++) assert.equal(sha256Hex('x'.repeat(n)), reference('x'.repeat(n)), `length ${n}`);
});

test('sha256Hex equals node:crypto on any string, multi-byte and lone surrogates included', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => sha256Hex(s) === reference(s)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => sha256Hex(s) === reference(s)),
    { numRuns: 500 },
  );
});

test('cache keys are unchanged: the key of a known identity', () => {
  const identity = { provider: 'oidc', issuer: 'https://idp.example', clientId: 'kubernetes', scopes: ['groups'] };
  assert.equal(
    cacheKey(identity),
    reference('{"clientId":"kubernetes","issuer":"https://idp.example","provider":"oidc","scopes":["groups"]}'),
  );
});
