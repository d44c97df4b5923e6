/**
 * The host's end of a run's event streams: the main stream's file, plus one file per other traced
 * thread (worker threads, a command's other processes) that appears in the run's streams folder while
 * the program runs. Each file is read as it grows and decoded on its own (frames never span files);
 * what it holds is handed on with the stream's key, its file name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_STREAM, type RuntimeMessage } from '../protocol/events';
import { EventFileReader } from './eventFile';
import { FrameDecoder } from './frameDecoder';

export interface StreamSink {
  events(bytes: Uint8Array, stream: string): void;
  message(msg: RuntimeMessage, stream: string): void;
}

interface Open {
  key: string;
  reader: EventFileReader;
  decoder: FrameDecoder;
}

/** `<pid>-<threadId>`, as numbers, so a process's main thread is read before its workers. */
function order(a: string, b: string): number {
  const [pa, ta] = a.split('-').map(Number);
  const [pb, tb] = b.split('-').map(Number);
  return pa - pb || ta - tb || a.localeCompare(b);
}

export class StreamSetReader {
  private readonly open: Open[] = [];
  private readonly known = new Set<string>();

  constructor(
    mainFile: string,
    private readonly dir: string | null,
    private readonly sink: StreamSink,
  ) {
    this.add(ROOT_STREAM, mainFile);
  }

  private add(key: string, file: string): void {
    this.known.add(key);
    const decoder = new FrameDecoder({
      events: (bytes) => this.sink.events(bytes, key),
      message: (msg) => this.sink.message(msg, key),
    });
    this.open.push({ key, decoder, reader: new EventFileReader(file, (chunk) => decoder.push(chunk)) });
  }

  /** Bytes of frames read so far, all streams together. */
  get bytes(): number {
    return this.open.reduce((sum, o) => sum + o.decoder.bytes, 0);
  }

  /** Picks up new streams, then reads what every stream appended since the last call. */
  poll(): void {
    if (this.dir) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(this.dir);
      } catch {
        // the folder is gone (the run is over)
      }
      for (const name of names.filter((n) => !this.known.has(n)).sort(order)) this.add(name, path.join(this.dir, name));
    }
    for (const o of this.open) o.reader.poll();
  }

  /** Reads what is left everywhere and closes every file. */
  close(): void {
    this.poll();
    let failure: unknown = null;
    for (const o of this.open) {
      try {
        o.reader.close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }
}
