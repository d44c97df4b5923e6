/**
 * The host's end of the event stream: the runtime appends frames to a file in the run's work
 * folder, and the host reads whatever is new, on a short timer and once more at the end.
 *
 * Why a file and not a pipe: a pipe (a socket pair, as Node spawns it) holds ~200 KiB, so a
 * program producing millions of events made the writer thread wait for the host to read, the
 * shared ring filled, and the program itself stalled. Appending to a file never waits for the
 * host (the page cache takes it), and reading it back costs one read per poll.
 */
import fs from 'node:fs';

/** At most this much is read in one go (the rest on the next loop round, in the same poll). */
const MAX_READ = 16 * 1024 * 1024;

export class EventFileReader {
  private fd: number | null;
  private offset = 0;

  /** Opens `file` (which must exist) for reading; `onChunk` gets every new byte exactly once, in order. */
  constructor(
    file: string,
    private readonly onChunk: (chunk: Buffer) => void,
  ) {
    this.fd = fs.openSync(file, 'r');
  }

  /** Reads everything appended since the last call. Returns the number of bytes read. */
  poll(): number {
    if (this.fd === null) return 0;
    let total = 0;
    for (;;) {
      const size = fs.fstatSync(this.fd).size;
      if (size <= this.offset) return total;
      const want = Math.min(size - this.offset, MAX_READ);
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = fs.readSync(this.fd, buf, got, want - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got === 0) return total;
      this.offset += got;
      total += got;
      this.onChunk(got === want ? buf : buf.subarray(0, got));
    }
  }

  /** Reads what is left and closes the file. */
  close(): void {
    if (this.fd === null) return;
    try {
      this.poll();
    } finally {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}
