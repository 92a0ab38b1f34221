import { isDeepStrictEqual } from 'node:util';
import yaml from 'js-yaml';
import type { Document } from 'yaml';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The new text of a YAML file whose content goes from `before` (as js-yaml
 * read `text`) to `after`, touching only the nodes that changed, so the
 * user's comments, key order and layout survive an edit by ccs. js-yaml
 * drops comments, so the edit goes through the `yaml` package's document
 * model. Where the two parsers do not read `text` alike (merge keys), or
 * the edit would not read back as `after` (a change through an anchor), it
 * falls back to a fresh js-yaml dump: right in content if not in comments.
 */
export async function editYaml(text: string, before: unknown, after: unknown): Promise<string> {
  // Loaded on a write only: reading config.yaml (every command) needs js-yaml alone.
  // `default`: Node (and the bundle) give a CommonJS package's exports there.
  const { isMap, parseDocument } = (await import('yaml')).default;
  // Typed as an editable document: its root may be replaced (an empty file).
  const document: Document = parseDocument(text);
  const agrees =
    document.errors.length === 0 && isDeepStrictEqual(document.toJS() ?? {}, before ?? {});
  if (!agrees) return yaml.dump(after, { lineWidth: 100 });

  /** Sets, replaces or deletes only what differs between `was` and `now` at `path`. */
  const apply = (path: string[], was: unknown, now: unknown): void => {
    if (isDeepStrictEqual(was, now)) return;
    if (now === undefined) {
      document.deleteIn(path);
      return;
    }
    const node = path.length === 0 ? document.contents : document.getIn(path, true);
    if (isRecord(was) && isRecord(now) && isMap(node)) {
      for (const key of Object.keys(was)) if (!(key in now)) document.deleteIn([...path, key]);
      for (const [key, value] of Object.entries(now)) apply([...path, key], was[key], value);
      return;
    }
    if (path.length === 0) document.contents = document.createNode(now);
    else document.setIn(path, now);
  };
  apply([], before ?? {}, after);
  const edited = document.toString({ lineWidth: 100, flowCollectionPadding: false });
  // An edit through an anchor changes its aliases too: what is written must
  // read back as exactly `after`, or the plain dump is written instead.
  return isDeepStrictEqual(yaml.load(edited), after)
    ? edited
    : yaml.dump(after, { lineWidth: 100 });
}
