;; The KPI kernels in WebAssembly SIMD, over the tape's shared memory.
;;
;; Compiled by scripts/build-wasm.mjs (wabt, with the simd and threads features) into
;; dist/engine/wasm/kernels.wasm. Every thread instantiates this module over the same shared memory: the
;; columns are read in place, never copied, and each call adds into its own accumulator area (a scratch
;; slot that no other thread touches during the call), so no atomics are needed inside the loops.
;;
;; Memory, as laid out by src/engine/columns.ts:
;;   nine Float64 money columns of whole cents, one after another at a constant stride $S (64-byte aligned),
;;   a Uint16 date-key column, and optionally a Uint16 group-key column.
;; Accumulators: SUMS_PER_KEY = 10 float64 per key (the nine money sums, then the row count), 80 bytes a key,
;; key k at $acc + 80·k. They are added to, never overwritten.
;;
;; Exactness: every value is a whole number of cents and every partial sum stays below 2^53, so f64 additions
;; are exact in any order; the SIMD kernels may therefore add rows in pairs and blocks and still give the
;; same bits as the row-by-row JavaScript kernel and the serial reference. Only f64 adds are used (no fused
;; multiply-add, no reassociation that could round).
;;
;; Keys are trusted: every key must be below the key count the accumulator area was sized for (the tape's
;; dictionaries guarantee it); a larger one would add into the bytes after the area.
;;
;; Access pattern: ten sequential read streams (nine columns and the key column) and a scatter-add into the
;; accumulators, 80 bytes a key, which stay in L1 for the usual key counts (12 dates: under 1 KiB). Two ideas
;; carry the speed:
;;   * pairs: one v128 load takes rows i and i+1 of a column; two columns' pairs are transposed with
;;     unpack-low / unpack-high shuffles into (c, c+1) of row i and of row i+1, so each row costs five v128
;;     read-modify-writes of its accumulator instead of ten scalar ones;
;;   * uniform blocks: when the eight keys of a block of eight rows are all equal (tapes sorted by date),
;;     the block's sums are formed in registers and added to the accumulator once.
;; The block test is a single i16x8 compare, so a tape whose key changes every row (loan-major order) pays
;; one predictable branch per eight rows for it.

