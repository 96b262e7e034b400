import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { DataTable } from './table.ts';

/** RFC 4180 quoting: only fields with a delimiter, quote or line break are quoted. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * Writes a table or a stream of chunks as CSV with a header. Missing values are empty cells, which
 * `readCsvChunks` (and pandas) read back as missing; numbers use JavaScript's shortest round-trip form.
 */
export async function writeCsv(path: string, data: DataTable | AsyncIterable<DataTable> | Iterable<DataTable>): Promise<void> {
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  const chunks = 'columns' in data && 'rowCount' in data ? [data as DataTable] : data;
  let wroteHeader = false;
  for await (const chunk of chunks as AsyncIterable<DataTable>) {
    const columns = [...chunk.columns];
    let text = wroteHeader ? '' : columns.map(([name]) => quote(name)).join(',') + '\n';
    wroteHeader = true;
    for (let r = 0; r < chunk.rowCount; r++) {
      const cells = columns.map(([, c]) => {
        const v = c.values[r];
        if (v === null || (typeof v === 'number' && Number.isNaN(v))) return '';
        return typeof v === 'number' ? String(v) : quote(v);
      });
      text += cells.join(',') + '\n';
      if (text.length > 1 << 20) {
        if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
        text = '';
      }
    }
    if (text && !out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}
