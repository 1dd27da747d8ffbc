// A bare HTTPS client for the fake server's log endpoint in tests: the raw bytes and status, or a
// follow stream whose chunks are collected as they come.
import * as https from 'node:https';
import type { KubeApiServer } from './apiServer';

export interface LogAnswer {
  status: number;
  body: string;
  chunks: number;
}

export function logPath(namespace: string, pod: string): string {
  return `/api/v1/namespaces/${namespace}/pods/${pod}/log`;
}

export function logRequest(server: KubeApiServer, token: string, path: string, query: Record<string, string>): { answer: Promise<LogAnswer>; text: () => string; ended: () => boolean; abort: () => void } {
  const url = new URL(server.url + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const chunks: Buffer[] = [];
  let ended = false;
  let req!: import('node:http').ClientRequest;
  const answer = new Promise<LogAnswer>((resolve, reject) => {
    req = https.get(url, { ca: server.caCert, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        ended = true;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length });
      });
      res.on('error', reject);
      res.on('close', () => {
        if (!ended) reject(Object.assign(new Error('cut'), { code: 'ECONNRESET' }));
      });
    });
    req.on('error', reject);
  });
  return { answer, text: () => Buffer.concat(chunks).toString('utf8'), ended: () => ended, abort: () => req.destroy() };
}
