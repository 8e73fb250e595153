import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExecInfo, ExecInfoError, EXEC_API_V1, EXEC_API_V1BETA1 } from '../src/exec/exec-info.js';
import { formatExecCredential, isFresh, rfc3339 } from '../src/exec/exec-credential.js';

test('v1 exec info: apiVersion, interactive and cluster are read', () => {
  const info = parseExecInfo(
    JSON.stringify({
      apiVersion: EXEC_API_V1,
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: 'https://k8s.example:6443', 'certificate-authority-data': 'Q0E=' } },
    }),
    true,
  );
  assert.equal(info.apiVersion, EXEC_API_V1);
  assert.equal(info.interactive, false, 'spec.interactive wins over the TTY');
  assert.equal(info.cluster?.server, 'https://k8s.example:6443');
  assert.equal(info.absent, false);
});

test('v1beta1 exec info without interactive falls back to the TTY', () => {
  const raw = JSON.stringify({ apiVersion: EXEC_API_V1BETA1, kind: 'ExecCredential', spec: {} });
  assert.equal(parseExecInfo(raw, true).interactive, true);
  assert.equal(parseExecInfo(raw, false).interactive, false);
  assert.equal(parseExecInfo(raw, false).apiVersion, EXEC_API_V1BETA1);
  assert.equal(parseExecInfo(raw, false).cluster, undefined);
});

test('absent exec info means v1beta1, interactive only on a TTY', () => {
  for (const raw of [undefined, '']) {
    const info = parseExecInfo(raw, false);
    assert.deepEqual(info, { apiVersion: EXEC_API_V1BETA1, interactive: false, absent: true });
  }
  assert.equal(parseExecInfo(undefined, true).interactive, true);
});

test('malformed or unknown exec info is a one-line error', () => {
  const bad = [
    '{not json',
    '[]',
    '"x"',
    JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1alpha1', kind: 'ExecCredential' }),
    JSON.stringify({ kind: 'ExecCredential' }),
    JSON.stringify({ apiVersion: EXEC_API_V1, kind: 'Pod' }),
  ];
  for (const raw of bad) {
    assert.throws(
      () => parseExecInfo(raw, false),
      (err: unknown) => {
        assert.ok(err instanceof ExecInfoError, `${raw} → ExecInfoError`);
        assert.ok(!err.message.includes('\n'), 'one line');
        assert.match(err.message, /KUBERNETES_EXEC_INFO/);
        return true;
      },
    );
  }
});

test('ExecCredential echoes the apiVersion and subtracts the margin from the expiry', () => {
  const expires = Date.parse('2030-01-01T12:00:00Z');
  for (const apiVersion of [EXEC_API_V1, EXEC_API_V1BETA1] as const) {
    const out = JSON.parse(formatExecCredential(apiVersion, { token: 't0k' }, expires, 60_000));
    assert.equal(out.apiVersion, apiVersion);
    assert.equal(out.kind, 'ExecCredential');
    assert.equal(out.status.token, 't0k');
    assert.equal(out.status.expirationTimestamp, '2030-01-01T11:59:00Z');
    assert.equal(out.status.clientCertificateData, undefined);
  }
});

test('ExecCredential with a client certificate carries both PEMs and no token', () => {
  const out = JSON.parse(
    formatExecCredential(EXEC_API_V1, { clientCertificateData: 'CERT', clientKeyData: 'KEY' }, Date.parse('2030-01-01T00:00:00Z'), 0),
  );
  assert.deepEqual(out.status, { clientCertificateData: 'CERT', clientKeyData: 'KEY', expirationTimestamp: '2030-01-01T00:00:00Z' });
});

test('expiry margin: fresh only while more than min-validity remains', () => {
  const now = 1_000_000;
  assert.equal(isFresh(now + 61_000, now, 60_000), true);
  assert.equal(isFresh(now + 60_000, now, 60_000), false, 'exactly the margin left counts as expired');
  assert.equal(isFresh(now + 30_000, now, 60_000), false);
  assert.equal(isFresh(now + 1, now, 0), true);
  assert.equal(isFresh(now - 1, now, 0), false);
  assert.equal(rfc3339(Date.parse('2030-05-06T07:08:09.999Z')), '2030-05-06T07:08:09Z', 'fractions are dropped, never rounded up');
});

test('rfc3339 (formatted by hand) agrees with Date for every kind of day: leap years, century rules, year ends', () => {
  const viaDate = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const edges = [
    '1970-01-01T00:00:00Z',
    '2000-02-29T23:59:59Z',
    '2100-02-28T12:00:00Z',
    '2100-03-01T00:00:00Z',
    '2400-02-29T01:02:03Z',
    '2026-12-31T23:59:59Z',
  ];
  for (const e of edges) assert.equal(rfc3339(Date.parse(e)), e);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20000; i++) {
    const ms = Math.floor(random() * Date.parse('2500-01-01T00:00:00Z'));
    assert.equal(rfc3339(ms), viaDate(ms), String(ms));
  }
});
