/**
 * Answers already computed, by Pod and spec. The pods of one ReplicaSet, Job or StatefulSet come to
 * the webhook identical but for one name: the ServiceAccount admission plugin's projected token
 * volume, `kube-api-access-` and five random characters. That name is swapped for a placeholder
 * before the key is taken and swapped back in the cached answer, so a burst of pods from one
 * template runs the pipeline once. The pipeline treats volume names as opaque (it copies them and
 * compares them for equality), so the answer for the placeholder, renamed, is the answer for the
 * name; test/webhook.test.ts checks it against uncached answers.
 */
const TOKEN_VOLUME = /"name":"(kube-api-access-[a-z0-9]{5})"/;
const PLACEHOLDER = 'kube-api-access-0pl4c';

export interface Keyed {
  key: string;
  /** The text with the placeholder, to give the pipeline. */
  text: string;
  /** Puts the real name back into a text computed from `text`. */
  restore(s: string): string;
}

/** The key of a Pod's JSON text and everything else the answer depends on. */
export function keyOf(podText: string, context: string): Keyed {
  const m = TOKEN_VOLUME.exec(podText);
  const name = m?.[1];
  if (!name || podText.includes(PLACEHOLDER)) return { key: `${context}\u0000${podText}`, text: podText, restore: (s) => s };
  const text = podText.split(name).join(PLACEHOLDER);
  return { key: `${context}\u0000${text}`, text, restore: (s) => s.split(PLACEHOLDER).join(name) };
}

/** A bounded map, least recently used out first. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    if (this.size <= 0) return;
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}
