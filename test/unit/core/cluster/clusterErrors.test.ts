import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ClusterError, classifyClusterError, execPluginError, noContextError, redactCredentials, safeServer } from '../../../../src/core/cluster/clusterErrors';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkJ0In0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const KEY_DATA = 'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFcEFJQkFBS0NBUUVBdGVzdGtleWRhdGFmb3JnaXRvcHNocQ==';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVkYXRh\n-----END CERTIFICATE-----';
const SERVER = 'https://admin:s3cr3t-pass@10.0.0.1:6443/?token=abc';

/** The message, hint and every string field say nothing of the credentials. */
function assertNoCredentials(err: ClusterError): void {
  const text = JSON.stringify({ message: err.message, hint: err.hint, server: err.server, context: err.context, stack: err.stack });
  for (const secret of [TOKEN, KEY_DATA, 'client-key-data: LS0', 'BEGIN CERTIFICATE', 'MIIBszCC', 's3cr3t-pass', 'token=abc', 'Bearer ey']) {
    assert.ok(!text.includes(secret), `"${secret}" in ${text}`);
  }
  assert.equal((err as { cause?: unknown }).cause, undefined);
}

/** A real failed request from Node's HTTP client. */
function requestError(url: string): Promise<Error> {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { headers: { authorization: `Bearer ${TOKEN}` }, timeout: 5000, rejectUnauthorized: true }, () => resolve(new Error('answered')));
    req.on('error', resolve);
  });
}

/** client-node's ApiException, by shape: `code` is the HTTP status, its message repeats body and headers. */
function apiException(code: number, status: object): Error {
  const body = JSON.stringify(status);
  return Object.assign(new Error(`HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ${JSON.stringify(body)}\nHeaders: {"authorization":"Bearer ${TOKEN}"}`), { code, body });
}

