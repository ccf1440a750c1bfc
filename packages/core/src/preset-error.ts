/**
 * What is wrong with a preset or a catalog: every problem, each with the path of the value it is
 * about (`roles.editor.permissions[3]: unknown permission "flows.wirte"`).
 */

/** One problem of a preset document, at a path such as `roles.editor.permissions[3]`. */
export interface PresetIssue {
  /** Where in the document: `roles.editor.permissions[3]`, `catalog["flow-s"]`; `""` is the whole document. */
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown when a preset, a preset document or a catalog is inconsistent. `issues` lists every
 * problem found; the message lists them one per line.
 *
 * @example
 * try { parsePresetDocument(json) } catch (e) {
 *   if (e instanceof PresetError) for (const i of e.issues) console.log(`${i.path}: ${i.message}`);
 * }
 */
export class PresetError extends Error {
  override name = 'PresetError';

  constructor(
    message: string,
    /** Every problem found, each with its path; empty when the message says it all. */
    readonly issues: readonly PresetIssue[] = [],
  ) {
    super(message);
  }

  /** An error whose message is `title` followed by one `path: message` line per issue. */
  static of(title: string, issues: readonly PresetIssue[]): PresetError {
    const lines = issues.map((i) => `  ${i.path || '(document)'}: ${i.message}`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    return new PresetError(`${title} (${count}):\n${lines.join('\n')}`, issues);
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A path as the document's author reads it: `roles.editor.permissions[3]`; keys that are not
 * identifiers are quoted (`catalog["flow-s"]`).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
