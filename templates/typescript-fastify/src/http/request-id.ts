// Request ids: a client's X-Request-ID is reused when it is sane (so ids can follow a request
// across services), otherwise a fresh UUID. The id is in every log line of the request.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function genReqId(req: IncomingMessage): string {
  const header = req.headers["x-request-id"];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && SANE_ID.test(candidate) ? candidate : randomUUID();
}
