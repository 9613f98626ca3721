// A tiny HTTP server for protocol fakes: a route table of (method, path) → handler, a test clock,
// a log of every call (so tests count calls per minute), and loopback listening.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: any;
}

export interface FakeResponse {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Delay the answer (ms of real time), e.g. to make a client time out. */
  delayMs?: number;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface CallRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  /** Test-clock time of the call (ms). */
  at: number;
  /** What the fake answered (the JSON body), for assertions. */
  answer?: unknown;
  status?: number;
}

/** A controllable clock: starts at a fixed instant and moves only when told. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 10, 23, 2, 0, 0)) {}
  now = () => this.ms;
  nowSec = () => Math.floor(this.ms / 1000);
  advance(ms: number) {
    this.ms += ms;
  }
}

export class FakeHttpServer {
  readonly clock: TestClock;
  readonly calls: CallRecord[] = [];
  private routes = new Map<string, FakeHandler>();
  private server: http.Server | null = null;
  url = '';

  constructor(clock = new TestClock()) {
    this.clock = clock;
  }

  on(method: string, path: string, handler: FakeHandler) {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  /** Calls to a path (optionally within the last `windowMs` of the test clock). */
  count(path: string, windowMs?: number) {
    return this.calls.filter((c) => c.path === path && (windowMs === undefined || c.at > this.clock.ms - windowMs)).length;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop() {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string> = {};
    // Decode like a real server; `sign` of the DingTalk robot arrives percent-encoded once.
    for (const [k, v] of u.searchParams) query[k] = v;
    let body: any;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const fr: FakeRequest = { method: req.method ?? 'GET', path: u.pathname, query, headers: req.headers, rawBody, body };
    const record: CallRecord = { method: fr.method, path: fr.path, query, body, at: this.clock.ms };
    this.calls.push(record);
    const handler = this.routes.get(`${fr.method} ${fr.path}`);
    let out: FakeResponse;
    try {
      out = handler ? await handler(fr) : { status: 404, json: { errcode: 404, errmsg: `fake: no route ${fr.method} ${fr.path}` } };
    } catch (err) {
      out = { status: 500, json: { errcode: 500, errmsg: String(err) } };
    }
    record.answer = out.json ?? out.text;
    record.status = out.status ?? 200;
    if (out.delayMs) await new Promise((r) => setTimeout(r, out.delayMs));
    if (res.destroyed) return;
    res.writeHead(out.status ?? 200, { 'content-type': out.json !== undefined ? 'application/json' : 'text/plain; charset=utf-8', ...out.headers });
    res.end(out.json !== undefined ? JSON.stringify(out.json) : (out.text ?? ''));
  }
}
