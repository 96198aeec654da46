// enable/disable planning in the core: which annotations a change writes, per Voyager version.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planChange, type ChangeRequest } from '../../src/core/change.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { refusalMessage } from '../../src/output/effect.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok);
  return result.profile;
}

const enable = (over: Partial<ChangeRequest> = {}): ChangeRequest => ({
  action: 'enable',
  role: 'service',
  cookieName: null,
  cookieHash: null,
  overwrite: false,
  purge: false,
  ...over,
});

function plan(version: string, annotations: Record<string, string>, request: ChangeRequest) {
  const result = planChange(profile(version), annotations, request);
  return result.ok ? result.patch : `refused: ${refusalMessage(result.refusal)}`;
}

test('enable writes the key of the version: sticky-session "true" up to 5.x, affinity: cookie from 6.0', () => {
  for (const version of ['3.2.0', '4.0.0', '5.0.0']) assert.deepEqual(plan(version, {}, enable()), { 'ingress.appscode.com/sticky-session': 'true' }, version);
  for (const version of ['6.0.0', 'v12.0.0']) assert.deepEqual(plan(version, {}, enable()), { 'ingress.appscode.com/affinity': 'cookie' }, version);
  assert.deepEqual(plan('v12.0.0', { 'ingress.appscode.com/affinity': 'cookie' }, enable()), {}, 'already sticky: nothing to write');
});

test('a different existing value needs --overwrite', () => {
  assert.match(
    String(plan('v12.0.0', { 'ingress.appscode.com/affinity': 'true' }, enable())),
    /^refused: --overwrite is false .*'ingress\.appscode\.com\/affinity' already has a value \(true\)/,
  );
  assert.deepEqual(plan('v12.0.0', { 'ingress.appscode.com/affinity': 'true' }, enable({ overwrite: true })), { 'ingress.appscode.com/affinity': 'cookie' });
});

test('cookie flags: written where the version reads them from that object, refused with the reason elsewhere', () => {
  assert.match(String(plan('3.2.0', {}, enable({ role: 'ingress', cookieName: 'A' }))), /always uses cookie SERVERID/);
  assert.match(String(plan('6.0.0', {}, enable({ cookieName: 'A' }))), /reads cookie settings from the Ingress only/);
  assert.match(String(plan('4.0.0-alpha.1', {}, enable({ role: 'ingress', cookieHash: 'md5' }))), /no cookie hash/);
  assert.deepEqual(plan('4.0.0', {}, enable({ role: 'ingress', cookieName: 'A', cookieHash: 'md5' })), {
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.kubernetes.io/session-cookie-name': 'A',
    'ingress.kubernetes.io/session-cookie-hash': 'md5',
  });
  assert.deepEqual(plan('v12.0.0', {}, enable({ cookieName: 'A' })), {
    'ingress.appscode.com/affinity': 'cookie',
    'ingress.appscode.com/session-cookie-name': 'A',
  });
  assert.match(String(plan('v12.0.0', {}, enable({ cookieHash: 'sha1' }))), /invalid --cookie-hash "sha1"/);
});

test('5.x reads two spellings of the cookie keys: the one present is the one changed, under the --overwrite rule', () => {
  const existing = { 'ingress.appscode.com/session-cookie-name': 'OLD' };
  assert.match(
    String(plan('5.0.0', existing, enable({ role: 'ingress', cookieName: 'NEW' }))),
    /'ingress\.appscode\.com\/session-cookie-name' already has a value \(OLD\)/,
  );
  assert.deepEqual(plan('5.0.0', existing, enable({ role: 'ingress', cookieName: 'NEW', overwrite: true })), {
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.appscode.com/session-cookie-name': 'NEW',
  });
});

test('disable removes every key that turns stickiness on in any version; --purge also the cookie keys', () => {
  const annotations = {
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.kubernetes.io/affinity': 'cookie',
    'ingress.appscode.com/session-cookie-name': 'A',
    owner: 'team',
  };
  const disable: ChangeRequest = { ...enable(), action: 'disable' };
  assert.deepEqual(plan('v12.0.0', annotations, disable), { 'ingress.appscode.com/sticky-session': null, 'ingress.kubernetes.io/affinity': null });
  assert.deepEqual(plan('v12.0.0', annotations, { ...disable, purge: true }), {
    'ingress.appscode.com/sticky-session': null,
    'ingress.kubernetes.io/affinity': null,
    'ingress.appscode.com/session-cookie-name': null,
  });
  assert.deepEqual(plan('3.2.0', { owner: 'team' }, disable), {});
});