describe('cluster errors', () => {
  it('unreachable: a refused connection, naming context, server (without user info) and the cause', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const err = classifyClusterError(await requestError(`http://127.0.0.1:${port}/api`), { context: 'kind-acme', server: `https://admin:s3cr3t-pass@127.0.0.1:${port}/?token=abc` });
    assert.equal(err.kind, 'unreachable');
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.message, `Cannot reach the cluster of context "kind-acme" (https://127.0.0.1:${port}): connection refused (ECONNREFUSED).`);
    assert.match(err.hint ?? '', /Retry/);
    assertNoCredentials(err);
  });

  it('unreachable: a host that does not resolve, and a timeout', async () => {
    const dns = classifyClusterError(await requestError('https://cluster.gitopshq.invalid:6443/api'), { context: 'prod', server: SERVER });
    assert.equal(dns.kind, 'unreachable');
    assert.ok(dns.code === 'ENOTFOUND' || dns.code === 'EAI_AGAIN', dns.code);
    assertNoCredentials(dns);
    const timeout = classifyClusterError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), { context: 'prod', server: SERVER });
    assert.deepEqual([timeout.kind, timeout.message], ['unreachable', 'Cannot reach the cluster of context "prod" (https://10.0.0.1:6443): timed out.']);
  });

  it('tls: a TLS handshake with a server that does not speak TLS', async () => {
    const server = http.createServer((_req, res) => res.end('plain'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const err = classifyClusterError(await requestError(`https://127.0.0.1:${port}/api`), { context: 'kind-acme', server: `https://127.0.0.1:${port}` });
      assert.equal(err.kind, 'tls', err.message);
      assert.match(err.message, /^TLS failed with the cluster of context "kind-acme" \(https:\/\/127\.0\.0\.1:\d+\): /);
      assertNoCredentials(err);
    } finally {
      server.close();
    }
  });

  it('tls: an untrusted certificate, by its code', () => {
    const err = classifyClusterError(Object.assign(new Error(`self-signed certificate ${PEM}`), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), { context: 'prod', server: SERVER });
    assert.equal(err.message, 'TLS failed with the cluster of context "prod" (https://10.0.0.1:6443): the server\'s certificate is self-signed and not trusted (DEPTH_ZERO_SELF_SIGNED_CERT).');
    assert.match(err.hint ?? '', /certificate-authority-data/);
    assertNoCredentials(err);
  });

  it('unauthorized: 401, naming the context', () => {
    const err = classifyClusterError(apiException(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }), { context: 'prod', server: SERVER });
    assert.deepEqual([err.kind, err.status], ['unauthorized', 401]);
    assert.equal(err.message, 'The cluster of context "prod" (https://10.0.0.1:6443) refused its credentials (401 Unauthorized).');
    assertNoCredentials(err);
  });

  it('forbidden: 403, naming the verb and the resource from the request or the Status', () => {
    const status = {
      kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, details: { group: 'apps', kind: 'deployments' },
      message: 'deployments.apps is forbidden: User "system:serviceaccount:ci:viewer" cannot watch resource "deployments" in API group "apps" in the namespace "shop-acme"',
    };
    const fromStatus = classifyClusterError(apiException(403, status), { context: 'prod', server: SERVER, namespace: 'shop-acme' });
    assert.equal(fromStatus.kind, 'forbidden');
    assert.equal(fromStatus.message, 'Context "prod" (https://10.0.0.1:6443) may not watch deployments.apps in namespace "shop-acme" (403 Forbidden).');
    const fromRequest = classifyClusterError(new Error('Forbidden'), { context: 'prod', verb: 'list', resource: 'pods', namespace: 'shop', status: 403, body: status });
    assert.equal(fromRequest.message, 'Context "prod" may not list pods in namespace "shop" (403 Forbidden).');
    assertNoCredentials(fromStatus);
  });

  it('error: any other status, with the Status message redacted', () => {
    const err = classifyClusterError(apiException(500, { kind: 'Status', status: 'Failure', reason: 'InternalError', code: 500, message: `etcd said token=${TOKEN} and client-key-data: ${KEY_DATA}` }), { context: 'prod', server: SERVER });
    assert.deepEqual([err.kind, err.status], ['error', 500]);
    assert.equal(err.message, 'The cluster of context "prod" (https://10.0.0.1:6443) answered 500 InternalError: etcd said token=[redacted] and client-key-data: [redacted]');
    assertNoCredentials(err);
    const odd = classifyClusterError(new Error(`something odd\nAuthorization: Bearer ${TOKEN}`), { context: 'prod' });
    assert.deepEqual([odd.kind, odd.message], ['error', 'The cluster of context "prod" failed: something odd']);
  });

  it('no-context: names the context and the kubeconfig', () => {
    const err = noContextError('kind-globex', '~/.kube/config');
    assert.deepEqual([err.kind, err.message], ['no-context', 'Context "kind-globex" is not in the kubeconfig (~/.kube/config).']);
    assert.match(err.hint ?? '', /Select Context/);
  });

  it('exec-plugin: a failing plugin (stage auth) and an untrusted workspace', () => {
    const failed = classifyClusterError(new Error(`error: token expired; refresh with --token ${TOKEN}\n${PEM}`), { context: 'gke-prod', server: SERVER, stage: 'auth' });
    assert.equal(failed.kind, 'exec-plugin');
    assert.equal(failed.message, 'The credential plugin of context "gke-prod" (https://10.0.0.1:6443) failed: error: token expired; refresh with --token [redacted]');
    assertNoCredentials(failed);
    const untrusted = execPluginError('eks-prod', 'https://eks.example.com', { command: '/usr/local/bin/aws', untrusted: true });
    assert.equal(untrusted.message, 'Context "eks-prod" (https://eks.example.com) gets its credentials from the plugin "aws", which runs only in a trusted workspace.');
    assert.match(untrusted.hint ?? '', /Trust this workspace/);
  });

  it('is recognised by shape, and a classified error passes through unchanged', () => {
    const err = noContextError('x', 'k');
    assert.equal(ClusterError.is(err), true);
    assert.equal(ClusterError.is(err, 'tls'), false);
    assert.equal(ClusterError.is(new Error('x')), false);
    assert.equal(classifyClusterError(err, { context: 'other' }), err);
  });

  it('redacts tokens, keys and certificates but keeps paths and names', () => {
    assert.equal(redactCredentials(`Bearer ${TOKEN}`), 'Bearer [redacted]');
    assert.equal(redactCredentials(`client-certificate-data: ${KEY_DATA}`), 'client-certificate-data: [redacted]');
    assert.equal(redactCredentials(`"password":"hunter2"`), '"password":"[redacted]"');
    assert.equal(redactCredentials(`cert ${PEM} end`), 'cert [redacted] end');
    assert.equal(redactCredentials(`blob ${KEY_DATA}`), 'blob [redacted]');
    assert.equal(redactCredentials('GET /apis/apps/v1/namespaces/shop-acme/deployments?watch=true'), 'GET /apis/apps/v1/namespaces/shop-acme/deployments?watch=true');
    assert.equal(safeServer(SERVER), 'https://10.0.0.1:6443');
    assert.equal(safeServer('http://localhost:8080/k8s/clusters/c-abc'), 'http://localhost:8080/k8s/clusters/c-abc');
  });
});
