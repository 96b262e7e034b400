export type QueryValue = string | string[] | number | undefined;

/** An error answer of the native API: the HTTP status, the server's `error_code` and its message. */
export type ErrorFactory = (status: number, code: string, message: string) => Error;

/**
 * One call to the native API (`/api/v1`): query parameters appended (arrays repeat the key), JSON bodies, and an
 * error answer turned into the caller's error type with the server's code and message.
 */
export async function nativeRequest<T>(
  target: { base: string; fetchImpl: typeof fetch; headers: Record<string, string> },
  makeError: ErrorFactory,
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, QueryValue>,
): Promise<T> {
  const url = new URL(`${target.base}/api/v1${path}`);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const res = await target.fetchImpl(url, {
    method,
    headers: body === undefined ? target.headers : { ...target.headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) throw makeError(res.status, json?.error_code ?? `HTTP_${res.status}`, json?.message ?? (text || res.statusText));
  return json as T;
}
