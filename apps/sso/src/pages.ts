/** The few pages a browser can land on at /sso: an error, and a test sign-in's report. */
import type { Response } from 'express';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem}pre{background:#f4f4f5;padding:1rem;overflow:auto}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/**
 * An error page: the sign-in stops here and the browser is sent nowhere (an unknown redirect_uri,
 * a missing or wrong state, an unknown connection).
 */
export function errorPage(res: Response, status: number, message: string): void {
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(page('Sign-in failed', `<p>${escapeHtml(message)}</p>`));
}

/** A test sign-in's report, as HTML or (asked for with `Accept: application/json`) JSON. */
export function reportPage(res: Response, report: unknown, wantsJson: boolean): void {
  res.set('Cache-Control', 'no-store');
  if (wantsJson) {
    res.json(report);
    return;
  }
  res
    .type('html')
    .send(
      page(
        'SSO connection test',
        `<p>Nothing was changed. The IdP sent these claims, and this is what signing in would do:</p><pre>${escapeHtml(JSON.stringify(report, null, 2))}</pre>`,
      ),
    );
}
