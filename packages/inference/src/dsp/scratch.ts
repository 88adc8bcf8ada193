// Named buffers reused from one block (or chunk) of a long signal to the next. Large fresh
// allocations are paid for in page faults the first time they are written (about as long as an FFT
// over them), so per-block spectrograms and statistics are allocated once per signal, not per block.
export class Scratch {
  private readonly buffers = new Map<string, Float32Array>();

  /** `size` floats under `name`, holding whatever its last user left there: write before reading. */
  take(name: string, size: number): Float32Array {
    let buffer = this.buffers.get(name);
    if (!buffer || buffer.length < size) {
      buffer = new Float32Array(size);
      this.buffers.set(name, buffer);
    }
    return buffer.subarray(0, size);
  }
}
