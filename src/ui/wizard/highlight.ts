// A small syntax highlighter for the wizard preview: splits one line of C, Python or JavaScript into
// tokens (comment, string, keyword, number, plain). Line-based, good enough for generated code.
export type TokenKind = 'comment' | 'string' | 'keyword' | 'number' | 'plain' | 'preproc';
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS: Record<'c' | 'python' | 'node', Set<string>> = {
  c: new Set(
    'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false NULL size_t ssize_t'.split(' '),
  ),
  python: new Set(
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self'.split(' '),
  ),
  node: new Set(
    'async await break case catch class const continue default delete do else export extends false finally for function if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while yield'.split(' '),
  ),
};

/** Tokenizes one line; `state.inBlock` carries an open C/JS block comment to the next line. */
export function highlightLine(line: string, language: 'c' | 'python' | 'node', state: { inBlock: boolean } = { inBlock: false }): Token[] {
  const out: Token[] = [];
  const push = (kind: TokenKind, text: string) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  let i = 0;
  if (state.inBlock) {
    const end = line.indexOf('*/');
    if (end < 0) return [{ kind: 'comment', text: line }];
    push('comment', line.slice(0, end + 2));
    i = end + 2;
    state.inBlock = false;
  }
  if (language === 'c' && /^\s*#/.test(line) && i === 0) return [{ kind: 'preproc', text: line }];
  const lineComment = language === 'python' ? '#' : '//';
  while (i < line.length) {
    const rest = line.slice(i);
    if (rest.startsWith(lineComment)) {
      push('comment', rest);
      break;
    }
    if (language !== 'python' && rest.startsWith('/*')) {
      const end = rest.indexOf('*/', 2);
      if (end < 0) {
        push('comment', rest);
        state.inBlock = true;
        break;
      }
      push('comment', rest.slice(0, end + 2));
      i += end + 2;
      continue;
    }
    const q = rest[0];
    if (q === '"' || q === "'" || (q === '`' && language === 'node')) {
      let j = 1;
      while (j < rest.length && rest[j] !== q) j += rest[j] === '\\' ? 2 : 1;
      push('string', rest.slice(0, j + 1));
      i += j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      push(KEYWORDS[language].has(word[0]) ? 'keyword' : 'plain', word[0]);
      i += word[0].length;
      continue;
    }
    const num = /^(0x[0-9a-fA-F]+|\d+(\.\d+)?)/.exec(rest);
    if (num) {
      push('number', num[0]);
      i += num[0].length;
      continue;
    }
    push('plain', rest[0]);
    i += 1;
  }
  return out;
}
