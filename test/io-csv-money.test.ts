import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CENTS_MISSING, CENTS_NEGATIVE, CENTS_NOT_A_NUMBER, CENTS_TOO_LARGE, CENTS_TOO_MANY_DECIMALS, moneyReason, parseCents } from '../src/io/csv.js';
import { FULL_HEADER, REQUIRED_HEADER, fullLine, readCsv, readCsvError, rowsOf } from './support/csv-files.js';

function cents(text: string): number {
  const bytes = new TextEncoder().encode(`#${text}#`);
  // parse from the middle of a larger buffer, as the reader does
  return parseCents(bytes, 1, bytes.length - 1);
}

describe('money cells to exact cents', () => {
  it('parses plain amounts exactly', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['12', 1200],
      ['12.5', 1250],
      ['12.50', 1250],
      ['.5', 50],
      ['0.05', 5],
      ['0.1', 10],
      ['0.2', 20],
      ['12.', 1200],
      ['12.500', 1250],
      ['1.10000', 110],
      ['007.07', 707],
      ['  3.14 ', 314],
      ['\t99.99', 9999],
      ['1234567.89', 123456789],
      ['90071992547409.91', Number.MAX_SAFE_INTEGER],
    ];
    for (const [text, expected] of cases) expect(cents(text), text).toBe(expected);
  });

  it('gives back exactly the integer of cents that was formatted as d.dd', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const text = `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
        expect(cents(text)).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives back exactly any amount of whole dollars and of one decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 100) }), fc.integer({ min: 0, max: 9 }), (dollars, tenth) => {
        expect(cents(String(dollars))).toBe(dollars * 100);
        expect(cents(`${dollars}.${tenth}`)).toBe(dollars * 100 + tenth * 10);
      }),
    );
  });

  it('sums like integers, so 0.1 + 0.2 is exactly 0.3', () => {
    expect(cents('0.1') + cents('0.2')).toBe(cents('0.3'));
  });

  it('says why a cell is not an amount', () => {
    const cases: [string, number][] = [
      ['', CENTS_MISSING],
      ['   ', CENTS_MISSING],
      ['-5', CENTS_NEGATIVE],
      ['-0.01', CENTS_NEGATIVE],
      ['-1.234', CENTS_NEGATIVE],
      ['1.234', CENTS_TOO_MANY_DECIMALS],
      ['0.001', CENTS_TOO_MANY_DECIMALS],
      ['1.2301', CENTS_TOO_MANY_DECIMALS],
      ['90071992547409.92', CENTS_TOO_LARGE],
      ['100000000000000', CENTS_TOO_LARGE],
      ['9'.repeat(400), CENTS_TOO_LARGE],
    ];
    for (const [text, expected] of cases) expect(cents(text), JSON.stringify(text)).toBe(expected);
    for (const text of ['1,000', '$5', '1e5', 'NaN', 'Infinity', '+5', 'abc', '1.2.3', '.', '-', '--5', '-abc', '1 000', '5-', '0x10', '1.2e3', '١٢']) {
      expect(cents(text), text).toBe(CENTS_NOT_A_NUMBER);
    }
  });

  it('names each reason in lower case', () => {
    expect([CENTS_MISSING, CENTS_NEGATIVE, CENTS_TOO_MANY_DECIMALS, CENTS_NOT_A_NUMBER, CENTS_TOO_LARGE].map(moneyReason)).toEqual([
      'missing value',
      'negative amount',
      'more than 2 decimal places',
      'not a number',
      'amount too large',
    ]);
  });
});

describe('money columns of a CSV file', () => {
  it('stores exact cents for every column of every row', async () => {
    const lines = [FULL_HEADER, fullLine('L1', '2025-01-31', ['1000.01', '900.1', '800', '0.07', '.5', '1.10', '2', '3.000', '4.99'])];
    const { tape, ...result } = await readCsv(`${lines.join('\n')}\n`);
    expect(rowsOf({ tape, ...result })[0]!.cents).toEqual([100001, 90010, 80000, 7, 50, 110, 200, 300, 499]);
  });

  it('reads empty optional cells as 0 and rejects empty required cells', async () => {
    const ok = await readCsv(`${FULL_HEADER}\nL1,2025-01-31,1,2,3,,,,,,\n`);
    expect(rowsOf(ok)[0]!.cents).toEqual([100, 200, 300, 0, 0, 0, 0, 0, 0]);
    const error = await readCsvError(`${FULL_HEADER}\nL1,2025-01-31,1,,3,,,,,,\n`);
    expect(error.problems[0]).toMatchObject({ line: 2, column: 'total_eligible_usd', value: '', reason: 'missing value' });
  });

  it('reports every reason with its cell, in strict mode, optional columns included', async () => {
    const csv = [
      REQUIRED_HEADER + ',cash_available_usd',
      '2025-01-31,-5,2,3,',
      '2025-01-31,1,1.234,3,',
      '2025-01-31,1,2,1e5,',
      '2025-01-31,1,2,3,$5',
      '2025-01-31,1,2,3,100000000000000',
      '2025-01-31, 1 ,2,3,',
    ].join('\n');
    const error = await readCsvError(csv);
    expect(error.total).toBe(5);
    expect(error.problems.map((p) => [p.line, p.column, p.value, p.reason])).toEqual([
      [2, 'total_receivable_usd', '-5', 'negative amount'],
      [3, 'total_eligible_usd', '1.234', 'more than 2 decimal places'],
      [4, 'discounted_balance_usd', '1e5', 'not a number'],
      [5, 'cash_available_usd', '$5', 'not a number'],
      [6, 'cash_available_usd', '100000000000000', 'amount too large'],
    ]);
  });

  it('parses quoted amounts like unquoted ones', async () => {
    const result = await readCsv(`${REQUIRED_HEADER}\n"2025-01-31","1.5"," 2 ","3.00"\n`);
    expect(rowsOf(result)[0]!.cents.slice(0, 3)).toEqual([150, 200, 300]);
  });
});
