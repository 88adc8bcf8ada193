// `COPY … FROM STDIN (FORMAT binary)` over a node-postgres client, which has no COPY API of its own: the
// caller builds rows in binary COPY format (`BinaryRows`) and they are streamed with backpressure. Used to
// write generated catalog rows at disk speed instead of through INSERT statements.
import { once } from 'node:events';
import pg from 'pg';

/** What pg's Connection offers a query in COPY IN state. */
interface CopyConnection {
  stream: NodeJS.WritableStream & { writableNeedDrain: boolean };
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

const CHUNK = 1 << 20;

class CopyIn extends pg.Query {
  constructor(
    text: string,
    private readonly data: Buffer[],
    callback: (err: Error | undefined) => void,
  ) {
    super({ text, callback } as pg.QueryConfig);
  }

  // Called by pg's Client when the server answers CopyInResponse.
  handleCopyInResponse(connection: CopyConnection): void {
    void (async () => {
      try {
        for (const buf of this.data) {
          for (let at = 0; at < buf.length; at += CHUNK) {
            connection.sendCopyFromChunk(buf.subarray(at, at + CHUNK));
            if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
          }
        }
        connection.endCopyFrom();
      } catch (err) {
        connection.sendCopyFail(String(err));
      }
    })();
  }
}

/** Streams `data` (binary COPY format, header to trailer) into `table (columns)`. */
export function copyBinary(client: pg.ClientBase, table: string, data: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(
      new CopyIn(`COPY ${table} FROM STDIN (FORMAT binary)`, data, (err) => (err ? reject(err) : resolve())),
    );
  });
}

/** Rows in PostgreSQL's binary COPY format, written into one growing buffer. */
export class BinaryRows {
  private buf: Buffer;
  private view: DataView;
  private at = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.bytes(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  row(fields: number): this {
    this.reserve(2);
    this.view.setInt16(this.at, fields);
    this.at += 2;
    return this;
  }

  smallint(v: number): this {
    this.int32(2);
    this.reserve(2);
    this.view.setInt16(this.at, v);
    this.at += 2;
    return this;
  }

  int(v: number): this {
    this.int32(4);
    return this.int32(v);
  }

  /** A bytea of `pairs` big-endian int4 pairs (a[i], b[i]) for i in [from, to). */
  pairs(a: Int32Array, b: Int32Array, from: number, to: number): this {
    this.int32((to - from) * 8);
    this.reserve((to - from) * 8);
    const view = this.view;
    let at = this.at;
    for (let i = from; i < to; i++, at += 8) {
      view.setInt32(at, a[i]);
      view.setInt32(at + 4, b[i]);
    }
    this.at = at;
    return this;
  }

  /** The finished stream (trailer added); the object is spent. */
  end(): Buffer {
    this.reserve(2);
    this.view.setInt16(this.at, -1);
    this.at += 2;
    return this.buf.subarray(0, this.at);
  }

  private int32(v: number): this {
    this.reserve(4);
    this.view.setInt32(this.at, v);
    this.at += 4;
    return this;
  }

  private bytes(b: Buffer): void {
    this.reserve(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  private reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }
}
