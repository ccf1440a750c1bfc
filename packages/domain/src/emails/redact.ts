/** Link tokens in a text blanked (`?token=[redacted]`). */
export function redactLinks(body: string): string {
  return body.replace(/([?&]token=)[A-Za-z0-9_-]+/g, '$1[redacted]');
}
