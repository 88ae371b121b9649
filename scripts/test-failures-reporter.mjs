// A second test reporter: after the whole run, lists every test that failed or was cancelled (a test
// past its own timeout counts as cancelled in Node 20) with its file, so the end of a long CI log
// says which ones without scrolling back through 2,000 results; and every test file that stayed alive
// after its tests (test-exit-watch.mjs's line).
import { relative } from 'node:path';

function firstLine(error) {
  const cause = error?.cause ?? error;
  const text = String(cause?.message ?? cause ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export default async function* failuresReporter(source) {
  const failed = [];
  const lingered = [];
  for await (const event of source) {
    if (event.type === 'test:stderr' && /^test-exit-watch: /.test(event.data.message ?? '')) lingered.push(event.data.message.trim());
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    const error = details?.error;
    // A suite or parent test fails because a subtest did; the subtest is listed itself.
    if (error?.failureType === 'subtestsFailed') continue;
    failed.push({ file: file ? relative(process.cwd(), file) : '?', name, kind: error?.failureType ?? 'failed', ms: details?.duration_ms, message: firstLine(error) });
  }
  if (lingered.length) {
    yield `\n# ${lingered.length} test file(s) stayed alive after their tests:\n`;
    for (const l of lingered) yield `#   ${l}\n`;
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} test(s) failed or were cancelled:\n`;
  for (const f of failed) {
    const ms = typeof f.ms === 'number' ? ` after ${Math.round(f.ms)} ms` : '';
    yield `#   ${f.file} › ${f.name} [${f.kind}${ms}] ${f.message}\n`;
  }
}
