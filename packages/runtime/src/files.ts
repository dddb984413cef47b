/**
 * Streams a Dify file parameter from its signed URL. Dify sends a relative URL
 * (/files/<id>/file-preview?...) when the operator left FILES_URL and
 * INTERNAL_FILES_URL unset; the plugin supplies a base URL for that case.
 * Errors name the cause and the fix; the URL's signature (query) is never
 * printed, not even in an error's cause.
 */
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import type { DifyFile } from "./definitions.js";
import { PluginError } from "./errors.js";

export interface OpenFileOptions {
  /** Base URL for relative file URLs, e.g. the plugin's DIFY_ENDPOINT credential. */
  baseUrl?: string;
  /** Time to wait for the response headers (default 30 s). */
  timeoutMs?: number;
  /** Longest pause between body chunks before the download is abandoned (default 60 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface OpenedFile {
  body: Readable;
  /** From Content-Length, else the file's declared size; undefined when unknown. */
  size: number | undefined;
  mimeType: string | undefined;
  filename: string | undefined;
}

export class FileDownloadError extends PluginError {
  constructor(message: string) {
    super("FileDownloadError", message);
  }
}

/**
 * The URL a Dify file is fetched from. An absolute http(s) URL is used as it is
 * (Dify's FILES_URL may name any host); a relative one must stay on the base
 * URL's host. The decision is made on the URL as the WHATWG parser (and so
 * fetch) reads it, which trims leading spaces and control characters, drops tabs
 * and line breaks and takes "\\" for "/": `\\host/x`, `/\host` and ` //host`
 * are all `//host`, a link to another host.
 */
export function resolveFileUrl(url: string, baseUrl?: string): URL {
  if (URL.canParse(url)) {
    const absolute = new URL(url);
    if (absolute.protocol === "http:" || absolute.protocol === "https:") return absolute;
    throw new FileDownloadError(
      `the file URL has the scheme "${absolute.protocol}": only http and https file links are fetched`,
    );
  }
  if (!baseUrl) {
    throw new FileDownloadError(
      `the file URL "${url.split("?")[0]}" is relative: set the plugin's Dify base URL credential (for example http://api:5001), ` +
        `or set FILES_URL / INTERNAL_FILES_URL in Dify's environment so it sends absolute URLs`,
    );
  }
  const base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const resolved = new URL(url, base);
  if (resolved.origin !== base.origin) {
    throw new FileDownloadError(
      `the relative file URL "${url.split("?")[0]}" leads to another host (${resolved.host}) than the Dify base URL ${base.origin}: ` +
        `a relative file link is only fetched from the Dify base URL`,
    );
  }
  // Dify's relative links start at its API root: behind a base URL with a path (http://host/dify/) they go below that path.
  if (resolved.pathname.startsWith(base.pathname)) return resolved;
  return new URL(`./${resolved.pathname.replace(/^\/+/, "")}${resolved.search}`, base);
}

export async function openDifyFile(file: DifyFile, options: OpenFileOptions = {}): Promise<OpenedFile> {
  const url = resolveFileUrl(file.url, options.baseUrl);
  const shown = `${url.origin}${url.pathname}`;
  const scrub = (text: string) => scrubUrl(text, url, shown);
  const headerTimeoutMs = options.timeoutMs ?? 30_000;
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // The header timeout must not cut a long download short: it stops once the headers are in.
  let headersTimedOut = false;
  const headerTimer = setTimeout(() => {
    headersTimedOut = true;
    controller.abort();
  }, headerTimeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: "follow" });
  } catch (error) {
    options.signal?.removeEventListener("abort", onAbort);
    const message = headersTimedOut
      ? `the file server at ${shown} did not answer within ${headerTimeoutMs / 1000} s`
      : describeFetchFailure(error, shown);
    throw new FileDownloadError(scrub(message));
  } finally {
    clearTimeout(headerTimer);
  }
  if (!response.ok || !response.body) {
    void response.body?.cancel();
    options.signal?.removeEventListener("abort", onAbort);
    throw new FileDownloadError(describeStatus(response.status, shown));
  }
  const length = Number(response.headers.get("content-length"));
  const declared = typeof file.size === "number" && file.size >= 0 ? file.size : undefined;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const stalled = () =>
    new FileDownloadError(`the download of ${shown} stalled for ${idleMs / 1000} s and was abandoned`);
  // The idle clock runs only while the caller waits for bytes: a caller that
  // stops reading (an upload applying backpressure) is not a stalled network.
  const body = new Readable({
    read() {
      const idle = setTimeout(() => body.destroy(stalled()), idleMs);
      reader.read().then(
        ({ done, value }) => {
          clearTimeout(idle);
          body.push(done ? null : value);
        },
        (error: unknown) => {
          clearTimeout(idle);
          body.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
    destroy(error, callback) {
      options.signal?.removeEventListener("abort", onAbort);
      controller.abort();
      reader.cancel().catch(() => undefined);
      callback(error);
    },
  });
  body.on("end", () => options.signal?.removeEventListener("abort", onAbort));
  return {
    body,
    size: Number.isFinite(length) && response.headers.has("content-length") ? length : declared,
    mimeType: file.mime_type ?? response.headers.get("content-type")?.split(";")[0] ?? undefined,
    filename: file.filename ?? undefined,
  };
}

function describeStatus(status: number, shown: string): string {
  if (status === 401 || status === 403) {
    return (
      `Dify refused the file download (HTTP ${status}) from ${shown}: the signed link has expired or is invalid ` +
      `(links last FILES_ACCESS_TIMEOUT, 300 s by default); run the tool right after the file is produced`
    );
  }
  if (status === 404)
    return `the file was not found (HTTP 404) at ${shown}: check the Dify base URL credential and that the file still exists`;
  return `the file download from ${shown} failed with HTTP ${status}`;
}

function describeFetchFailure(error: unknown, shown: string): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? "";
  const detail = cause?.message ?? (error as Error).message;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i.test(`${code} ${detail}`)) {
    return `TLS verification failed for ${shown} (${code || detail}): the file server's certificate is not trusted; use a certificate from a trusted CA or point NODE_EXTRA_CA_CERTS at your CA bundle`;
  }
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `could not reach ${shown} (${code}): check the Dify base URL the plugin uses for file links`;
  }
  if ((error as Error).name === "AbortError") return `the download of ${shown} was cancelled`;
  return `the file download from ${shown} failed: ${detail}`;
}

/** Replaces the full URL, and its query on its own, wherever a lower layer's message quoted them. */
function scrubUrl(text: string, url: URL, shown: string): string {
  let result = text.split(url.href).join(shown);
  if (url.search) result = result.split(url.search).join("");
  return result;
}
