// A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made with the
// openssl CLI (Node has no API to sign certificates). Go's TLS (kubectl) insists on a
// subjectAltName and a CA with basicConstraints, so both are explicit.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServerCertificates {
  caCert: string;
  cert: string;
  key: string;
}

export async function makeCertificates(): Promise<ServerCertificates> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gitopshq-kube-certs-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = async (args: string[]) => {
    try {
      await run('openssl', args, { cwd: dir });
    } catch (err) {
      const detail = (err as { stderr?: string }).stderr ?? String(err);
      throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${detail.trim()}`);
    }
  };
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '7', '-subj', '/CN=gitopshq-fake-kube-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await openssl(['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
    await writeFile(file('server.ext'), [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'));
    await openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-out', file('server.crt'), '-days', '7', '-extfile', file('server.ext')]);
    const [caCert, cert, key] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(file(name), 'utf8')));
    return { caCert: caCert!, cert: cert!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
