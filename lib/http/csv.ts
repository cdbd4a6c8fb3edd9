import "server-only";

/**
 * One CSV cell, quoted. A cell a spreadsheet would read as a formula (it starts
 * with = + - @, or a tab or carriage return that some apps skip before one)
 * gets a leading apostrophe, so a stored value such as a user's name or a
 * typed username can never run as a formula in the admin's spreadsheet (CSV injection).
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(cells: (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export const NO_STORE = { "Cache-Control": "no-store" } as const;

/**
 * A streamed CSV download: the header row, then each chunk as it is read, so a
 * large export never sits in memory. Closing the download stops the reads.
 */
export function csvDownload<T>(options: { filename: string; header: string[]; chunks: AsyncGenerator<T[]>; line: (row: T) => string }): Response {
  const { chunks, line } = options;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine(options.header)));
    },
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(next.value.map(line).join("")));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      ...NO_STORE,
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${options.filename}"`,
    },
  });
}

/** "2026-11-23", the day stamp in export file names. */
export function todayStamp(): string {
  return new Date().toISOString().slice(0, 10);
}
