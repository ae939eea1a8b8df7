/**
 * Tables as Arrow IPC files (the Feather v2 format: pandas.read_feather, polars.read_ipc,
 * arrow::read_feather in R), written with the `apache-arrow` package. That package is an optional
 * peer dependency: it is loaded only when Arrow output is asked for.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { Cell, Table } from './tables.js';

type ArrowModule = typeof import('apache-arrow');

async function loadArrow(): Promise<ArrowModule> {
  try {
    return (await import('apache-arrow')) as ArrowModule;
  } catch (err) {
    const e = new InvalidArgumentError(
      "--format arrow needs the optional package 'apache-arrow' (npm install apache-arrow); CSV output needs nothing",
      'format',
    );
    e.cause = err;
    throw e;
  }
}

/** Column type: Int32 when every value is an integer in range, Float64 for other numbers, Bool, else Utf8. */
function columnType(arrow: ArrowModule, values: Cell[]): InstanceType<ArrowModule['DataType']> {
  let kind: 'int' | 'float' | 'bool' | 'string' | null = null;
  for (const v of values) {
    if (v === null) continue;
    const k = typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? (Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'int' : 'float') : 'string';
    if (kind === null) kind = k;
    else if (kind !== k) {
      if ((kind === 'int' && k === 'float') || (kind === 'float' && k === 'int')) kind = 'float';
      else kind = 'string';
    }
  }
  switch (kind) {
    case 'int':
      return new arrow.Int32();
    case 'float':
      return new arrow.Float64();
    case 'bool':
      return new arrow.Bool();
    default:
      return new arrow.Utf8();
  }
}

/** An Arrow IPC file (Feather v2) of `t`; null cells are Arrow nulls. */
export async function tableToArrow(t: Table): Promise<Uint8Array> {
  const arrow = await loadArrow();
  const vectors: Record<string, unknown> = {};
  t.columns.forEach((name, j) => {
    const values = t.rows.map((r) => r[j] ?? null);
    const type = columnType(arrow, values);
    const cast = type instanceof arrow.Utf8 ? values.map((v) => (v === null ? null : String(v))) : values;
    vectors[name] = arrow.vectorFromArray(cast as never, type as never);
  });
  const table = new arrow.Table(vectors as never);
  return arrow.tableToIPC(table, 'file');
}
