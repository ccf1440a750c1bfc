/**
 * A browser for SSO tests: follows redirects by hand with fetch, keeping cookies per host, and
 * records every URL it visited, so a test can see (and change) where each hop went. A page that
 * submits its form on load (SAML's HTTP-POST binding) is submitted, as a browser would.
 */

/** The page a walk ended on. */
export interface Landing {
  readonly status: number;
  readonly url: URL;
  readonly location: string | null;
  readonly body: string;
  /** Every URL requested, in order. */
  readonly visited: readonly URL[];
}

/** A cookie jar and a redirect follower. */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  private cookies(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.jar.get(url.host) ?? new Map<string, string>();
      this.jar.set(url.host, jar);
      const expired = attrs.some((a) => {
        const [k, v] = a.split('=').map((x) => x.trim());
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k?.toLowerCase() === 'expires') return new Date(v ?? '').getTime() <= Date.now();
        return false;
      });
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** The value of a cookie this browser holds for `host` (`127.0.0.1:4000`). */
  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  /** Sets a cookie by hand (tests of a forged or missing state). */
  setCookie(host: string, name: string, value: string | null): void {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, jar);
    if (value === null) jar.delete(name);
    else jar.set(name, value);
  }

  /**
   * Requests `start` and follows redirects until a page answers, or until `stop` says to stop
   * before requesting a URL (then `location` is that URL and `status` is 0).
   */
  async walk(
    start: string | URL,
    opts: { stop?: (next: URL) => boolean; accept?: string } = {},
  ): Promise<Landing> {
    let url = new URL(start);
    let form: URLSearchParams | null = null;
    const visited: URL[] = [];
    for (let hop = 0; hop < 20; hop++) {
      if (hop > 0 && opts.stop?.(url)) {
        return { status: 0, url, location: url.href, body: form?.toString() ?? '', visited };
      }
      visited.push(url);
      const headers: Record<string, string> = {
        cookie: this.cookies(url),
        accept: opts.accept ?? 'text/html',
      };
      const res = await fetch(url, {
        redirect: 'manual',
        ...(form
          ? {
              method: 'POST',
              body: form.toString(),
              headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            }
          : { headers }),
      });
      form = null;
      this.keep(url, res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        continue;
      }
      const body = await res.text();
      const auto = autoSubmit(body);
      if (res.status === 200 && auto) {
        url = new URL(auto.action, url);
        form = auto.fields;
        continue;
      }
      return { status: res.status, url, location, body, visited };
    }
    throw new Error(`too many redirects from ${start}`);
  }
}

const unescapeHtml = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[e]!,
  );

/** A page's form that submits itself on load (`onload="document.forms[0].submit()"`). */
function autoSubmit(html: string): { action: string; fields: URLSearchParams } | null {
  if (!html.includes('document.forms[0].submit()')) return null;
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) return null;
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.append(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  }
  return { action: unescapeHtml(action), fields };
}
