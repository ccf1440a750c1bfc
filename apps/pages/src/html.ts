/**
 * The HTML of the pages: one accessible layout (a language, a title, a main landmark, one h1,
 * labelled fields, errors announced with role="alert"), no script, and forms that post back
 * with the CSRF token.
 */
import { createHash } from 'node:crypto';

/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A piece of HTML already escaped. */
export interface Html {
  readonly html: string;
}

/** Marks `s` as HTML (the caller escaped what it interpolated). */
export const raw = (s: string): Html => ({ html: s });

/** A template literal that escapes every interpolated value unless it is `Html`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = Array.isArray(v)
      ? v.map((x) => (isHtml(x) ? x.html : escapeHtml(String(x)))).join('')
      : isHtml(v)
        ? v.html
        : v === null || v === undefined || v === false
          ? ''
          : escapeHtml(String(v));
    out += part + (strings[i + 1] ?? '');
  });
  return { html: out };
}

const isHtml = (v: unknown): v is Html =>
  typeof v === 'object' && v !== null && typeof (v as Html).html === 'string';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#18181b}
label{display:block;margin-top:1rem;font-weight:600}
input[type=email],input[type=password],input[type=text]{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font:inherit;border:1px solid #52525b;border-radius:4px}
button{margin-top:1.25rem;padding:.5rem 1rem;font:inherit;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#3f3f46}
.alert{border-left:4px solid #b91c1c;background:#fef2f2;padding:.75rem 1rem;margin:1rem 0}
.note{border-left:4px solid #15803d;background:#f0fdf4;padding:.75rem 1rem;margin:1rem 0}
.hint{color:#3f3f46;font-size:.9rem;margin:.25rem 0 0}
code,.codes{font-family:ui-monospace,monospace}
a{color:#1d4ed8}`;

/**
 * The pages' Content-Security-Policy: nothing loads but the page's own style (by its hash) and
 * images inlined as data: URLs (the MFA QR code); no script at all; never framed. No
 * `form-action`: browsers apply it to the redirects after a post too, and signing in goes on to
 * the organization's IdP.
 */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src data:; frame-ancestors 'none'; base-uri 'none'`;

/** A whole page. */
export function layout(title: string, body: Html): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Gatehouse</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body.html}</main></body></html>`;
}

/** An error the page shows above its form, announced to screen readers. */
export const alertBox = (message: string | null | undefined): Html =>
  message ? html`<div class="alert" role="alert">${message}</div>` : raw('');

/** A confirmation the page shows. */
export const noteBox = (message: string | null | undefined): Html =>
  message ? html`<div class="note" role="status">${message}</div>` : raw('');

/** A form posting to `action` with the CSRF token and hidden fields. */
export function form(
  action: string,
  csrf: string,
  body: Html,
  hidden: Record<string, string | undefined> = {},
): Html {
  const fields = Object.entries(hidden)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return html`<form method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}">${fields}${body}</form>`;
}

/** A labelled input. */
export function field(o: {
  readonly name: string;
  readonly label: string;
  readonly type?: 'email' | 'password' | 'text';
  readonly value?: string | undefined;
  readonly autocomplete?: string;
  readonly hint?: string;
  readonly required?: boolean;
  readonly inputmode?: 'numeric' | 'text';
  readonly autofocus?: boolean;
}): Html {
  const id = `f-${o.name}`;
  const hint = o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : raw('');
  return html`<label for="${id}">${o.label}</label>${hint}<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}"${raw(o.value !== undefined ? ` value="${escapeHtml(o.value)}"` : '')}${raw(o.autocomplete ? ` autocomplete="${escapeHtml(o.autocomplete)}"` : '')}${raw(o.hint ? ` aria-describedby="${id}-hint"` : '')}${raw(o.inputmode ? ` inputmode="${o.inputmode}"` : '')}${raw(o.required === false ? '' : ' required')}${raw(o.autofocus ? ' autofocus' : '')}>`;
}

/** A submit button. */
export const button = (label: string, cls?: string): Html =>
  html`<button type="submit"${raw(cls ? ` class="${escapeHtml(cls)}"` : '')}>${label}</button>`;
