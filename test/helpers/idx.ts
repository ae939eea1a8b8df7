/** A small IDX file: type 0x08 (unsigned byte), the given dims, the given bytes. */
export function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const dv = new DataView(out.buffer);
  dims.forEach((v, i) => dv.setUint32(4 + 4 * i, v, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
