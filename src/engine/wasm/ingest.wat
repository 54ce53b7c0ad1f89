;; The Arrow reader's key loops over a record batch (src/io/arrow.ts, ArrowRows.fastKeys; loaded by
;; src/io/ingest-wasm.ts). The batch's day, id offset and id byte columns are read from the file straight into
;; this memory, which is the reader's own (the tape's memory is another one, and Node 20's V8 has no
;; multi-memory): shared, so that growing it never detaches a buffer that a read is still filling.
;;
;; Each function has a JavaScript twin in src/io/ingest-wasm.ts (dateKeysJs, runStartsJs, cleanRunsJs) that
;; gives the same answer for every input; the tests compare them.
(module
  (import "env" "memory" (memory 1 16384 shared))

  ;; Date keys of the days of rows [$from, $n) of the Int32 column at $days, into the Uint16 column at $keys,
  ;; through a direct-mapped cache: slot s (the day's low ten bits) holds a day at $cacheDays + 4s and its key
  ;; at $cacheKeys + 2s. Stops at the first day that is not in its slot and returns its row, for the caller to
  ;; look up (and to check: only valid days are ever put in the cache); returns $n when every day was there.
  (func (export "dateKeys") (param $days i32) (param $from i32) (param $n i32) (param $keys i32) (param $cacheDays i32) (param $cacheKeys i32) (result i32)
    (local $i i32) (local $day i32) (local $slot i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $day (i32.load (i32.add (local.get $days) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $slot (i32.and (local.get $day) (i32.const 1023)))
        (br_if $done (i32.ne (local.get $day) (i32.load (i32.add (local.get $cacheDays) (i32.shl (local.get $slot) (i32.const 2))))))
        (i32.store16
          (i32.add (local.get $keys) (i32.shl (local.get $i) (i32.const 1)))
          (i32.load16_u (i32.add (local.get $cacheKeys) (i32.shl (local.get $slot) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (local.get $i))

  ;; Whether the $length bytes at $b equal those at $a ($length > 0). Reads up to 15 bytes past the end of
  ;; either range, which the caller keeps inside the memory; those bytes do not count.
  (func $same (param $a i32) (param $b i32) (param $length i32) (result i32)
    (local $k i32)
    (if (i32.le_u (local.get $length) (i32.const 16))
      (then
        ;; one compare: a bit per equal byte, and the first $length bits must all be set
        (return (i32.eqz
          (i32.and
            (i32.xor (i8x16.bitmask (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b)))) (i32.const 0xffff))
            (i32.sub (i32.shl (i32.const 1) (local.get $length)) (i32.const 1)))))))
    ;; sixteen bytes a step, the last step overlapping the one before it rather than a tail of single bytes
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (i32.add (local.get $k) (i32.const 16)) (local.get $length)))
        (if (i32.eqz (i8x16.all_true (i8x16.eq
              (v128.load (i32.add (local.get $a) (local.get $k)))
              (v128.load (i32.add (local.get $b) (local.get $k))))))
          (then (return (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $step)))
    (local.set $k (i32.sub (local.get $length) (i32.const 16)))
    (i8x16.all_true (i8x16.eq
      (v128.load (i32.add (local.get $a) (local.get $k)))
      (v128.load (i32.add (local.get $b) (local.get $k))))))

  ;; The runs of one id among the $n rows of a batch whose ids are the Utf8 column with $n + 1 Int32 offsets at
  ;; $offsets into the $limit bytes at $bytes (which are followed by 16 more bytes of this memory). A run
  ;; starts at every row except one whose id has the same length and bytes as the row before it, which must
  ;; itself have had an id within the bytes (0 ≤ start < end ≤ $limit). Writes the first row of each run to
  ;; the Int32 array at $out, then $n after the last, and returns the number of runs. $limit < 2^30, so no sum
  ;; here overflows.
  (func (export "runStarts") (param $offsets i32) (param $bytes i32) (param $limit i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $count i32) (local $start i32) (local $end i32) (local $length i32) (local $at i32) (local $next i32) (local $mask i32)
    (block $all
      (loop $run
        (br_if $all (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $start (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        ;; an empty id, or offsets that go backwards or outside the bytes: a run of one row
        (br_if $run (i32.or
          (i32.lt_s (local.get $start) (i32.const 0))
          (i32.or (i32.le_s (local.get $end) (local.get $start)) (i32.gt_s (local.get $end) (local.get $limit)))))
        (local.set $length (i32.sub (local.get $end) (local.get $start)))
        ;; each row after it, while its id repeats the one just before it (there, at $at - $length)
        (local.set $at (local.get $end))
        (if (i32.le_u (local.get $length) (i32.const 16))
          (then
            ;; an id of 16 bytes or fewer (nearly every tape's): $same inlined, one compare a row
            (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $length)) (i32.const 1)))
            (block $ends
              (loop $repeat
                (br_if $ends (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $next (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $i) (i32.const 2)))))
                (br_if $ends (i32.ne (local.get $next) (i32.add (local.get $at) (local.get $length))))
                (br_if $ends (i32.gt_s (local.get $next) (local.get $limit)))
                (br_if $ends (i32.and
                  (i32.xor
                    (i8x16.bitmask (i8x16.eq
                      (v128.load (i32.add (local.get $bytes) (i32.sub (local.get $at) (local.get $length))))
                      (v128.load (i32.add (local.get $bytes) (local.get $at)))))
                    (i32.const 0xffff))
                  (local.get $mask)))
                (local.set $at (local.get $next))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $repeat)))
            (br $run)))
        (block $ends
          (loop $repeat
            (br_if $ends (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $next (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $i) (i32.const 2)))))
            ;; $at is the row's own start: the offset the row before ended at
            (br_if $ends (i32.ne (local.get $next) (i32.add (local.get $at) (local.get $length))))
            (br_if $ends (i32.gt_s (local.get $next) (local.get $limit)))
            (br_if $ends (i32.eqz (call $same
              (i32.add (local.get $bytes) (i32.sub (local.get $at) (local.get $length)))
              (i32.add (local.get $bytes) (local.get $at))
              (local.get $length))))
            (local.set $at (local.get $next))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $repeat)))
        (br $run)))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))) (local.get $n))
    (local.get $count))

  ;; Whether the rows of each run have different date keys: for each of the $count runs whose first rows are
  ;; the Int32 array at $starts (then the row after the last run), 1 or 0 into the byte at $clean + run. The
  ;; keys are the Uint16 column at $keys. Each key a run meets is marked with the run's stamp, $stamp + run,
  ;; in the Int32 table of 65536 at $stamps: a table that starts zeroed needs no clearing as long as each call
  ;; starts its stamps after the last call's ($stamp ≥ 1).
  (func (export "cleanRuns") (param $starts i32) (param $count i32) (param $keys i32) (param $stamps i32) (param $stamp i32) (param $clean i32)
    (local $r i32) (local $row i32) (local $end i32) (local $ok i32) (local $slot i32)
    (block $all
      (loop $run
        (br_if $all (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $row (i32.load (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $ok (i32.const 1))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $row) (local.get $end)))
            (local.set $slot (i32.add (local.get $stamps)
              (i32.shl (i32.load16_u (i32.add (local.get $keys) (i32.shl (local.get $row) (i32.const 1)))) (i32.const 2))))
            (local.set $ok (i32.and (local.get $ok) (i32.ne (i32.load (local.get $slot)) (local.get $stamp))))
            (i32.store (local.get $slot) (local.get $stamp))
            (local.set $row (i32.add (local.get $row) (i32.const 1)))
            (br $rows)))
        (i32.store8 (i32.add (local.get $clean) (local.get $r)) (local.get $ok))
        (local.set $stamp (i32.add (local.get $stamp) (i32.const 1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $run))))
)
