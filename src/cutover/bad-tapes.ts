/**
 * The built-in bad tapes of the error-handling check of `stress validate`: each a small file with one known
 * defect of SPEC §2 and the error the strict reader must answer with, or (lenient) the row it must drop.
 */
import { DateDay, Float64, makeData, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { MONEY_COLUMNS } from '../engine/schema.js';

export type BadTapeExpectation =
  /** strict read: rejected with a message that names the file and matches `message` after "<file>: " */
  | { readonly kind: 'reject'; readonly message: RegExp }
  /** lenient read: accepted, with exactly `dropped` invalid rows, all counted under `reason` */
  | { readonly kind: 'drop'; readonly reason: string; readonly dropped: number };

export interface BadTape {
  readonly name: string;
  readonly file: string;
  readonly content: string | Uint8Array;
  readonly lenient: boolean;
  readonly expect: BadTapeExpectation;
}

const HEADER = ['loan_id', 'measurement_date', ...MONEY_COLUMNS].join(',');
const GOOD = 'L1,2025-01-31,1000.00,900.00,950.00,10.00,900.00,100.00,0,0,0';

function csv(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function reject(name: string, content: string | Uint8Array, message: RegExp, file = 'tape.csv'): BadTape {
  return { name, file, content, lenient: false, expect: { kind: 'reject', message } };
}

/** Three Arrow rows whose second receivable is negative. */
function arrowWithNegativeReceivable(): Uint8Array {
  const n = 3;
  const dollars = (values: number[]) => vectorFromArray(values, new Float64());
  const table = new Table({
    loan_id: vectorFromArray(['L1', 'L2', 'L3'], new Utf8()),
    // 2025-01-31 as days since 1970-01-01
    measurement_date: makeVector(makeData({ type: new DateDay(), length: n, nullCount: 0, data: new Int32Array(n).fill(20119) })),
    total_receivable_usd: dollars([1000, -5, 1000]),
    total_eligible_usd: dollars([900, 900, 900]),
    discounted_balance_usd: dollars([950, 950, 950]),
  });
  return tableToIPC(table, 'file');
}

export function builtInBadTapes(): BadTape[] {
  return [
    reject('not a number', csv(HEADER, GOOD, 'L2,2025-01-31,1000.00,"1,000",950.00,0,0,0,0,0,0'), /^line 3, column total_eligible_usd, value "1,000": not a number$/),
    reject('negative amount', csv(HEADER, GOOD, 'L2,2025-01-31,-5.00,1,1,0,0,0,0,0,0'), /^line 3, column total_receivable_usd, value "-5\.00": negative amount$/),
    reject(
      'missing required column',
      csv('loan_id,measurement_date,total_receivable_usd,total_eligible_usd', 'L1,2025-01-31,1,1'),
      /missing required column\(s\): discounted_balance_usd/,
    ),
    reject('bad date', csv(HEADER, 'L1,2025-02-30,1,1,1,0,0,0,0,0,0'), /^line 2, column measurement_date, value "2025-02-30": bad date$/),
    reject('empty file', '', /^empty file$/),
    reject('header only', csv(HEADER), /no data rows/),
    reject('three decimals', csv(HEADER, 'L1,2025-01-31,1000.005,1,1,0,0,0,0,0,0'), /^line 2, column total_receivable_usd, value "1000\.005": more than 2 decimal places$/),
    reject('NaN', csv(HEADER, 'L1,2025-01-31,NaN,1,1,0,0,0,0,0,0'), /^line 2, column total_receivable_usd, value "NaN": not a number$/),
    reject('Infinity', csv(HEADER, 'L1,2025-01-31,1,1,1,Infinity,0,0,0,0,0'), /^line 2, column cash_available_usd, value "Infinity": not a number$/),
    reject('unterminated quote', csv(HEADER, GOOD, 'L2,2025-01-31,"12,1,1,0,0,0,0,0,0'), /^line 3.*unterminated quoted field$/),
    reject('short row', csv(HEADER, GOOD, 'L2,2025-01-31,1,1'), /^line 3: expected 11 fields, found 4$/),
    reject('duplicate column', csv(`${HEADER},total_receivable_usd`, `${GOOD},5`), /column total_receivable_usd.*duplicate column/),
    reject('unknown file type', 'whatever', /^unknown file type "\.xlsx"/, 'tape.xlsx'),
    reject('negative amount in Arrow', arrowWithNegativeReceivable(), /^row 2, column total_receivable_usd, value "-5": negative amount$/, 'tape.arrow'),
    {
      name: 'lenient mode drops the bad row',
      file: 'tape.csv',
      content: csv(HEADER, GOOD, 'L2,2025-01-31,-5.00,1,1,0,0,0,0,0,0', 'L3,2025-01-31,1,1,1,0,0,0,0,0,0'),
      lenient: true,
      expect: { kind: 'drop', reason: 'negative amount', dropped: 1 },
    },
  ];
}
