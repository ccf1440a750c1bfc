/**
 * Parsing a request's JSON text within the edge's limits: depth is checked on the text before
 * `JSON.parse`, and parse failures become a 400 whose message quotes nothing of the input.
 */
import { EdgeError } from './edge-error.js';
import { DEFAULT_MAX_JSON_DEPTH, jsonNestingExceeds } from './json-depth.js';

/** Parses JSON text nested at most `maxDepth` deep; throws EdgeError 400 otherwise. */
export function parseJsonText(text: string, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (jsonNestingExceeds(text, maxDepth)) {
    throw new EdgeError(
      400,
      'too_deep',
      `the JSON nests arrays and objects more than ${maxDepth} levels deep`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new EdgeError(400, 'malformed', 'the JSON is malformed');
  }
}
