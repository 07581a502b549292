/**
 * The URL of an incoming HTTP request's target, for the servers we run (browser host, provider
 * node, note server). `new URL(target, base)` reads a target such as `//%5c/x` as another host and
 * throws, which inside a request or upgrade listener is an uncaught exception: one request from
 * any local process would take the server down. Here a target that is not a plain path becomes a
 * path no route has, so it gets the usual 404.
 */
const NO_ROUTE = 'http://127.0.0.1/.not-a-request-path';

export function requestTargetUrl(target: string | undefined): URL {
  if (target?.startsWith('/')) {
    try {
      return new URL(`http://127.0.0.1${target}`);
    } catch {
      // Falls through to the no-route URL.
    }
  }
  return new URL(target === undefined ? 'http://127.0.0.1/' : NO_ROUTE);
}
