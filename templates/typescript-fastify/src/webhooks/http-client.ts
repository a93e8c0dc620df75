// One delivery attempt over node:http(s). Chosen over fetch because it lets the request go to
// the address the SSRF guard checked (a `lookup` that returns it, so TLS still verifies the
// host name and the Host header stays the URL's), and gives separate connect and read timeouts.
// Redirects are never followed (node:http does not), and at most 64 KiB of the answer is read.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { CheckedAddress } from "./ssrf.js";

export const RESPONSE_LIMIT_BYTES = 64 * 1024;

export type AttemptResult =
  { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface OutgoingRequest {
  url: URL;
  address: CheckedAddress;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

function pinnedLookup({ address, family }: CheckedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export function post({
  url,
  address,
  headers,
  body,
  timeoutMs,
}: OutgoingRequest): Promise<AttemptResult> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const request = client.request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: pinnedLookup(address),
      agent: false,
    });
    // Connect timeout first; once connected, the read timeout for the whole answer.
    let timer = setTimeout(
      () => finish({ ok: false, status: null, error: "connect timeout" }),
      timeoutMs,
    );
    request.on("socket", (socket) => {
      socket.once("connect", () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => finish({ ok: false, status: null, error: "read timeout" }),
          timeoutMs,
        );
      });
    });
    request.on("error", (error) => finish({ ok: false, status: null, error: error.message }));
    request.on("response", (response) => {
      const status = response.statusCode ?? 0;
      let read = 0;
      const done = () =>
        finish(
          status >= 200 && status < 300
            ? { ok: true, status }
            : { ok: false, status, error: `HTTP ${status}` },
        );
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read >= RESPONSE_LIMIT_BYTES) done(); // enough: the rest is not read
      });
      response.on("end", done);
      response.on("error", (error) => finish({ ok: false, status, error: error.message }));
    });
    request.end(body);
  });
}
