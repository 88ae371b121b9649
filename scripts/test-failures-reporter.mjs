// A second test reporter: after the whole run, lists every test that failed or was cancelled (a test
// past its own timeout counts as cancelled in Node 20) with its file, so the end of a long CI log
// says which ones without scrolling back through 2,000 results.
import { relative } from 'node:path';

function firstLine(error) {
  const cause = error?.cause ?? error;
  const text = String(cause?.message ?? cause ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export default async function* failuresReporter(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    const error = details?.error;
    // A suite or parent test fails because a subtest did; the subtest is listed itself.
    if (error?.failureType === 'subtestsFailed') continue;
    failed.push({ file: file ? relative(process.cwd(), file) : '?', name, kind: error?.failureType ?? 'failed', ms: details?.duration_ms, message: firstLine(error) });
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} test(s) failed or were cancelled:\n`;
  for (const f of failed) {
    const ms = typeof f.ms === 'number' ? ` after ${Math.round(f.ms)} ms` : '';
    yield `#   ${f.file} › ${f.name} [${f.kind}${ms}] ${f.message}\n`;
  }
}
