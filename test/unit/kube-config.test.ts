// Kubeconfig loading as kubectl does it, for the connection flags (no server is contacted).

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { status } from '../../src/cli/commands.ts';
import { parseCommand } from '../../src/cli/spec.ts';
import { loadConfig } from '../../src/kube/config.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]
users: [{name: u, user: {token: abcdefghijkl}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]
current-context: x
`;

test("-s/--server replaces the cluster's address, as kubectl's", () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sticky-kc-')), 'config');
  writeFileSync(file, KUBECONFIG);
  assert.equal(loadConfig({ kubeconfig: file }).server, 'https://10.0.0.1:6443');
  const options = parseCommand(status.declaration, ['-shttps://127.0.0.1:7443', '--kubeconfig', file]).options;
  const loaded = loadConfig(options);
  assert.equal(loaded.server, 'https://127.0.0.1:7443');
  assert.equal(loaded.namespace, 'team-a');
});
