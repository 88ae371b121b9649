// JSON.parse keeps the last of two equal keys in one object without a word ({"code": "104", "code": "EPERM"} is
// EPERM); a task file with one is more likely a mistake than a wish. This walks the text's tokens (no recursion: a
// 10,000-deep array is fine) and says where the first repeated key is. Pure; the text must be JSON that parsed.

/** One open object (its keys so far, the current one) or array (the current index). */
type Frame = { keys: Set<string>; key?: string } | { index: number };

/** The first key repeated in one object of a JSON text, with its path (keys and array indexes); undefined if none. */
export function firstDuplicateKey(text: string): { key: string; path: (string | number)[] } | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      stack.push({ keys: new Set() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top && 'index' in top) top.index++;
      else expectKey = true;
    } else if (c === ':') {
      expectKey = false;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top && 'keys' in top) {
        // Decoded: "a" and "\u0061" are one key to JSON.parse too.
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          const path = stack.slice(0, -1).map((f) => ('index' in f ? f.index : (f.key as string)));
          return { key, path: [...path, key] };
        }
        top.keys.add(key);
        top.key = key;
      }
      i = j;
    }
  }
  return undefined;
}
