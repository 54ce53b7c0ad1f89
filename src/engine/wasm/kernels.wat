;; The KPI kernels in WebAssembly SIMD, over the tape's shared memory.
;;
;; Compiled by scripts/build-wasm.mjs (wabt, with the simd and threads features) into
;; dist/engine/wasm/kernels.wasm. Every thread instantiates this module over the same shared memory: the
;; columns are read in place, never copied, and each call adds into its own accumulator area (a scratch
;; slot that no other thread touches during the call), so no atomics are needed inside the loops.
;;
;; Memory, as laid out by src/engine/columns.ts:
;;   nine money columns of whole cents, one after another at a constant stride $S (64-byte aligned): Float64
;;   while a tape is read, Uint32 once narrowMoney has found that every amount fits (the *U32 kernels below);
;;   a Uint16 date-key column, and optionally a Uint16 group-key column.
;; Accumulators: SUMS_PER_KEY = 10 float64 per key (the nine money sums, then the row count), 80 bytes a key,
;; key k at $acc + 80·k. They are added to, never overwritten.
;;
;; Exactness: every value is a whole number of cents and every partial sum stays below 2^53, so f64 additions
;; are exact in any order; the SIMD kernels may therefore add rows in pairs and blocks and still give the
;; same bits as the row-by-row JavaScript kernel and the serial reference. Only f64 adds are used (no fused
;; multiply-add, no reassociation that could round); the Uint32 kernels add in integers instead, exact as
;; well (see their section).
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

  ;; ---- Uint32 money columns ----
  ;;
  ;; Once a tape's amounts all fit a Uint32 (src/engine/columns.ts, narrowMoney), its money columns are Uint32
  ;; cents, 4 bytes a value, and a row is 38 bytes instead of 74. The sums below give the same bits as the
  ;; Float64 kernels and the JavaScript kernel over the same values: every value is a whole number below 2^32,
  ;; and the sums stay below 2^53, so each is exact however the adds are grouped.
  ;;
  ;; The integer form. With Uint32 columns the loan-major loop is bound by the work per row, not by memory:
  ;; converting each value to f64 (an unpack and a subtract per pair) and adding in f64 measured about twice
  ;; the time of a plain read of the same bytes. So while a kernel runs, the accumulators of the keys it meets
  ;; hold integers instead: a whole number n below 2^52 is taken in as the f64 2^52 + n (one exact f64 add),
  ;; whose bits are 0x4330000000000000 + n, so adding an integer to those bits as an i64 adds it to n exactly;
  ;; the Uint32 values are then added as i64 lanes, zero-extended by a mask or a shift, with no conversion. On
  ;; the way out 2^52 is subtracted again (exact while n < 2^52; from 2^52 on, lane by lane from the integer,
  ;; exact below 2^53). The accumulators are f64 again before the kernel returns (no other thread reads them
  ;; meanwhile: a slot is its caller's alone), and the slots of keys that no row had come back with the bits
  ;; they had. Slots that do not hold whole numbers in [+0, 2^52) (−0, a
  ;; fraction, 2^52 or more) are never taken in: such a range is summed in float.
  ;;
  ;; The float form, for short ranges (under 64 rows), key spans too wide to take in and such accumulators:
  ;; each value is converted exactly (an unpack with 0x43300000 as its high word makes the f64 2^52 + value,
  ;; less 2^52) and added in f64; a block of one key has its column sums formed as integers (below 2^35) and
  ;; converted once.

  ;; One row of Uint32 money (at $p, columns $S bytes apart) into the f64 accumulator at $a.
  (func $rowU32 (param $p i32) (param $S i32) (param $a i32)
    (f64.store offset=0 (local.get $a) (f64.add (f64.load offset=0 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=8 (local.get $a) (f64.add (f64.load offset=8 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=16 (local.get $a) (f64.add (f64.load offset=16 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=24 (local.get $a) (f64.add (f64.load offset=24 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=32 (local.get $a) (f64.add (f64.load offset=32 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=40 (local.get $a) (f64.add (f64.load offset=40 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=48 (local.get $a) (f64.add (f64.load offset=48 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=56 (local.get $a) (f64.add (f64.load offset=56 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (f64.store offset=64 (local.get $a) (f64.add (f64.load offset=64 (local.get $a)) (f64.convert_i32_u (i32.load (local.get $p)))))
    (f64.store offset=72 (local.get $a) (f64.add (f64.load offset=72 (local.get $a)) (f64.const 1))))

  ;; One row of Uint32 money into the accumulator at $a in the integer form.
  (func $rowU32Int (param $p i32) (param $S i32) (param $a i32)
    (i64.store offset=0 (local.get $a) (i64.add (i64.load offset=0 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=8 (local.get $a) (i64.add (i64.load offset=8 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=16 (local.get $a) (i64.add (i64.load offset=16 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=24 (local.get $a) (i64.add (i64.load offset=24 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=32 (local.get $a) (i64.add (i64.load offset=32 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=40 (local.get $a) (i64.add (i64.load offset=40 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=48 (local.get $a) (i64.add (i64.load offset=48 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=56 (local.get $a) (i64.add (i64.load offset=56 (local.get $a)) (i64.load32_u (local.get $p))))
    (local.set $p (i32.add (local.get $p) (local.get $S)))
    (i64.store offset=64 (local.get $a) (i64.add (i64.load offset=64 (local.get $a)) (i64.load32_u (local.get $p))))
    (i64.store offset=72 (local.get $a) (i64.add (i64.load offset=72 (local.get $a)) (i64.const 1))))

  ;; Eight rows of one key (money at $p, 16-byte aligned) into the f64 accumulator at $a: per column, the 32-bit
  ;; halves of its two v128 (four Uint32 rows each) made i64 lanes by a mask and a shift, and summed into two
  ;; partial sums (rows 0, 1, 4, 5 and rows 2, 3, 6, 7); two columns' partial sums folded into (Σc, Σc+1) by adding their unpack-low and unpack-high; then made f64
  ;; (below 2^52, the bits 0x4330000000000000 | s are 2^52 + s) and added. The row count rides with column 8.
  (func $block8U32 (param $p i32) (param $S i32) (param $a i32)
    (local $ptr i32) (local $x v128) (local $y v128) (local $lo v128) (local $hi v128)
    (local $low v128) (local $magic v128) (local $bias v128)
    (local.set $low (v128.const i64x2 0xffffffff 0xffffffff))
    (local.set $magic (v128.const i64x2 0x4330000000000000 0x4330000000000000))
    (local.set $bias (v128.const f64x2 4503599627370496 4503599627370496))
    (local.set $ptr (local.get $p))
    ;; columns 0 and 1
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $lo (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $hi (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (v128.store offset=0 (local.get $a) (f64x2.add (v128.load offset=0 (local.get $a))
      (f64x2.sub (v128.or (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))) (local.get $magic)) (local.get $bias))))
    ;; columns 2 and 3
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $lo (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $hi (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
      (f64x2.sub (v128.or (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))) (local.get $magic)) (local.get $bias))))
    ;; columns 4 and 5
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $lo (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $hi (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (v128.store offset=32 (local.get $a) (f64x2.add (v128.load offset=32 (local.get $a))
      (f64x2.sub (v128.or (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))) (local.get $magic)) (local.get $bias))))
    ;; columns 6 and 7
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $lo (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $hi (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (v128.store offset=48 (local.get $a) (f64x2.add (v128.load offset=48 (local.get $a))
      (f64x2.sub (v128.or (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))) (local.get $magic)) (local.get $bias))))
    ;; column 8 and the row count
    (local.set $x (v128.load offset=0 (local.get $ptr)))
    (local.set $y (v128.load offset=16 (local.get $ptr)))
    (local.set $lo (i64x2.add
      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
    (local.set $hi (v128.const i64x2 4 4))
    (v128.store offset=64 (local.get $a) (f64x2.add (v128.load offset=64 (local.get $a))
      (f64x2.sub (v128.or (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))) (local.get $magic)) (local.get $bias)))))

  ;; Four rows (money at $p, 16-byte aligned) into the f64 accumulators $a0..$a3, one per row. Two columns'
  ;; four rows x, y are interleaved by unpack-low / unpack-high of their 32-bit lanes into (x0, y0, x1, y1) and
  ;; (x2, y2, x3, y3); an unpack of those with 0x43300000 gives each row's (c, c+1) as f64 2^52 + value, less
  ;; 2^52. Column 8 pairs with a column of ones, the row count.
  (func $quadU32 (param $p i32) (param $S i32) (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32)
    (local $ptr i32) (local $x v128) (local $y v128) (local $lo v128) (local $hi v128)
    (local $ones v128) (local $magic v128) (local $bias v128)
    (local.set $ones (v128.const i32x4 1 1 1 1))
    (local.set $magic (v128.const i32x4 0x43300000 0x43300000 0x43300000 0x43300000))
    (local.set $bias (v128.const f64x2 4503599627370496 4503599627370496))
    (local.set $ptr (local.get $p))
    ;; columns 0 and 1
    (local.set $x (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $y (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x) (local.get $y)))
    (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x) (local.get $y)))
    (v128.store offset=0 (local.get $a0) (f64x2.add (v128.load offset=0 (local.get $a0))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=0 (local.get $a1) (f64x2.add (v128.load offset=0 (local.get $a1))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=0 (local.get $a2) (f64x2.add (v128.load offset=0 (local.get $a2))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $hi) (local.get $magic)) (local.get $bias))))
    (v128.store offset=0 (local.get $a3) (f64x2.add (v128.load offset=0 (local.get $a3))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $hi) (local.get $magic)) (local.get $bias))))
    ;; columns 2 and 3
    (local.set $x (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $y (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x) (local.get $y)))
    (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x) (local.get $y)))
    (v128.store offset=16 (local.get $a0) (f64x2.add (v128.load offset=16 (local.get $a0))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=16 (local.get $a1) (f64x2.add (v128.load offset=16 (local.get $a1))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=16 (local.get $a2) (f64x2.add (v128.load offset=16 (local.get $a2))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $hi) (local.get $magic)) (local.get $bias))))
    (v128.store offset=16 (local.get $a3) (f64x2.add (v128.load offset=16 (local.get $a3))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $hi) (local.get $magic)) (local.get $bias))))
    ;; columns 4 and 5
    (local.set $x (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $y (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x) (local.get $y)))
    (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x) (local.get $y)))
    (v128.store offset=32 (local.get $a0) (f64x2.add (v128.load offset=32 (local.get $a0))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=32 (local.get $a1) (f64x2.add (v128.load offset=32 (local.get $a1))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=32 (local.get $a2) (f64x2.add (v128.load offset=32 (local.get $a2))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $hi) (local.get $magic)) (local.get $bias))))
    (v128.store offset=32 (local.get $a3) (f64x2.add (v128.load offset=32 (local.get $a3))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $hi) (local.get $magic)) (local.get $bias))))
    ;; columns 6 and 7
    (local.set $x (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $y (v128.load (local.get $ptr)))
    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
    (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x) (local.get $y)))
    (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x) (local.get $y)))
    (v128.store offset=48 (local.get $a0) (f64x2.add (v128.load offset=48 (local.get $a0))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=48 (local.get $a1) (f64x2.add (v128.load offset=48 (local.get $a1))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=48 (local.get $a2) (f64x2.add (v128.load offset=48 (local.get $a2))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $hi) (local.get $magic)) (local.get $bias))))
    (v128.store offset=48 (local.get $a3) (f64x2.add (v128.load offset=48 (local.get $a3))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $hi) (local.get $magic)) (local.get $bias))))
    ;; column 8 and the row count: (c8, 1) per row
    (local.set $x (v128.load (local.get $ptr)))
    (local.set $y (local.get $ones))
    (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x) (local.get $y)))
    (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x) (local.get $y)))
    (v128.store offset=64 (local.get $a0) (f64x2.add (v128.load offset=64 (local.get $a0))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=64 (local.get $a1) (f64x2.add (v128.load offset=64 (local.get $a1))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $lo) (local.get $magic)) (local.get $bias))))
    (v128.store offset=64 (local.get $a2) (f64x2.add (v128.load offset=64 (local.get $a2))
      (f64x2.sub (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $hi) (local.get $magic)) (local.get $bias))))
    (v128.store offset=64 (local.get $a3) (f64x2.add (v128.load offset=64 (local.get $a3))
      (f64x2.sub (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $hi) (local.get $magic)) (local.get $bias)))))

  ;; Whether the $count keys' accumulators at $a can be taken into the integer form: every slot a whole number
  ;; in [+0, 2^52). (v + 2^52) − 2^52 = v holds exactly for whole numbers below 2^52 and fails for fractions and
  ;; NaN; the sign bits are collected apart, so that −0 (and any negative) is refused.
  (func $intable (param $a i32) (param $count i32) (result i32)
    (local $end i32) (local $v v128) (local $ok v128) (local $signs v128)
    (local.set $ok (v128.const i64x2 -1 -1))
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $count) (i32.const 80))))
    (block $done
      (loop $slots
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $v (v128.load (local.get $a)))
        (local.set $signs (v128.or (local.get $signs) (local.get $v)))
        (local.set $ok (v128.and (local.get $ok) (v128.and
          (f64x2.lt (local.get $v) (v128.const f64x2 4503599627370496 4503599627370496))
          (f64x2.eq
            (f64x2.sub (f64x2.add (local.get $v) (v128.const f64x2 4503599627370496 4503599627370496)) (v128.const f64x2 4503599627370496 4503599627370496))
            (local.get $v)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $slots)))
    (i32.and (i64x2.all_true (local.get $ok)) (i32.eqz (i64x2.bitmask (local.get $signs)))))

  ;; The $count keys' accumulators at $a into the integer form ($intable has said they can be): n → 2^52 + n.
  (func $toInt (param $a i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $count) (i32.const 80))))
    (block $done
      (loop $slots
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (v128.const f64x2 4503599627370496 4503599627370496)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $slots))))

  ;; And back: 2^52 + n → n, by an f64 subtract while n < 2^52 (the bits still read as an f64 below 2^53), else
  ;; from the integer n itself.
  (func $fromInt (param $a i32) (param $count i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $count) (i32.const 80))))
    (block $done
      (loop $slots
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $v (v128.load (local.get $a)))
        (if (i64x2.all_true (f64x2.lt (local.get $v) (v128.const f64x2 9007199254740992 9007199254740992)))
          (then (v128.store (local.get $a) (f64x2.sub (local.get $v) (v128.const f64x2 4503599627370496 4503599627370496))))
          (else
            (f64.store offset=0 (local.get $a)
              (f64.convert_i64_u (i64.sub (i64.load offset=0 (local.get $a)) (i64.const 0x4330000000000000))))
            (f64.store offset=8 (local.get $a)
              (f64.convert_i64_u (i64.sub (i64.load offset=8 (local.get $a)) (i64.const 0x4330000000000000))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $slots))))

  ;; Widen the span of dates [$lo, $hi] held in the integer form ($G keys a date, at $acc + 80 · key) to take in
  ;; [$kmin, $kmax]: the new span packed as lo | hi << 32, or −1 when it would hold more than $limit keys or a
  ;; new key's accumulators cannot be taken in (then nothing has changed).
  (func $admit (param $acc i32) (param $G i32) (param $lo i32) (param $hi i32) (param $kmin i32) (param $kmax i32)
    (param $limit i32) (result i64)
    (local $newLo i32) (local $newHi i32) (local $unit i32)
    (local.set $newLo (select (local.get $kmin) (local.get $lo) (i32.lt_u (local.get $kmin) (local.get $lo))))
    (local.set $newHi (select (local.get $kmax) (local.get $hi) (i32.gt_u (local.get $kmax) (local.get $hi))))
    (if (i64.gt_u
          (i64.mul (i64.extend_i32_u (i32.add (i32.sub (local.get $newHi) (local.get $newLo)) (i32.const 1))) (i64.extend_i32_u (local.get $G)))
          (i64.extend_i32_u (local.get $limit)))
      (then (return (i64.const -1))))
    (local.set $unit (i32.mul (local.get $G) (i32.const 80)))
    ;; the dates below the span, and those above it
    (if (i32.eqz (i32.and
          (call $intable
            (i32.add (local.get $acc) (i32.mul (local.get $newLo) (local.get $unit)))
            (i32.mul (i32.sub (local.get $lo) (local.get $newLo)) (local.get $G)))
          (call $intable
            (i32.add (local.get $acc) (i32.mul (i32.add (local.get $hi) (i32.const 1)) (local.get $unit)))
            (i32.mul (i32.sub (local.get $newHi) (local.get $hi)) (local.get $G)))))
      (then (return (i64.const -1))))
    (call $toInt
      (i32.add (local.get $acc) (i32.mul (local.get $newLo) (local.get $unit)))
      (i32.mul (i32.sub (local.get $lo) (local.get $newLo)) (local.get $G)))
    (call $toInt
      (i32.add (local.get $acc) (i32.mul (i32.add (local.get $hi) (i32.const 1)) (local.get $unit)))
      (i32.mul (i32.sub (local.get $newHi) (local.get $hi)) (local.get $G)))
    (i64.or (i64.extend_i32_u (local.get $newLo)) (i64.shl (i64.extend_i32_u (local.get $newHi)) (i64.const 32))))

  ;; The smallest and the largest of the $n keys at $q ($n a multiple of 8, at least 8), packed min | max << 16.
  (func $keyRange (param $q i32) (param $n i32) (result i32)
    (local $end i32) (local $k v128) (local $min v128) (local $max v128)
    (local.set $end (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 1))))
    (local.set $min (v128.const i16x8 -1 -1 -1 -1 -1 -1 -1 -1))
    (loop $keys
      (local.set $k (v128.load (local.get $q)))
      (local.set $min (i16x8.min_u (local.get $min) (local.get $k)))
      (local.set $max (i16x8.max_u (local.get $max) (local.get $k)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br_if $keys (i32.lt_u (local.get $q) (local.get $end))))
    ;; across the lanes: halves, quarters, eighths
    (local.set $min (i16x8.min_u (local.get $min) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $min) (local.get $min))))
    (local.set $max (i16x8.max_u (local.get $max) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $max) (local.get $max))))
    (local.set $min (i16x8.min_u (local.get $min) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $min) (local.get $min))))
    (local.set $max (i16x8.max_u (local.get $max) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $max) (local.get $max))))
    (local.set $min (i16x8.min_u (local.get $min) (i8x16.shuffle 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 (local.get $min) (local.get $min))))
    (local.set $max (i16x8.max_u (local.get $max) (i8x16.shuffle 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 (local.get $max) (local.get $max))))
    (i32.or (i16x8.extract_lane_u 0 (local.get $min)) (i32.shl (i16x8.extract_lane_u 0 (local.get $max)) (i32.const 16))))

  ;; Sums per date key over rows [$start, $end) of Uint32 money columns ($S bytes apart, row i of column c at
  ;; $money + c·$S + 4·i), added into the accumulators at $acc as by sumByDate, with the same bits.
  ;;
  ;; Blocks of eight rows start at a row index that is a multiple of 8 (the rows before, and the rows after the
  ;; last block, are taken one by one), so that every v128 load is 16-byte aligned: two loads take eight rows
  ;; of a column. A block whose eight keys are equal is summed in registers and added once; any other block goes
  ;; as two quads of four rows: two columns' four rows x, y are paired by an unpack of their 64-bit halves into
  ;; (x0, x1, y0, y1) and (x2, x3, y2, y3), from which a mask and a shift give each row's (x, y) as two i64
  ;; lanes, added into that row's accumulator in the integer form. Column 8 pairs with a column of ones, the
  ;; row count.
  ;;
  ;; The integer form is entered for ranges of at least 64 rows and holds the span of keys [$kmin, $kmax] met
  ;; so far: the keys of each chunk of up to 2048 rows are scanned first (4 KiB, which the sums then read
  ;; again from L1), and keys outside the span are taken in before the chunk is summed ($admit). A span of more
  ;; keys than a sixteenth of the range's rows (taking them in and out would cost more than it saves), or
  ;; accumulators that cannot be taken in, end it: the span is given back and the rest is summed in float.
  (func (export "sumByDateU32")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (param $acc i32)
    (local $p i32) (local $q i32) (local $n i32) (local $ptr i32) (local $k i32)
    (local $kmin i32) (local $kmax i32) (local $limit i32) (local $span i64) (local $last i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $x v128) (local $y v128) (local $lo v128) (local $hi v128) (local $low v128) (local $ones v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return)))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (local.set $low (v128.const i64x2 0xffffffff 0xffffffff))
    (local.set $ones (v128.const i32x4 1 1 1 1))
    (local.set $limit (i32.shr_u (local.get $n) (i32.const 4)))
    ;; the integer form, from the first row's key
    (local.set $kmin (i32.load16_u (local.get $q)))
    (local.set $kmax (local.get $kmin))
    (if (i32.and (i32.ge_u (local.get $n) (i32.const 64)) (call $intable (i32.add (local.get $acc) (i32.mul (local.get $kmin) (i32.const 80))) (i32.const 1)))
      (then
        (call $toInt (i32.add (local.get $acc) (i32.mul (local.get $kmin) (i32.const 80))) (i32.const 1))
        (block $leave
          ;; rows one by one up to a multiple of 8
          (block $aligned
            (loop $head
              (br_if $aligned (i32.eqz (i32.and (local.get $start) (i32.const 7))))
              (br_if $aligned (i32.eqz (local.get $n)))
              (local.set $k (i32.load16_u (local.get $q)))
              (if (i32.or (i32.lt_u (local.get $k) (local.get $kmin)) (i32.gt_u (local.get $k) (local.get $kmax)))
                (then
                  (local.set $span (call $admit (local.get $acc) (i32.const 1) (local.get $kmin) (local.get $kmax) (local.get $k) (local.get $k) (local.get $limit)))
                  (br_if $leave (i64.lt_s (local.get $span) (i64.const 0)))
                  (local.set $kmin (i32.wrap_i64 (local.get $span)))
                  (local.set $kmax (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))))
              (call $rowU32Int (local.get $p) (local.get $S) (i32.add (local.get $acc) (i32.mul (local.get $k) (i32.const 80))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 2)))
              (local.set $start (i32.add (local.get $start) (i32.const 1)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $head)))
          ;; chunks of whole blocks: their keys first, then their sums
          (block $chunks_done
            (loop $chunk
              (local.set $last (i32.and (local.get $n) (i32.const -8)))
              (if (i32.gt_u (local.get $last) (i32.const 2048)) (then (local.set $last (i32.const 2048))))
              (br_if $chunks_done (i32.eqz (local.get $last)))
              (local.set $k (call $keyRange (local.get $q) (local.get $last)))
              (if (i32.or
                    (i32.lt_u (i32.and (local.get $k) (i32.const 0xffff)) (local.get $kmin))
                    (i32.gt_u (i32.shr_u (local.get $k) (i32.const 16)) (local.get $kmax)))
                (then
                  (local.set $span (call $admit (local.get $acc) (i32.const 1) (local.get $kmin) (local.get $kmax)
                    (i32.and (local.get $k) (i32.const 0xffff)) (i32.shr_u (local.get $k) (i32.const 16)) (local.get $limit)))
                  (br_if $leave (i64.lt_s (local.get $span) (i64.const 0)))
                  (local.set $kmin (i32.wrap_i64 (local.get $span)))
                  (local.set $kmax (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))))
              (local.set $n (i32.sub (local.get $n) (local.get $last)))
              ;; from here on, $last is where the chunk's keys end
              (local.set $last (i32.add (local.get $q) (i32.shl (local.get $last) (i32.const 1))))
              (loop $block
                (local.set $k (i32.load16_u (local.get $q)))
                (if (i16x8.all_true (i16x8.eq (v128.load (local.get $q)) (i16x8.splat (local.get $k))))
                  (then
                    (local.set $a0 (i32.add (local.get $acc) (i32.mul (local.get $k) (i32.const 80))))
                    ;; from column 8 down: column pointers unlike the quads', which the compiler would otherwise compute
                    ;; once for both branches, before the test, and keep (spilled) across it
                    (local.set $ptr (i32.add (local.get $p) (i32.shl (local.get $S) (i32.const 3))))
                    ;; column 8 and the row count
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $hi (v128.const i64x2 4 4))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=64 (local.get $a0) (i64x2.add (v128.load offset=64 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 7 and 6
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=48 (local.get $a0) (i64x2.add (v128.load offset=48 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 5 and 4
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=32 (local.get $a0) (i64x2.add (v128.load offset=32 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 3 and 2
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=16 (local.get $a0) (i64x2.add (v128.load offset=16 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 1 and 0
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (v128.store offset=0 (local.get $a0) (i64x2.add (v128.load offset=0 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))))))
                  (else
                    ;; rows 0-3
                    (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=0 (local.get $q)) (i32.const 80))))
                    (local.set $a1 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=2 (local.get $q)) (i32.const 80))))
                    (local.set $a2 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=4 (local.get $q)) (i32.const 80))))
                    (local.set $a3 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=6 (local.get $q)) (i32.const 80))))
                    (local.set $ptr (local.get $p))
                    ;; columns 0 and 1
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=0 (local.get $a0) (i64x2.add (v128.load offset=0 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=0 (local.get $a1) (i64x2.add (v128.load offset=0 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=0 (local.get $a2) (i64x2.add (v128.load offset=0 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=0 (local.get $a3) (i64x2.add (v128.load offset=0 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 2 and 3
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=16 (local.get $a0) (i64x2.add (v128.load offset=16 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=16 (local.get $a1) (i64x2.add (v128.load offset=16 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=16 (local.get $a2) (i64x2.add (v128.load offset=16 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=16 (local.get $a3) (i64x2.add (v128.load offset=16 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 4 and 5
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=32 (local.get $a0) (i64x2.add (v128.load offset=32 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=32 (local.get $a1) (i64x2.add (v128.load offset=32 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=32 (local.get $a2) (i64x2.add (v128.load offset=32 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=32 (local.get $a3) (i64x2.add (v128.load offset=32 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 6 and 7
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=48 (local.get $a0) (i64x2.add (v128.load offset=48 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=48 (local.get $a1) (i64x2.add (v128.load offset=48 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=48 (local.get $a2) (i64x2.add (v128.load offset=48 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=48 (local.get $a3) (i64x2.add (v128.load offset=48 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; column 8 and the row count: (c8, 1) per row
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $y (local.get $ones))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=64 (local.get $a0) (i64x2.add (v128.load offset=64 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=64 (local.get $a1) (i64x2.add (v128.load offset=64 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=64 (local.get $a2) (i64x2.add (v128.load offset=64 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=64 (local.get $a3) (i64x2.add (v128.load offset=64 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; rows 4-7, from column pointers of their own (shared ones would not all stay in registers)
                    (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=8 (local.get $q)) (i32.const 80))))
                    (local.set $a1 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=10 (local.get $q)) (i32.const 80))))
                    (local.set $a2 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=12 (local.get $q)) (i32.const 80))))
                    (local.set $a3 (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=14 (local.get $q)) (i32.const 80))))
                    (local.set $ptr (i32.add (local.get $p) (i32.const 16)))
                    ;; columns 0 and 1
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=0 (local.get $a0) (i64x2.add (v128.load offset=0 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=0 (local.get $a1) (i64x2.add (v128.load offset=0 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=0 (local.get $a2) (i64x2.add (v128.load offset=0 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=0 (local.get $a3) (i64x2.add (v128.load offset=0 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 2 and 3
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=16 (local.get $a0) (i64x2.add (v128.load offset=16 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=16 (local.get $a1) (i64x2.add (v128.load offset=16 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=16 (local.get $a2) (i64x2.add (v128.load offset=16 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=16 (local.get $a3) (i64x2.add (v128.load offset=16 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 4 and 5
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=32 (local.get $a0) (i64x2.add (v128.load offset=32 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=32 (local.get $a1) (i64x2.add (v128.load offset=32 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=32 (local.get $a2) (i64x2.add (v128.load offset=32 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=32 (local.get $a3) (i64x2.add (v128.load offset=32 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 6 and 7
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=48 (local.get $a0) (i64x2.add (v128.load offset=48 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=48 (local.get $a1) (i64x2.add (v128.load offset=48 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=48 (local.get $a2) (i64x2.add (v128.load offset=48 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=48 (local.get $a3) (i64x2.add (v128.load offset=48 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; column 8 and the row count: (c8, 1) per row
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $y (local.get $ones))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=64 (local.get $a0) (i64x2.add (v128.load offset=64 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=64 (local.get $a1) (i64x2.add (v128.load offset=64 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=64 (local.get $a2) (i64x2.add (v128.load offset=64 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=64 (local.get $a3) (i64x2.add (v128.load offset=64 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))))
                (local.set $p (i32.add (local.get $p) (i32.const 32)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br_if $block (i32.lt_u (local.get $q) (local.get $last))))
              (br $chunk)))
          ;; the last (end − start) mod 8 rows
          (block $tail_done
            (loop $tail
              (br_if $tail_done (i32.eqz (local.get $n)))
              (local.set $k (i32.load16_u (local.get $q)))
              (if (i32.or (i32.lt_u (local.get $k) (local.get $kmin)) (i32.gt_u (local.get $k) (local.get $kmax)))
                (then
                  (local.set $span (call $admit (local.get $acc) (i32.const 1) (local.get $kmin) (local.get $kmax) (local.get $k) (local.get $k) (local.get $limit)))
                  (br_if $leave (i64.lt_s (local.get $span) (i64.const 0)))
                  (local.set $kmin (i32.wrap_i64 (local.get $span)))
                  (local.set $kmax (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))))
              (call $rowU32Int (local.get $p) (local.get $S) (i32.add (local.get $acc) (i32.mul (local.get $k) (i32.const 80))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 2)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $tail))))
        (call $fromInt
          (i32.add (local.get $acc) (i32.mul (local.get $kmin) (i32.const 80)))
          (i32.add (i32.sub (local.get $kmax) (local.get $kmin)) (i32.const 1)))))
    ;; in float, the rows left (all of them when the integer form was not entered)
    (local.set $start (i32.shr_u (i32.sub (local.get $p) (local.get $money)) (i32.const 2)))
    (block $aligned
      (loop $head
        (br_if $aligned (i32.eqz (i32.and (local.get $start) (i32.const 7))))
        (br_if $aligned (i32.eqz (local.get $n)))
        (call $rowU32 (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=0 (local.get $q)) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $head)))
    (block $blocks_done
      (loop $block
        (br_if $blocks_done (i32.lt_u (local.get $n) (i32.const 8)))
        (local.set $k (i32.load16_u (local.get $q)))
        (if (i16x8.all_true (i16x8.eq (v128.load (local.get $q)) (i16x8.splat (local.get $k))))
          (then (call $block8U32 (local.get $p) (local.get $S)
            (i32.add (local.get $acc) (i32.mul (local.get $k) (i32.const 80)))))
          (else
            (call $quadU32 (local.get $p) (local.get $S)
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=0 (local.get $q)) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=2 (local.get $q)) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=4 (local.get $q)) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=6 (local.get $q)) (i32.const 80))))
            (call $quadU32 (i32.add (local.get $p) (i32.const 16)) (local.get $S)
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=8 (local.get $q)) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=10 (local.get $q)) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=12 (local.get $q)) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=14 (local.get $q)) (i32.const 80))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $block)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $n)))
        (call $rowU32 (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.load16_u offset=0 (local.get $q)) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail))))

  ;; Sums per (date, group) key, key = date · $G + group, over rows [$start, $end) of Uint32 columns; otherwise
  ;; as sumByDateU32, whose loops are repeated here rather than shared (V8 does not inline wasm calls). The
  ;; integer form takes in whole dates, every group of each: keys $kmin · $G to $kmax · $G + $G − 1.
  (func (export "sumByDateAndGroupU32")
    (param $money i32) (param $S i32) (param $keys i32) (param $groups i32) (param $G i32)
    (param $start i32) (param $end i32) (param $acc i32)
    (local $p i32) (local $q i32) (local $r i32) (local $n i32) (local $ptr i32) (local $k i32) (local $g i32)
    (local $kmin i32) (local $kmax i32) (local $limit i32) (local $span i64) (local $last i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $x v128) (local $y v128) (local $lo v128) (local $hi v128) (local $low v128) (local $ones v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return)))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $r (i32.add (local.get $groups) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (local.set $low (v128.const i64x2 0xffffffff 0xffffffff))
    (local.set $ones (v128.const i32x4 1 1 1 1))
    (local.set $limit (i32.shr_u (local.get $n) (i32.const 4)))
    ;; the integer form, from the first row's date
    (local.set $kmin (i32.load16_u (local.get $q)))
    (local.set $kmax (local.get $kmin))
    (if (i32.and
          (i32.and (i32.ge_u (local.get $n) (i32.const 64)) (i32.and (i32.ge_u (local.get $G) (i32.const 1)) (i32.le_u (local.get $G) (local.get $limit))))
          (call $intable (i32.add (local.get $acc) (i32.mul (local.get $kmin) (i32.mul (local.get $G) (i32.const 80)))) (local.get $G)))
      (then
        (call $toInt (i32.add (local.get $acc) (i32.mul (local.get $kmin) (i32.mul (local.get $G) (i32.const 80)))) (local.get $G))
        (block $leave
          ;; rows one by one up to a multiple of 8
          (block $aligned
            (loop $head
              (br_if $aligned (i32.eqz (i32.and (local.get $start) (i32.const 7))))
              (br_if $aligned (i32.eqz (local.get $n)))
              (local.set $k (i32.load16_u (local.get $q)))
              (if (i32.or (i32.lt_u (local.get $k) (local.get $kmin)) (i32.gt_u (local.get $k) (local.get $kmax)))
                (then
                  (local.set $span (call $admit (local.get $acc) (local.get $G) (local.get $kmin) (local.get $kmax) (local.get $k) (local.get $k) (local.get $limit)))
                  (br_if $leave (i64.lt_s (local.get $span) (i64.const 0)))
                  (local.set $kmin (i32.wrap_i64 (local.get $span)))
                  (local.set $kmax (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))))
              (call $rowU32Int (local.get $p) (local.get $S) (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (local.get $k) (local.get $G)) (i32.load16_u (local.get $r))) (i32.const 80))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 2)))
              (local.set $r (i32.add (local.get $r) (i32.const 2)))
              (local.set $start (i32.add (local.get $start) (i32.const 1)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $head)))
          ;; chunks of whole blocks: their keys first, then their sums
          (block $chunks_done
            (loop $chunk
              (local.set $last (i32.and (local.get $n) (i32.const -8)))
              (if (i32.gt_u (local.get $last) (i32.const 2048)) (then (local.set $last (i32.const 2048))))
              (br_if $chunks_done (i32.eqz (local.get $last)))
              (local.set $k (call $keyRange (local.get $q) (local.get $last)))
              (if (i32.or
                    (i32.lt_u (i32.and (local.get $k) (i32.const 0xffff)) (local.get $kmin))
                    (i32.gt_u (i32.shr_u (local.get $k) (i32.const 16)) (local.get $kmax)))
                (then
                  (local.set $span (call $admit (local.get $acc) (local.get $G) (local.get $kmin) (local.get $kmax)
                    (i32.and (local.get $k) (i32.const 0xffff)) (i32.shr_u (local.get $k) (i32.const 16)) (local.get $limit)))
                  (br_if $leave (i64.lt_s (local.get $span) (i64.const 0)))
                  (local.set $kmin (i32.wrap_i64 (local.get $span)))
                  (local.set $kmax (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))))
              (local.set $n (i32.sub (local.get $n) (local.get $last)))
              ;; from here on, $last is where the chunk's keys end
              (local.set $last (i32.add (local.get $q) (i32.shl (local.get $last) (i32.const 1))))
              (loop $block
                (local.set $k (i32.load16_u (local.get $q)))
                (local.set $g (i32.load16_u (local.get $r)))
                (if (i32.and
                      (i16x8.all_true (i16x8.eq (v128.load (local.get $q)) (i16x8.splat (local.get $k))))
                      (i16x8.all_true (i16x8.eq (v128.load (local.get $r)) (i16x8.splat (local.get $g)))))
                  (then
                    (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (local.get $k) (local.get $G)) (local.get $g)) (i32.const 80))))
                    ;; from column 8 down: column pointers unlike the quads', which the compiler would otherwise compute
                    ;; once for both branches, before the test, and keep (spilled) across it
                    (local.set $ptr (i32.add (local.get $p) (i32.shl (local.get $S) (i32.const 3))))
                    ;; column 8 and the row count
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $hi (v128.const i64x2 4 4))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=64 (local.get $a0) (i64x2.add (v128.load offset=64 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 7 and 6
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=48 (local.get $a0) (i64x2.add (v128.load offset=48 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 5 and 4
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=32 (local.get $a0) (i64x2.add (v128.load offset=32 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 3 and 2
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (v128.store offset=16 (local.get $a0) (i64x2.add (v128.load offset=16 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))))
                    ;; columns 1 and 0
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $hi (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (local.set $ptr (i32.sub (local.get $ptr) (local.get $S)))
                    (local.set $x (v128.load offset=0 (local.get $ptr)))
                    (local.set $y (v128.load offset=16 (local.get $ptr)))
                    (local.set $lo (i64x2.add
                      (i64x2.add (v128.and (local.get $x) (local.get $low)) (i64x2.shr_u (local.get $x) (i32.const 32)))
                      (i64x2.add (v128.and (local.get $y) (local.get $low)) (i64x2.shr_u (local.get $y) (i32.const 32)))))
                    (v128.store offset=0 (local.get $a0) (i64x2.add (v128.load offset=0 (local.get $a0))
                      (i64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))))))
                  (else
                    ;; rows 0-3
                    (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=0 (local.get $q)) (local.get $G)) (i32.load16_u offset=0 (local.get $r))) (i32.const 80))))
                    (local.set $a1 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=2 (local.get $q)) (local.get $G)) (i32.load16_u offset=2 (local.get $r))) (i32.const 80))))
                    (local.set $a2 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=4 (local.get $q)) (local.get $G)) (i32.load16_u offset=4 (local.get $r))) (i32.const 80))))
                    (local.set $a3 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=6 (local.get $q)) (local.get $G)) (i32.load16_u offset=6 (local.get $r))) (i32.const 80))))
                    (local.set $ptr (local.get $p))
                    ;; columns 0 and 1
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=0 (local.get $a0) (i64x2.add (v128.load offset=0 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=0 (local.get $a1) (i64x2.add (v128.load offset=0 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=0 (local.get $a2) (i64x2.add (v128.load offset=0 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=0 (local.get $a3) (i64x2.add (v128.load offset=0 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 2 and 3
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=16 (local.get $a0) (i64x2.add (v128.load offset=16 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=16 (local.get $a1) (i64x2.add (v128.load offset=16 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=16 (local.get $a2) (i64x2.add (v128.load offset=16 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=16 (local.get $a3) (i64x2.add (v128.load offset=16 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 4 and 5
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=32 (local.get $a0) (i64x2.add (v128.load offset=32 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=32 (local.get $a1) (i64x2.add (v128.load offset=32 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=32 (local.get $a2) (i64x2.add (v128.load offset=32 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=32 (local.get $a3) (i64x2.add (v128.load offset=32 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 6 and 7
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=48 (local.get $a0) (i64x2.add (v128.load offset=48 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=48 (local.get $a1) (i64x2.add (v128.load offset=48 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=48 (local.get $a2) (i64x2.add (v128.load offset=48 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=48 (local.get $a3) (i64x2.add (v128.load offset=48 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; column 8 and the row count: (c8, 1) per row
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $y (local.get $ones))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=64 (local.get $a0) (i64x2.add (v128.load offset=64 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=64 (local.get $a1) (i64x2.add (v128.load offset=64 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=64 (local.get $a2) (i64x2.add (v128.load offset=64 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=64 (local.get $a3) (i64x2.add (v128.load offset=64 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; rows 4-7, from column pointers of their own (shared ones would not all stay in registers)
                    (local.set $a0 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=8 (local.get $q)) (local.get $G)) (i32.load16_u offset=8 (local.get $r))) (i32.const 80))))
                    (local.set $a1 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=10 (local.get $q)) (local.get $G)) (i32.load16_u offset=10 (local.get $r))) (i32.const 80))))
                    (local.set $a2 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=12 (local.get $q)) (local.get $G)) (i32.load16_u offset=12 (local.get $r))) (i32.const 80))))
                    (local.set $a3 (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=14 (local.get $q)) (local.get $G)) (i32.load16_u offset=14 (local.get $r))) (i32.const 80))))
                    (local.set $ptr (i32.add (local.get $p) (i32.const 16)))
                    ;; columns 0 and 1
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=0 (local.get $a0) (i64x2.add (v128.load offset=0 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=0 (local.get $a1) (i64x2.add (v128.load offset=0 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=0 (local.get $a2) (i64x2.add (v128.load offset=0 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=0 (local.get $a3) (i64x2.add (v128.load offset=0 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 2 and 3
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=16 (local.get $a0) (i64x2.add (v128.load offset=16 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=16 (local.get $a1) (i64x2.add (v128.load offset=16 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=16 (local.get $a2) (i64x2.add (v128.load offset=16 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=16 (local.get $a3) (i64x2.add (v128.load offset=16 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 4 and 5
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=32 (local.get $a0) (i64x2.add (v128.load offset=32 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=32 (local.get $a1) (i64x2.add (v128.load offset=32 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=32 (local.get $a2) (i64x2.add (v128.load offset=32 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=32 (local.get $a3) (i64x2.add (v128.load offset=32 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; columns 6 and 7
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $y (v128.load (local.get $ptr)))
                    (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=48 (local.get $a0) (i64x2.add (v128.load offset=48 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=48 (local.get $a1) (i64x2.add (v128.load offset=48 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=48 (local.get $a2) (i64x2.add (v128.load offset=48 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=48 (local.get $a3) (i64x2.add (v128.load offset=48 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))
                    ;; column 8 and the row count: (c8, 1) per row
                    (local.set $x (v128.load (local.get $ptr)))
                    (local.set $y (local.get $ones))
                    (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
                    (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
                    (v128.store offset=64 (local.get $a0) (i64x2.add (v128.load offset=64 (local.get $a0)) (v128.and (local.get $lo) (local.get $low))))
                    (v128.store offset=64 (local.get $a1) (i64x2.add (v128.load offset=64 (local.get $a1)) (i64x2.shr_u (local.get $lo) (i32.const 32))))
                    (v128.store offset=64 (local.get $a2) (i64x2.add (v128.load offset=64 (local.get $a2)) (v128.and (local.get $hi) (local.get $low))))
                    (v128.store offset=64 (local.get $a3) (i64x2.add (v128.load offset=64 (local.get $a3)) (i64x2.shr_u (local.get $hi) (i32.const 32))))))
                (local.set $p (i32.add (local.get $p) (i32.const 32)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (local.set $r (i32.add (local.get $r) (i32.const 16)))
                (br_if $block (i32.lt_u (local.get $q) (local.get $last))))
              (br $chunk)))
          ;; the last (end − start) mod 8 rows
          (block $tail_done
            (loop $tail
              (br_if $tail_done (i32.eqz (local.get $n)))
              (local.set $k (i32.load16_u (local.get $q)))
              (if (i32.or (i32.lt_u (local.get $k) (local.get $kmin)) (i32.gt_u (local.get $k) (local.get $kmax)))
                (then
                  (local.set $span (call $admit (local.get $acc) (local.get $G) (local.get $kmin) (local.get $kmax) (local.get $k) (local.get $k) (local.get $limit)))
                  (br_if $leave (i64.lt_s (local.get $span) (i64.const 0)))
                  (local.set $kmin (i32.wrap_i64 (local.get $span)))
                  (local.set $kmax (i32.wrap_i64 (i64.shr_u (local.get $span) (i64.const 32))))))
              (call $rowU32Int (local.get $p) (local.get $S) (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (local.get $k) (local.get $G)) (i32.load16_u (local.get $r))) (i32.const 80))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 2)))
              (local.set $r (i32.add (local.get $r) (i32.const 2)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $tail))))
        (call $fromInt
          (i32.add (local.get $acc) (i32.mul (local.get $kmin) (i32.mul (local.get $G) (i32.const 80))))
          (i32.mul (i32.add (i32.sub (local.get $kmax) (local.get $kmin)) (i32.const 1)) (local.get $G)))))
    ;; in float, the rows left (all of them when the integer form was not entered)
    (local.set $start (i32.shr_u (i32.sub (local.get $p) (local.get $money)) (i32.const 2)))
    (block $aligned
      (loop $head
        (br_if $aligned (i32.eqz (i32.and (local.get $start) (i32.const 7))))
        (br_if $aligned (i32.eqz (local.get $n)))
        (call $rowU32 (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=0 (local.get $q)) (local.get $G)) (i32.load16_u offset=0 (local.get $r))) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $head)))
    (block $blocks_done
      (loop $block
        (br_if $blocks_done (i32.lt_u (local.get $n) (i32.const 8)))
        (local.set $k (i32.load16_u (local.get $q)))
        (local.set $g (i32.load16_u (local.get $r)))
        (if (i32.and
              (i16x8.all_true (i16x8.eq (v128.load (local.get $q)) (i16x8.splat (local.get $k))))
              (i16x8.all_true (i16x8.eq (v128.load (local.get $r)) (i16x8.splat (local.get $g)))))
          (then (call $block8U32 (local.get $p) (local.get $S)
            (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (local.get $k) (local.get $G)) (local.get $g)) (i32.const 80)))))
          (else
            (call $quadU32 (local.get $p) (local.get $S)
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=0 (local.get $q)) (local.get $G)) (i32.load16_u offset=0 (local.get $r))) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=2 (local.get $q)) (local.get $G)) (i32.load16_u offset=2 (local.get $r))) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=4 (local.get $q)) (local.get $G)) (i32.load16_u offset=4 (local.get $r))) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=6 (local.get $q)) (local.get $G)) (i32.load16_u offset=6 (local.get $r))) (i32.const 80))))
            (call $quadU32 (i32.add (local.get $p) (i32.const 16)) (local.get $S)
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=8 (local.get $q)) (local.get $G)) (i32.load16_u offset=8 (local.get $r))) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=10 (local.get $q)) (local.get $G)) (i32.load16_u offset=10 (local.get $r))) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=12 (local.get $q)) (local.get $G)) (i32.load16_u offset=12 (local.get $r))) (i32.const 80)))
              (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=14 (local.get $q)) (local.get $G)) (i32.load16_u offset=14 (local.get $r))) (i32.const 80))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $block)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $n)))
        (call $rowU32 (local.get $p) (local.get $S)
          (i32.add (local.get $acc) (i32.mul (i32.add (i32.mul (i32.load16_u offset=0 (local.get $q)) (local.get $G)) (i32.load16_u offset=0 (local.get $r))) (i32.const 80))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
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

  ;; The roofline probes of the Uint32 kernels: exactly the bytes sumByDateU32 touches for rows [$start, $end),
  ;; nine Uint32 columns and the date keys, 38 bytes a row, in the same three orders. "streamU32" reads per
  ;; block of eight rows 32 bytes of each money column and 16 bytes of keys (the kernel's blocks);
  ;; "streamColumnsU32" one column after the other; "streamLinesU32" one word of every 64-byte line, which now
  ;; holds sixteen rows of a column, so its blocks are sixteen rows.
  (func (export "streamU32")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (result i32)
    (local $p i32) (local $q i32) (local $ptr i32) (local $n i32) (local $c i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.shr_u (i32.sub (local.get $end) (local.get $start)) (i32.const 3)))
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $ptr (local.get $p))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=0 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=0 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=0 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load offset=0 (local.get $ptr))))
        (local.set $s3 (i64x2.add (local.get $s3) (v128.load offset=16 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (local.get $S)))
        (local.set $s0 (i64x2.add (local.get $s0) (v128.load offset=0 (local.get $ptr))))
        (local.set $s1 (i64x2.add (local.get $s1) (v128.load offset=16 (local.get $ptr))))
        (local.set $s2 (i64x2.add (local.get $s2) (v128.load (local.get $q))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block)))
    ;; the last (end − start) mod 8 rows, column by column
    (local.set $n (i32.and (i32.sub (local.get $end) (local.get $start)) (i32.const 7)))
    (local.set $s1 (i64x2.add (local.get $s1) (call $read (local.get $q) (i32.shl (local.get $n) (i32.const 1)))))
    (local.set $c (i32.const 9))
    (loop $column
      (local.set $s2 (i64x2.add (local.get $s2) (call $read (local.get $p) (i32.shl (local.get $n) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (local.get $S)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br_if $column (local.get $c)))
    (call $fold (i64x2.add (i64x2.add (local.get $s0) (local.get $s1)) (i64x2.add (local.get $s2) (local.get $s3)))))

  (func (export "streamColumnsU32")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (result i32)
    (local $c i32) (local $p i32) (local $sum v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $c (i32.const 9))
    (loop $column
      (local.set $sum (i64x2.add (local.get $sum)
        (call $read (local.get $p) (i32.shl (i32.sub (local.get $end) (local.get $start)) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (local.get $S)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br_if $column (local.get $c)))
    (local.set $sum (i64x2.add (local.get $sum)
      (call $read
        (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1)))
        (i32.shl (i32.sub (local.get $end) (local.get $start)) (i32.const 1)))))
    (call $fold (local.get $sum)))

  (func (export "streamLinesU32")
    (param $money i32) (param $S i32) (param $keys i32) (param $start i32) (param $end i32) (result i32)
    (local $p i32) (local $q i32) (local $ptr i32) (local $n i32) (local $c i32) (local $t0 i64) (local $t1 i64)
    (local $s v128)
    (if (i32.ge_u (local.get $start) (local.get $end)) (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $money) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $q (i32.add (local.get $keys) (i32.shl (local.get $start) (i32.const 1))))
    (local.set $n (i32.shr_u (i32.sub (local.get $end) (local.get $start)) (i32.const 4)))
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
        ;; the keys: 32 bytes a block, so one line every second block (the other hits that line again)
        (local.set $t1 (i64.add (local.get $t1) (i64.load (local.get $q))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block)))
    ;; the last (end − start) mod 16 rows, column by column
    (local.set $n (i32.and (i32.sub (local.get $end) (local.get $start)) (i32.const 15)))
    (local.set $s (call $read (local.get $q) (i32.shl (local.get $n) (i32.const 1))))
    (local.set $c (i32.const 9))
    (loop $column
      (local.set $s (i64x2.add (local.get $s) (call $read (local.get $p) (i32.shl (local.get $n) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (local.get $S)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br_if $column (local.get $c)))
    ;; $t0 and $t1 in lanes of their own (a splat of their sum would cancel out in the fold)
    (call $fold (i64x2.add (local.get $s) (i64x2.replace_lane 1 (i64x2.splat (local.get $t0)) (local.get $t1)))))

  ;; Float dollars into whole cents: $n Float64 dollars from $from, their cents from $to as Float64 ($width 8:
  ;; the Arrow reader reads a money column of a record batch straight into the tape and converts it in place,
  ;; $to = $from) or as Uint32 ($width 4: it reads a piece of the column into a small buffer and writes the
  ;; tape's Uint32 columns at once, 4 bytes a value instead of 8, with no pass of narrowing afterwards).
  ;; $to may be $from or before it, or apart from the dollars: a step stores only after loading its 32 bytes.
  ;; For each value:
  ;;   x = dollars · 100; cents = Math.round(x) (nearest whole number, ties up), bit for bit as the
  ;;   JavaScript reader computes it for every input, then + 0 (−0 becomes 0);
  ;;   valid when dollars ≥ 0 (not NaN), |x − cents| ≤ 1e-12 · max(x, 1), and cents ≤ 2^53 − 1 (no infinity).
  ;; Returns the sum of the cents when every value is valid, else −1: the caller then reads the batch again
  ;; through the cell readers, which name the bad value. As Uint32, −2 when every value is valid but one is
  ;; above 2^32 − 1 (what was written is then not those cents: the caller makes the tape Float64). Two lanes
  ;; sum alternate rows: a sum that stays below 2^53 is exact in any order, and one that does not exceeds
  ;; 2^53 − 1 in any order.
  ;; It also keeps the largest cents it has written since the instance was made ($largest, read by
  ;; largestCents), while every value was valid: when every amount of a tape came through here, that bound
  ;; tells narrowMoney whether Float64 columns fit a Uint32 without a pass of its own over them (fitsUint32).
  ;; Math.round as one rounding to nearest (ties to even) and a correction of the ties it took down: x − c is
  ;; exact, and is +0.5 just where a tie went down. Adding the correction (+1 or +0) also turns −0 into 0, and
  ;; |x − c| is the same before and after it. Only the tolerance is tested on every value: the sign and the
  ;; size are tested once, on the smallest dollars and the largest cents kept in registers (a NaN or an
  ;; infinity fails the tolerance, as x − c is then NaN). As Uint32, a valid value's cents c is whole and in
  ;; [0, 2^32) when the call succeeds: c + 2^52 is the f64 whose low 32 bits are c, exactly, so one add and a
  ;; shuffle gather four of them. About 16 operations a pair of values.
  (func (export "centsFromDollars") (param $from i32) (param $to i32) (param $n i32) (param $width i32) (result f64)
    (local $end i32) (local $vend i32) (local $d v128) (local $x v128) (local $c v128) (local $diff v128) (local $first v128)
    (local $ok v128) (local $sum v128) (local $top v128) (local $low v128)
    (local $hundred v128) (local $half v128) (local $one v128) (local $magnitude v128) (local $epsilon v128) (local $bias v128)
    (local $sd f64) (local $sx f64) (local $sc f64) (local $sdiff f64) (local $bad i32) (local $total f64)
    (local $largestHere f64) (local $lowest f64)
    ;; constants from mutable globals, read once: V8 would build a constant operand again on every pass of the
    ;; loop (three instructions each), and these stay in registers
    (local.set $hundred (global.get $hundred))
    (local.set $half (global.get $half))
    (local.set $one (global.get $one))
    (local.set $magnitude (global.get $magnitude))
    (local.set $epsilon (global.get $epsilon))
    (local.set $bias (global.get $bias))
    (local.set $ok (v128.const i64x2 -1 -1))
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $from) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $from) (local.get $vend)))
        ;; the first pair, kept in $first
        (local.set $d (v128.load (local.get $from)))
        (local.set $x (f64x2.mul (local.get $d) (local.get $hundred)))
        (local.set $c (f64x2.nearest (local.get $x)))
        (local.set $diff (f64x2.sub (local.get $x) (local.get $c)))
        (local.set $c (f64x2.add (local.get $c)
          (v128.and (f64x2.eq (local.get $diff) (local.get $half)) (local.get $one))))
        (local.set $ok (v128.and (local.get $ok)
          (f64x2.le
            (v128.and (local.get $diff) (local.get $magnitude))
            (f64x2.mul (local.get $epsilon) (f64x2.pmax (local.get $one) (local.get $x))))))
        (local.set $sum (f64x2.add (local.get $sum) (local.get $c)))
        (local.set $top (f64x2.pmax (local.get $top) (local.get $c)))
        (local.set $low (f64x2.pmin (local.get $low) (local.get $d)))
        (local.set $first (local.get $c))
        ;; the second pair, the same way
        (local.set $d (v128.load offset=16 (local.get $from)))
        (local.set $x (f64x2.mul (local.get $d) (local.get $hundred)))
        (local.set $c (f64x2.nearest (local.get $x)))
        (local.set $diff (f64x2.sub (local.get $x) (local.get $c)))
        (local.set $c (f64x2.add (local.get $c)
          (v128.and (f64x2.eq (local.get $diff) (local.get $half)) (local.get $one))))
        (local.set $ok (v128.and (local.get $ok)
          (f64x2.le
            (v128.and (local.get $diff) (local.get $magnitude))
            (f64x2.mul (local.get $epsilon) (f64x2.pmax (local.get $one) (local.get $x))))))
        (local.set $sum (f64x2.add (local.get $sum) (local.get $c)))
        (local.set $top (f64x2.pmax (local.get $top) (local.get $c)))
        (local.set $low (f64x2.pmin (local.get $low) (local.get $d)))
        ;; the same branch on every pass: predicted
        (if (i32.eq (local.get $width) (i32.const 8))
          (then
            (v128.store (local.get $to) (local.get $first))
            (v128.store offset=16 (local.get $to) (local.get $c))
            (local.set $to (i32.add (local.get $to) (i32.const 32))))
          (else
            (v128.store (local.get $to)
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.add (local.get $first) (local.get $bias)) (f64x2.add (local.get $c) (local.get $bias))))
            (local.set $to (i32.add (local.get $to) (i32.const 16)))))
        (local.set $from (i32.add (local.get $from) (i32.const 32)))
        (br $four)))
    (local.set $total (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
    (local.set $largestHere (f64.max (f64x2.extract_lane 0 (local.get $top)) (f64x2.extract_lane 1 (local.get $top))))
    (local.set $lowest (f64.min (f64x2.extract_lane 0 (local.get $low)) (f64x2.extract_lane 1 (local.get $low))))
    (local.set $bad (i32.eqz (i64x2.all_true (local.get $ok))))
    ;; the last $n mod 4 values, one by one, the same way
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $sd (f64.load (local.get $from)))
        (local.set $sx (f64.mul (local.get $sd) (f64.const 100)))
        (local.set $sc (f64.nearest (local.get $sx)))
        (local.set $sdiff (f64.sub (local.get $sx) (local.get $sc)))
        (local.set $sc (f64.add (local.get $sc)
          (select (f64.const 1) (f64.const 0) (f64.eq (local.get $sdiff) (f64.const 0.5)))))
        (if (i32.eqz (f64.le (f64.abs (local.get $sdiff))
                             (f64.mul (f64.const 1e-12) (f64.max (local.get $sx) (f64.const 1)))))
          (then (local.set $bad (i32.const 1))))
        (if (i32.eq (local.get $width) (i32.const 8))
          (then
            (f64.store (local.get $to) (local.get $sc))
            (local.set $to (i32.add (local.get $to) (i32.const 8))))
          (else
            ;; saturating: a value that is not valid writes something, and never traps
            (i32.store (local.get $to) (i32.trunc_sat_f64_u (local.get $sc)))
            (local.set $to (i32.add (local.get $to) (i32.const 4)))))
        ;; NaN has failed above; f64.max and f64.min would carry it into the bounds
        (if (i32.eqz (local.get $bad))
          (then
            (local.set $largestHere (f64.max (local.get $largestHere) (local.get $sc)))
            (local.set $lowest (f64.min (local.get $lowest) (local.get $sd)))))
        (local.set $total (f64.add (local.get $total) (local.get $sc)))
        (local.set $from (i32.add (local.get $from) (i32.const 8)))
        (br $tail)))
    (if (f64.lt (local.get $lowest) (f64.const 0)) (then (local.set $bad (i32.const 1))))
    (if (f64.gt (local.get $largestHere) (f64.const 9007199254740991)) (then (local.set $bad (i32.const 1))))
    (if (local.get $bad) (then (return (f64.const -1))))
    (global.set $largest (f64.max (global.get $largest) (local.get $largestHere)))
    (if (result f64) (i32.and (i32.eq (local.get $width) (i32.const 4)) (f64.gt (local.get $largestHere) (f64.const 4294967295)))
      (then (f64.const -2))
      (else (local.get $total))))

  ;; The largest cents centsFromDollars has written in this instance: a bound of the amounts only while no
  ;; call has returned −1.
  (global $largest (mut f64) (f64.const 0))
  (func (export "largestCents") (result f64) (global.get $largest))

  ;; centsFromDollars' constants
  (global $hundred (mut v128) (v128.const f64x2 100 100))
  ;; 2^52: a whole number in [0, 2^32) plus this is the f64 whose low 32 bits are that number
  (global $bias (mut v128) (v128.const f64x2 4503599627370496 4503599627370496))
  (global $half (mut v128) (v128.const f64x2 0.5 0.5))
  (global $one (mut v128) (v128.const f64x2 1 1))
  ;; all but the sign bit: |v| as v & $magnitude
  (global $magnitude (mut v128) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff))
  (global $epsilon (mut v128) (v128.const f64x2 1e-12 1e-12))

  ;; Every byte of [$p, $p + $bytes) ($bytes even) folded into one v128: 64 bytes a step into four
  ;; accumulators, then the remaining 16-bit words one by one into one lane (a word in both lanes would
  ;; cancel out in $fold).
  (func $read (param $p i32) (param $bytes i32) (result v128)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $words i64)
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
        (local.set $words (i64.add (local.get $words) (i64.load16_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br $tail)))
    (local.set $s0 (i64x2.add (local.get $s0) (i64x2.replace_lane 0 (v128.const i64x2 0 0) (local.get $words))))
    (i64x2.add (i64x2.add (local.get $s0) (local.get $s1)) (i64x2.add (local.get $s2) (local.get $s3))))

  ;; Four 32-bit lanes xor-ed into one i32, a value JavaScript receives without a BigInt.
  (func $fold (param $v v128) (result i32)
    (i32.xor
      (i32.xor (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.xor (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

;; Narrowing a read tape's money columns to Uint32 cents (src/engine/columns.ts, narrowMoney): first every
;; column checked, then each moved down to its narrow place. Values are whole, non-negative cents, so the
;; check is an upper bound, and the conversion is exact.

  ;; 1 when each of the $count Float64 values from byte $at is at most 2^32 − 1, else 0. A compare and an
  ;; or per pair, in two registers: no branch in the loop.
  (func (export "fitsUint32") (param $at i32) (param $count i32) (result i32)
    (local $end i32) (local $vend i32) (local $over0 v128) (local $over1 v128) (local $limit v128) (local $over i32)
    (local.set $limit (v128.const f64x2 4294967295 4294967295))
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $vend (i32.add (local.get $at) (i32.and (i32.shl (local.get $count) (i32.const 3)) (i32.const -32))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $at) (local.get $vend)))
        (local.set $over0 (v128.or (local.get $over0) (f64x2.gt (v128.load (local.get $at)) (local.get $limit))))
        (local.set $over1 (v128.or (local.get $over1) (f64x2.gt (v128.load offset=16 (local.get $at)) (local.get $limit))))
        (local.set $at (i32.add (local.get $at) (i32.const 32)))
        (br $four)))
    (local.set $over (v128.any_true (v128.or (local.get $over0) (local.get $over1))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $over (i32.or (local.get $over) (f64.gt (f64.load (local.get $at)) (f64.const 4294967295))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $tail)))
    (i32.eqz (local.get $over)))

  ;; $count Float64 values from byte $from as Uint32 from byte $to, in place: $to ≤ $from, and a step stores
  ;; its 16 bytes only after loading its 32, so no store reaches a value not yet loaded. Every value must
  ;; be a whole number in [0, 2^32) (fitsUint32 checked it). Such a value v plus 2^52 is the f64 whose low
  ;; 32 bits are v, exactly: one add, and a shuffle gathers four of them.
  (func (export "narrowMoney") (param $from i32) (param $to i32) (param $count i32)
    (local $end i32) (local $vend i32) (local $bias v128)
    (local.set $bias (v128.const f64x2 4503599627370496 4503599627370496))
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $vend (i32.add (local.get $from) (i32.and (i32.shl (local.get $count) (i32.const 3)) (i32.const -32))))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $from) (local.get $vend)))
        (v128.store (local.get $to)
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (v128.load (local.get $from)) (local.get $bias))
            (f64x2.add (v128.load offset=16 (local.get $from)) (local.get $bias))))
        (local.set $from (i32.add (local.get $from) (i32.const 32)))
        (local.set $to (i32.add (local.get $to) (i32.const 16)))
        (br $four)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $from) (local.get $end)))
        (i32.store (local.get $to) (i32.wrap_i64 (i64.trunc_f64_u (f64.load (local.get $from)))))
        (local.set $from (i32.add (local.get $from) (i32.const 8)))
        (local.set $to (i32.add (local.get $to) (i32.const 4)))
        (br $tail))))

  ;; ---- Grouping rows by date (src/engine/columns.ts, groupRowsByDate) ----

  ;; How many rows each key has: $counts[k] += 1 for each of the $count Uint16 keys at $keys (Uint32 counts,
  ;; set by the caller). Returns 1 when the keys never descend (the rows are grouped already), else 0.
  (func (export "countKeys") (param $keys i32) (param $count i32) (param $counts i32) (result i32)
    (local $end i32) (local $key i32) (local $previous i32) (local $descents i32) (local $at i32)
    (local.set $end (i32.add (local.get $keys) (i32.shl (local.get $count) (i32.const 1))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $keys) (local.get $end)))
        (local.set $key (i32.load16_u (local.get $keys)))
        (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $key) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $descents (i32.or (local.get $descents) (i32.lt_u (local.get $key) (local.get $previous))))
        (local.set $previous (local.get $key))
        (local.set $keys (i32.add (local.get $keys) (i32.const 2)))
        (br $row)))
    (i32.eqz (local.get $descents)))

  ;; $count Uint32 values from byte $from, value i to place $cursors[$keys[i]]++ of the column at byte $to
  ;; (Uint16 keys, Uint32 cursors starting at each key's first place): each row goes after the rows of its key
  ;; before it. The keys are read again for every column, 2 bytes a row, rather than a place written once
  ;; for all (4 bytes a row, written and then read for every column).
  (func (export "scatterByKeyU32") (param $from i32) (param $keys i32) (param $cursors i32) (param $to i32) (param $count i32)
    (local $end i32) (local $cursor i32) (local $place i32)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $value
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $cursor (i32.add (local.get $cursors) (i32.shl (i32.load16_u (local.get $keys)) (i32.const 2))))
        (local.set $place (i32.load (local.get $cursor)))
        (i32.store (local.get $cursor) (i32.add (local.get $place) (i32.const 1)))
        (i32.store (i32.add (local.get $to) (i32.shl (local.get $place) (i32.const 2))) (i32.load (local.get $from)))
        (local.set $from (i32.add (local.get $from) (i32.const 4)))
        (local.set $keys (i32.add (local.get $keys) (i32.const 2)))
        (br $value))))

  ;; The same for Uint16 values.
  (func (export "scatterByKeyU16") (param $from i32) (param $keys i32) (param $cursors i32) (param $to i32) (param $count i32)
    (local $end i32) (local $cursor i32) (local $place i32)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $count) (i32.const 1))))
    (block $done
      (loop $value
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $cursor (i32.add (local.get $cursors) (i32.shl (i32.load16_u (local.get $keys)) (i32.const 2))))
        (local.set $place (i32.load (local.get $cursor)))
        (i32.store (local.get $cursor) (i32.add (local.get $place) (i32.const 1)))
        (i32.store16 (i32.add (local.get $to) (i32.shl (local.get $place) (i32.const 1))) (i32.load16_u (local.get $from)))
        (local.set $from (i32.add (local.get $from) (i32.const 2)))
        (local.set $keys (i32.add (local.get $keys) (i32.const 2)))
        (br $value))))

)
