// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends, a UTF-8 BOM tolerated.
// Export cells are always quoted, and a cell that a spreadsheet would run as a formula (starting
// with = + - @, tab or carriage return) gets a leading apostrophe (OWASP CSV injection advice).

export class CsvError extends Error {
  override readonly name = 'CsvError';
}

export function parseCsv(
  text: string,
  limits: { maxRows: number; maxColumns: number },
): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    row.push(field);
    field = '';
    if (row.length > limits.maxColumns) throw new CsvError(`At most ${limits.maxColumns} columns.`);
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    if (rows.length > limits.maxRows)
      throw new CsvError(`At most ${limits.maxRows - 1} rows per import.`);
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"') {
      if (field !== '')
        throw new CsvError(`Line ${rows.length + 1}: a quote inside an unquoted field.`);
      quoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n') endRow();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (quoted) throw new CsvError('A quoted field is not closed.');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text =
    value === undefined || value === null
      ? ''
      : Array.isArray(value)
        ? value.join('; ')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  if (formulaStart.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
