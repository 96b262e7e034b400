/**
 * Snappy block decompression (the raw format Parquet pages use: a varint length preamble, then
 * literal and back-reference elements), written from the format description
 * (https://github.com/google/snappy/blob/main/format_description.txt).
 *
 * Handed to hyparquet in place of its SNAPPY decompressor, which copies every byte in a JS loop. Float
 * pages (measured on the bench/drift files hyparquet-writer wrote) are mostly ~28-byte literals between 4-byte
 * copies (repeated exponent bytes); those move 4 bytes at a time here (about 30% faster on the
 * bench/drift pages), and long literals or non-overlapping copies are one memcpy each (several
 * times faster on incompressible data).
 */
export function snappyDecompress(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  const n = input.length;
  // 4-byte moves for the short elements that dominate real pages (floats: ~28-byte literals
  // between 4-byte copies of repeated exponent bytes)
  const src = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const dst = new DataView(output.buffer, output.byteOffset, output.byteLength);
  let pos = 0;
  // preamble: the uncompressed length as a little-endian base-128 varint
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= n || shift > 28) throw new Error('snappy: bad length preamble');
    const b = input[pos++];
    declared += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (declared !== outputLength) throw new Error(`snappy: block holds ${declared} bytes, page header says ${outputLength}`);
  let out = 0;
  while (pos < n) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (pos + bytes > n) throw new Error('snappy: truncated literal length');
        len = 0;
        for (let k = 0; k < bytes; k++) len += input[pos + k] * 2 ** (8 * k);
        pos += bytes;
      }
      len += 1;
      if (pos + len > n || out + len > outputLength) throw new Error('snappy: literal runs past the end');
      if (len < 64) {
        let k = 0;
        for (; k + 4 <= len; k += 4) dst.setUint32(out + k, src.getUint32(pos + k));
        for (; k < len; k++) output[out + k] = input[pos + k];
      } else output.set(input.subarray(pos, pos + len), out);
      pos += len;
      out += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= n) throw new Error('snappy: truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++];
    } else if (kind === 2) {
      if (pos + 2 > n) throw new Error('snappy: truncated copy');
      len = (tag >>> 2) + 1;
      offset = input[pos] | (input[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw new Error('snappy: truncated copy');
      len = (tag >>> 2) + 1;
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > out) throw new Error(`snappy: copy offset ${offset} at output byte ${out}`);
    if (out + len > outputLength) throw new Error('snappy: copy runs past the end');
    const from = out - offset;
    if (offset >= len && len >= 64) output.copyWithin(out, from, from + len);
    else if (offset >= 4) {
      // 4-byte steps stay correct when the copy overlaps by at least 4 (each step reads written bytes)
      let k = 0;
      for (; k + 4 <= len; k += 4) dst.setUint32(out + k, dst.getUint32(from + k));
      for (; k < len; k++) output[out + k] = output[from + k];
    } else for (let k = 0; k < len; k++) output[out + k] = output[from + k]; // overlapping copies repeat a pattern
    out += len;
  }
  if (out !== outputLength) throw new Error(`snappy: block ended after ${out} of ${outputLength} bytes`);
  return output;
}