(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; One row (money at $p, columns $S bytes apart) into the accumulator at $a. For range heads and tails.
  (func $row (param $p i32) (param $S i32) (param $a i32)
    (f64.store offset=0 (local.get $a) (f64.add (f64.load offset=0 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=8 (local.get $a) (f64.add (f64.load offset=8 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=16 (local.get $a) (f64.add (f64.load offset=16 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=24 (local.get $a) (f64.add (f64.load offset=24 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=32 (local.get $a) (f64.add (f64.load offset=32 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=40 (local.get $a) (f64.add (f64.load offset=40 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=48 (local.get $a) (f64.add (f64.load offset=48 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=56 (local.get $a) (f64.add (f64.load offset=56 (local.get $a)) (f64.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=64 (local.get $a) (f64.add (f64.load offset=64 (local.get $a)) (f64.load (local.get $p))))
    (f64.store offset=72 (local.get $a) (f64.add (f64.load offset=72 (local.get $a)) (f64.const 1))))

  ;; Eight rows that share one key (money at $p, 16-byte aligned) into the accumulator at $a. Each column's
  ;; four pairs are summed in a register; then two columns' (even, odd) partial sums are folded into one
  ;; (Σc, Σc+1) vector by adding their unpack-low and unpack-high; the row count rides with column 8 as
  ;; unpack(Σ8, (4, 4)), whose two halves add up to (Σ8, 8).
  (func $block8 (param $p i32) (param $S i32) (param $a i32)
    (local $x v128) (local $y v128)
    ;; columns 0 and 1
    (local.set $x (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (local.set $y (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (v128.store offset=0 (local.get $a) (f64x2.add (v128.load offset=0 (local.get $a)) (f64x2.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))))
    ;; columns 2 and 3
    (local.set $x (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (local.set $y (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a)) (f64x2.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))))
    ;; columns 4 and 5
    (local.set $x (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (local.set $y (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (v128.store offset=32 (local.get $a) (f64x2.add (v128.load offset=32 (local.get $a)) (f64x2.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))))
    ;; columns 6 and 7
    (local.set $x (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (local.set $y (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (v128.store offset=48 (local.get $a) (f64x2.add (v128.load offset=48 (local.get $a)) (f64x2.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))))
    ;; column 8 and the row count
    (local.set $x (f64x2.add
      (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p)))
      (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=48 (local.get $p)))))
    (local.set $y (v128.const f64x2 4 4))
    (v128.store offset=64 (local.get $a) (f64x2.add (v128.load offset=64 (local.get $a)) (f64x2.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))))

  ;; Sums per date key over rows [$start, $end).
  ;; $money: byte offset of money column 0; $S: bytes from one money column to the next;
  ;; $keys: byte offset of the date-key column; $acc: accumulators (80 bytes a key, 16-byte aligned).
  (func (export "sumByDate")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (param $acc i32)
    (local $p i32) (local $q i32) (local $n i32) (local $blocks i32) (local $pairs i32)
    (local $k i32) (local $a0 i32) (local $a1 i32) (local $ptr i32)
    (local $x v128) (local $y v128) (local $ones v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return)))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    ;; an odd first row: take it alone, so that pairs start on a 16-byte boundary of every column
    (if (i32.and (local.get $start) (i32.const 1))
      (then
        (call $row (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.load16_u (local.get $q)) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.set $ones (v128.const f64x2 1 1))
    (local.set $blocks (i32.shr_u (local.get $n) (i32.const 3)))
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $blocks)))
        (local.set $k (i32.load16_u (local.get $q)))
        (if (i16x8.all_true (i16x8.eq (v128.load (local.get $q)) (i16x8.splat (local.get $k))))
          (then
            (call $block8 (local.get $p) (local.get $S)
              (i32.add (local.get $acc) (i32.mul (local.get $k) (i32.const 80)))))
          (else
            (local.set $pairs (i32.const 4))
            (loop $pair
              (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=0 (local.get $q)) (i32.const 80))))
              (local.set $a1 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=2 (local.get $q)) (i32.const 80))))
              ;; When the two keys are equal, $a1 = $a0 and the second read-modify-write reads the first's
              ;; store: wasm memory is sequentially consistent within a thread, so that is still exact.
              (local.set $ptr (local.get $p))
              ;; columns 0, 1
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=0 (local.get $a0) (f64x2.add (v128.load offset=0 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=0 (local.get $a1) (f64x2.add (v128.load offset=0 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; columns 2, 3
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=16 (local.get $a0) (f64x2.add (v128.load offset=16 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=16 (local.get $a1) (f64x2.add (v128.load offset=16 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; columns 4, 5
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=32 (local.get $a0) (f64x2.add (v128.load offset=32 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=32 (local.get $a1) (f64x2.add (v128.load offset=32 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; columns 6, 7
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=48 (local.get $a0) (f64x2.add (v128.load offset=48 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=48 (local.get $a1) (f64x2.add (v128.load offset=48 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; column 8 and the row count: (c8, 1) per row
              (local.set $x (v128.load (local.get $ptr)))
              (v128.store offset=64 (local.get $a0) (f64x2.add (v128.load offset=64 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $ones))))
              (v128.store offset=64 (local.get $a1) (f64x2.add (v128.load offset=64 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $ones))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $pairs (i32.sub (local.get $pairs) (i32.const 1)))
              (br_if $pair (local.get $pairs)))
            ;; the pair loop has advanced $p and $q by the block; undo so the common step below applies
            (local.set $p (i32.sub (local.get $p) (i32.const 64)))
            (local.set $q (i32.sub (local.get $q) (i32.const 16)))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
        (br $block)))
    ;; up to seven rows left
    (local.set $n (i32.and (local.get $n) (i32.const 7)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $n)))
        (call $row (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.load16_u (local.get $q)) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail))))


  ;; Sums per (date, group) key, key = date · $G + group, over rows [$start, $end); otherwise as sumByDate.
  ;; $keys: the date-key column; $groups: the group-key column; $G: the number of groups.
  ;; The pair loop is sumByDate's, repeated rather than shared: V8 does not inline wasm calls, and a call per
  ;; pair of rows costs more than the loop itself.
  (func (export "sumByDateAndGroup")
    (param $money i32) (param $S i32) (param $keys i32) (param $groups i32) (param $G i32)
    (param $start i32) (param $end i32) (param $acc i32)
    (local $p i32) (local $q i32) (local $r i32) (local $n i32) (local $blocks i32) (local $pairs i32)
    (local $k i32) (local $g i32) (local $a0 i32) (local $a1 i32) (local $ptr i32)
    (local $x v128) (local $y v128) (local $ones v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return)))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $r (i32.add (local.get $groups) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    ;; an odd first row: take it alone, so that pairs start on a 16-byte boundary of every column
    (if (i32.and (local.get $start) (i32.const 1))
      (then
        (call $row (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u (local.get $q)) (local.get $G)) (i32.load16_u (local.get $r))) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.set $ones (v128.const f64x2 1 1))
    (local.set $blocks (i32.shr_u (local.get $n) (i32.const 3)))
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $blocks)))
        (local.set $k (i32.load16_u (local.get $q)))
        (local.set $g (i32.load16_u (local.get $r)))
        (if (i32.and
              (i16x8.all_true (i16x8.eq (v128.load (local.get $q)) (i16x8.splat (local.get $k))))
              (i16x8.all_true (i16x8.eq (v128.load (local.get $r)) (i16x8.splat (local.get $g)))))
          (then
            (call $block8 (local.get $p) (local.get $S)
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (local.get $k) (local.get $G)) (local.get $g)) (i32.const 80)))))
          (else
            (local.set $pairs (i32.const 4))
            (loop $pair
              (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u (local.get $q)) (local.get $G)) (i32.load16_u (local.get $r))) (i32.const 80))))
              (local.set $a1 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=2 (local.get $q)) (local.get $G)) (i32.load16_u offset=2 (local.get $r))) (i32.const 80))))
              ;; When the two keys are equal, $a1 = $a0 and the second read-modify-write reads the first's
              ;; store: wasm memory is sequentially consistent within a thread, so that is still exact.
              (local.set $ptr (local.get $p))
              ;; columns 0, 1
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=0 (local.get $a0) (f64x2.add (v128.load offset=0 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=0 (local.get $a1) (f64x2.add (v128.load offset=0 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; columns 2, 3
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=16 (local.get $a0) (f64x2.add (v128.load offset=16 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=16 (local.get $a1) (f64x2.add (v128.load offset=16 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; columns 4, 5
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=32 (local.get $a0) (f64x2.add (v128.load offset=32 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=32 (local.get $a1) (f64x2.add (v128.load offset=32 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; columns 6, 7
              (local.set $x (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (local.set $y (v128.load (local.get $ptr)))
              (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
              (v128.store offset=48 (local.get $a0) (f64x2.add (v128.load offset=48 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y))))
              (v128.store offset=48 (local.get $a1) (f64x2.add (v128.load offset=48 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y))))
              ;; column 8 and the row count: (c8, 1) per row
              (local.set $x (v128.load (local.get $ptr)))
              (v128.store offset=64 (local.get $a0) (f64x2.add (v128.load offset=64 (local.get $a0))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $ones))))
              (v128.store offset=64 (local.get $a1) (f64x2.add (v128.load offset=64 (local.get $a1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $ones))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $r (i32.add (local.get $r) (i32.const 4)))
              (local.set $pairs (i32.sub (local.get $pairs) (i32.const 1)))
              (br_if $pair (local.get $pairs)))
            ;; the pair loop has advanced the pointers by the block; undo so the common step below applies
            (local.set $p (i32.sub (local.get $p) (i32.const 64)))
            (local.set $q (i32.sub (local.get $q) (i32.const 16)))
            (local.set $r (i32.sub (local.get $r) (i32.const 16)))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
        (br $block)))
    ;; up to seven rows left
    (local.set $n (i32.and (local.get $n) (i32.const 7)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $n)))
        (call $row (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u (local.get $q)) (local.get $G)) (i32.load16_u (local.get $r))) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail))))
;; The roofline probes: the fastest plain reads of exactly the bytes that sumByDate touches for rows
  ;; [$start, $end) — the nine money columns and the date keys, 74 bytes a row — with no arithmetic that
  ;; matters. Four independent v128 accumulators keep the adds off the critical path, and the folded result
  ;; is returned so that no load can be dropped as dead; its value means nothing.
  ;;
  ;; "stream" reads in the kernel's own order: per block of eight rows, 64 bytes of each money column and
  ;; 16 bytes of keys, so ten sequential streams advance together. "streamColumns" reads one column after
  ;; the other, a single sequential stream at a time. "streamLines" loads one word of every 64-byte cache
  ;; line in the kernel's order: the memory system still moves every byte, but the core does the least
  ;; possible. Which is fastest depends on the machine (ten streams keep more misses in flight; one stream is
  ;; easier on the prefetcher; fewer loads leave more room for misses): a bench takes the fastest as the
  ;; roofline.
  (func (export "stream")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (result i32)
    (local $p i32) (local $q i32) (local $ptr i32) (local $n i32) (local $c i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.shr_u (i32.sub (local.get $end) (local.get $start)) (i32.const 3)))
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $ptr (local.get $p))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $ptr))))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load (local.get $q))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block)))
    ;; the last (end − start) mod 8 rows, column by column
    (local.set $n (i32.and (i32.sub (local.get $end) (local.get $start)) (i32.const 7)))
    (local.set $s1 (i64x2.add (local.get $s1) (call $read (local.get $q) (i32.shl (local.get $n) (i32.const 1)))))
    (local.set $c (i32.const 9))
    (loop $column
      (local.set $s2 (i64x2.add (local.get $s2) (call $read (local.get $p) (i32.shl (local.get $n) (i32.const 3)))))
      (local.set $p (i32.add (local.get $p) (local.get $S)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br_if $column (local.get $c)))
    (call $fold (i64x2.add (i64x2.add (local.get $s0) (local.get $s1)) (i64x2.add (local.get $s2) (local.get $s3)))))

  (func (export "streamColumns")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (result i32)
    (local $c i32) (local $p i32) (local $sum v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $c (i32.const 9))
    (loop $column
      (local.set $sum (i64x2.add (local.get $sum)
        (call $read (local.get $p) (i32.shl (i32.sub (local.get $end) (local.get $start)) (i32.const 3)))))
      (local.set $p (i32.add (local.get $p) (local.get $S)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br_if $column (local.get $c)))
    (local.set $sum (i64x2.add (local.get $sum)
      (call $read
        (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1)))
        (i32.shl (i32.sub (local.get $end) (local.get $start)) (i32.const 1)))))
    (call $fold (local.get $sum)))

  (func (export "streamLines")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (result i32)
    (local $p i32) (local $q i32) (local $ptr i32) (local $n i32) (local $c i32) (local $t0 i64) (local $t1 i64)
    (local $s v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.shr_u (i32.sub (local.get $end) (local.get $start)) (i32.const 3)))
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $ptr (local.get $p))
        (local.set $t0 (i64.add (local.get $t0) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t1 (i64.add (local.get $t1) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t0 (i64.add (local.get $t0) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t1 (i64.add (local.get $t1) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t0 (i64.add (local.get $t0) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t1 (i64.add (local.get $t1) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t0 (i64.add (local.get $t0) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t1 (i64.add (local.get $t1) (i64.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $t0 (i64.add (local.get $t0) (i64.load (local.get $ptr))))
        ;; the keys: 16 bytes a block, so one line every fourth block (the others hit that line again)
        (local.set $t0 (i64.add (local.get $t0) (i64.load (local.get $q))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block)))
    ;; the last (end − start) mod 8 rows, column by column
    (local.set $n (i32.and (i32.sub (local.get $end) (local.get $start)) (i32.const 7)))
    (local.set $s (call $read (local.get $q) (i32.shl (local.get $n) (i32.const 1))))
    (local.set $c (i32.const 9))
    (loop $column
      (local.set $s (i64x2.add (local.get $s) (call $read (local.get $p) (i32.shl (local.get $n) (i32.const 3)))))
      (local.set $p (i32.add (local.get $p) (local.get $S)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br_if $column (local.get $c)))
    (call $fold (i64x2.add (local.get $s) (i64x2.splat (i64.add (local.get $t0) (local.get $t1))))))

  ;; Float dollars into whole cents, in place: the Arrow reader reads a Float64 money column of a record
  ;; batch straight into its column of the tape and converts it here. For each of the $n values at $p:
  ;;   x = dollars · 100; cents = Math.round(x) (nearest whole number, ties up), bit for bit as the
  ;;   JavaScript reader computes it for every input, then + 0 (−0 becomes 0);
  ;;   valid when dollars ≥ 0 (not NaN), |x − cents| ≤ 1e-12 · max(x, 1), and cents ≤ 2^53 − 1 (no infinity).
  ;; Returns the sum of the cents when every value is valid, else −1: the caller then reads the batch again
  ;; through the cell readers, which name the bad value. Two lanes sum alternate rows: a sum that stays
  ;; below 2^53 is exact in any order, and one that does not exceeds 2^53 − 1 in any order.
  (func (export "centsFromDollars") (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $d v128) (local $x v128) (local $c v128) (local $ok v128) (local $sum v128)
    (local $zero v128) (local $sd f64) (local $sx f64) (local $sc f64) (local $bad i32) (local $total f64)
    (local.set $ok (v128.const i64x2 -1 -1))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $d (v128.load (local.get $p)))
        (local.set $x (f64x2.mul (local.get $d) (v128.const f64x2 100 100)))
        ;; nearest integer of |x| below 2^52 by adding and taking away 2^52 (ties to even), with x's sign
        ;; (f64x2.ceil and f64x2.nearest are slow on some hosts, where V8 does them out of line)
        (local.set $c (v128.or
          (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
          (f64x2.sub
            (f64x2.add (f64x2.abs (local.get $x)) (v128.const f64x2 4503599627370496 4503599627370496))
            (v128.const f64x2 4503599627370496 4503599627370496))))
        ;; Math.round takes ties up, not to even: one more where x is half-way above
        (local.set $c (f64x2.add (local.get $c)
          (v128.and
            (f64x2.eq (f64x2.sub (local.get $x) (local.get $c)) (v128.const f64x2 0.5 0.5))
            (v128.const f64x2 1 1))))
        ;; from 2^52 on, x is a whole number already (and NaN stays NaN)
        (local.set $c (v128.bitselect
          (local.get $x)
          (local.get $c)
          (v128.not (f64x2.lt (f64x2.abs (local.get $x)) (v128.const f64x2 4503599627370496 4503599627370496)))))
        (local.set $c (f64x2.add (local.get $c) (local.get $zero)))
        (local.set $ok (v128.and (local.get $ok)
          (v128.and
            (v128.and
              (f64x2.ge (local.get $d) (local.get $zero))
              (f64x2.le (local.get $c) (v128.const f64x2 9007199254740991 9007199254740991)))
            (f64x2.le
              (f64x2.abs (f64x2.sub (local.get $x) (local.get $c)))
              (f64x2.mul (v128.const f64x2 1e-12 1e-12) (f64x2.pmax (v128.const f64x2 1 1) (local.get $x)))))))
        (v128.store (local.get $p) (local.get $c))
        (local.set $sum (f64x2.add (local.get $sum) (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pair)))
    (local.set $total (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
    (local.set $bad (i32.eqz (i64x2.all_true (local.get $ok))))
    ;; an odd last value, the same way
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $sd (f64.load (local.get $p)))
        (local.set $sx (f64.mul (local.get $sd) (f64.const 100)))
        (local.set $sc (f64.ceil (local.get $sx)))
        (if (f64.gt (f64.sub (local.get $sc) (f64.const 0.5)) (local.get $sx))
          (then (local.set $sc (f64.sub (local.get $sc) (f64.const 1)))))
        (local.set $sc (f64.add (local.get $sc) (f64.const 0)))
        (if (i32.eqz
              (i32.and
                (i32.and (f64.ge (local.get $sd) (f64.const 0)) (f64.le (local.get $sc) (f64.const 9007199254740991)))
                (f64.le
                  (f64.abs (f64.sub (local.get $sx) (local.get $sc)))
                  (f64.mul (f64.const 1e-12) (f64.max (local.get $sx) (f64.const 1))))))
          (then (local.set $bad (i32.const 1))))
        (f64.store (local.get $p) (local.get $sc))
        (local.set $total (f64.add (local.get $total) (local.get $sc)))))
    (if (result f64) (local.get $bad) (then (f64.const -1)) (else (local.get $total))))

  ;; Every byte of [$p, $p + $bytes) ($bytes even) folded into one v128: 64 bytes a step into four
  ;; accumulators, then the remaining 16-bit words one by one.
  (func $read (param $p i32) (param $bytes i32) (result v128)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $end (i32.add (local.get $p) (i32.and (local.get $bytes) (i32.const -64))))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $p))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $p))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=32 (local.get $p))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $chunk)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $bytes) (i32.const 63))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s0 (i64x2.add (local.get $s0) (i64x2.splat (i64.load16_u (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br $tail)))
    (i64x2.add (i64x2.add (local.get $s0) (local.get $s1)) (i64x2.add (local.get $s2) (local.get $s3))))

  ;; Four 32-bit lanes xor-ed into one i32, a value JavaScript receives without a BigInt.
  (func $fold (param $v v128) (result i32)
    (i32.xor
      (i32.xor (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.xor (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))
)
