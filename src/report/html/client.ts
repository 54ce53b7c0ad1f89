/**
 * The script of a report page: it reads the page's data island and draws each ChartSpec with uPlot. It runs
 * in the browser, so it is kept as plain ES2017 text (no build step, nothing the page would have to load);
 * the browser test (test/browser-reports.test.ts) runs it in Chromium on every report kind.
 *
 * It never inserts data as HTML: titles, notes and labels go in through textContent, and values through the
 * canvas. When every chart has drawn, it sets `data-charts-ready` (how many) and `data-draw-ms` (time since
 * navigation start) on <html>, which the browser test waits for and reports.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';
  var AXIS_FONT = '12px ' + FONT_FAMILY;
  var LABEL_FONT = '600 12px ' + FONT_FAMILY;
  var AXIS_STROKE = '#374151';
  var GRID = { stroke: '#e5e7eb', width: 1 };
  var TICKS = { stroke: '#d1d5db', width: 1, size: 5 };

  function num(v) {
    if (v == null || !isFinite(v)) return '\u2014';
    var a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 1000) return Math.round(v).toLocaleString('en-US');
    if (a >= 100) return v.toFixed(1);
    if (a >= 10) return v.toFixed(2);
    if (a >= 1) return v.toFixed(3);
    return String(Number(v.toPrecision(3)));
  }
  function short(v) {
    if (v == null || !isFinite(v)) return '';
    var a = Math.abs(v);
    if (a >= 1e9) return +(v / 1e9).toPrecision(3) + 'G';
    if (a >= 1e6) return +(v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e4) return +(v / 1e3).toPrecision(3) + 'k';
    return String(+v.toPrecision(4));
  }
  function rows(v) {
    if (v >= 1e6) return +(v / 1e6).toPrecision(3) + 'M';
    if (v >= 1e3) return +(v / 1e3).toPrecision(3) + 'k';
    return String(v);
  }
  function percentileOf(x) {
    var p = 100 * (1 - 1 / x);
    var decimals = Math.max(0, Math.min(5, Math.ceil(Math.log10(x) - 1e-9) - 2));
    return p.toFixed(decimals) + '%';
  }
  function tickFormatter(axis) {
    return function (u, splits) {
      return splits.map(function (v) {
        if (v == null) return '';
        if (axis.kind === 'percentile') return percentileOf(v);
        if (axis.kind === 'category') {
          var c = axis.categories || [];
          return Number.isInteger(v) && v >= 0 && v < c.length ? c[v] : '';
        }
        if (axis.kind === 'log') {
          // only whole decades and their 2× and 5× get a label, so the axis stays readable
          var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
          if (!(Math.abs(m - 1) < 1e-6 || Math.abs(m - 2) < 1e-6 || Math.abs(m - 5) < 1e-6)) return '';
        }
        if (axis.format === 'rows') return rows(v);
        if (axis.format === 'percent') return short(v) + '%';
        return short(v);
      });
    };
  }
  function axisSize(self, values, axisIdx, cycleNum) {
    var axis = self.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var size = axis.ticks.size + axis.gap;
    var longest = (values || []).reduce(function (acc, v) { return v && v.length > acc.length ? v : acc; }, '');
    if (longest !== '') {
      self.ctx.font = axis.font[0];
      size += self.ctx.measureText(longest).width / devicePixelRatio;
    }
    return Math.ceil(size) + 4;
  }
  function dataRange(spec, u, dataMin, dataMax, axis) {
    var lo = dataMin, hi = dataMax;
    (axis.include || []).forEach(function (v) {
      if (lo == null || v < lo) lo = v;
      if (hi == null || v > hi) hi = v;
    });
    if (lo == null || hi == null) { lo = axis.kind === 'log' ? 1 : 0; hi = axis.kind === 'log' ? 10 : 1; }
    if (axis.kind === 'log' || axis.kind === 'percentile') {
      var r = uPlot.rangeLog(lo, hi, 10, false);
      if (axis.min != null) r[0] = axis.min;
      if (axis.max != null) r[1] = axis.max;
      return r;
    }
    var rn = uPlot.rangeNum(axis.min != null ? Math.min(axis.min, lo) : lo, hi, 0.08, true);
    if (axis.min != null) rn[0] = axis.min;
    if (axis.max != null) rn[1] = axis.max;
    return rn;
  }
  function scaleFor(spec, axis) {
    var log = axis.kind === 'log' || axis.kind === 'percentile';
    var scale = { time: false, distr: log ? 3 : 1, log: 10 };
    if (axis.kind === 'category') {
      var n = (axis.categories || []).length;
      scale.range = function () { return [-0.5, n - 0.5]; };
    } else {
      scale.range = function (u, dataMin, dataMax) { return dataRange(spec, u, dataMin, dataMax, axis); };
    }
    return scale;
  }
  function axisFor(axis, isY) {
    var a = {
      label: axis.label,
      labelFont: LABEL_FONT,
      labelSize: 20,
      font: AXIS_FONT,
      stroke: AXIS_STROKE,
      grid: GRID,
      ticks: TICKS,
      values: tickFormatter(axis),
    };
    if (isY) a.size = axisSize;
    if (axis.kind === 'log') {
      a.splits = function (u, axisIdx, min, max) {
        var s = [], lo = Math.floor(Math.log10(min) + 1e-9), hi = Math.ceil(Math.log10(max) - 1e-9);
        var mults = hi - lo <= 3 ? [1, 2, 5] : [1];
        for (var e = lo; e <= hi; e++) {
          mults.forEach(function (m) {
            var v = m * Math.pow(10, e);
            if (v >= min * 0.9999 && v <= max * 1.0001) s.push(+v.toPrecision(12));
          });
        }
        return s;
      };
    }
    if (axis.kind === 'category') {
      var n = (axis.categories || []).length;
      a.splits = function () { var s = []; for (var i = 0; i < n; i++) s.push(i); return s; };
      a.grid = { show: false };
    }
    if (axis.kind === 'percentile') {
      a.splits = function (u) {
        var s = [], max = u.scales.x.max || 1e5;
        for (var v = 1; v <= max * 1.0001; v *= 10) s.push(v);
        return s;
      };
    }
    return a;
  }
  function xValue(axis) {
    return function (u, v) {
      if (v == null) return '';
      if (axis.kind === 'percentile') {
        var p = 100 * (1 - 1 / v);
        var d = Math.max(1, Math.min(5, Math.ceil(Math.log10(v)) - 1));
        return p.toFixed(d) + '%';
      }
      if (axis.kind === 'category') return (axis.categories || [])[v] || '';
      return num(v);
    };
  }
  function seriesFor(s) {
    var o = {
      label: s.label,
      stroke: s.color,
      width: s.width || 1.5,
      spanGaps: !!s.spanGaps,
      points: { show: !!s.points, size: 7, fill: s.color, stroke: s.color },
      value: function (u, v) { return v == null ? '' : num(v) + (s.unit ? ' ' + s.unit : ''); },
    };
    if (s.dash) o.dash = s.dash;
    if (s.fill) o.fill = s.fill;
    if (s.bars) {
      o.paths = uPlot.paths.bars({ size: [0.55, 90] });
      o.fill = s.fill || s.color;
      o.points = { show: false };
    }
    return o;
  }
  function markers(spec) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, r = devicePixelRatio, b = u.bbox;
          ctx.save();
          ctx.font = (11 * r) + 'px ' + FONT_FAMILY;
          (spec.vlines || []).forEach(function (m) {
            var x = Math.round(u.valToPos(m.x, 'x', true));
            if (!(x >= b.left && x <= b.left + b.width)) return;
            ctx.strokeStyle = m.strong ? 'rgba(17,24,39,0.55)' : 'rgba(107,114,128,0.35)';
            ctx.lineWidth = (m.strong ? 1.5 : 1) * r;
            ctx.setLineDash(m.strong ? [] : [3 * r, 3 * r]);
            ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
            if (m.strong) {
              // in the padding above the plot, where no data or threshold line can run into it
              ctx.fillStyle = '#111827';
              var w = ctx.measureText(m.label).width;
              ctx.textAlign = 'left';
              var tx = Math.max(b.left, Math.min(x - w / 2, b.left + b.width - w));
              ctx.fillText(m.label, tx, b.top - 6 * r);
            }
          });
          var ys = u.scales.y;
          (spec.hlines || []).forEach(function (l) {
            if (!(l.y >= ys.min && l.y <= ys.max)) return;
            var y = Math.round(u.valToPos(l.y, 'y', true));
            ctx.strokeStyle = l.color;
            ctx.lineWidth = 1.5 * r;
            ctx.setLineDash([6 * r, 4 * r]);
            ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
            ctx.textAlign = 'right';
            var lw = ctx.measureText(l.label).width;
            var ly = y - b.top < 16 * r ? y + 13 * r : y - 4 * r;
            ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
            ctx.fillRect(b.left + b.width - 6 * r - lw, ly - 10 * r, lw + 4 * r, 13 * r);
            ctx.fillStyle = l.color;
            // above the line, or below it when the line runs along the top of the plot
            ctx.fillText(l.label, b.left + b.width - 4 * r, ly);
          });
          ctx.restore();
        }],
      },
    };
  }
  function widthOf(el) { return Math.max(320, Math.floor(el.clientWidth)); }

  var data = JSON.parse(document.getElementById('report-data').textContent);
  var made = [];
  (data.charts || []).forEach(function (spec) {
    var box = document.getElementById('chart-' + spec.id);
    if (!box) { console.error('no element for chart ' + spec.id); return; }
    var title = document.createElement('div');
    title.className = 'chart-title';
    title.textContent = spec.title;
    box.appendChild(title);
    (spec.notes || []).forEach(function (line) {
      var note = document.createElement('div');
      note.className = 'chart-note';
      note.textContent = line;
      box.appendChild(note);
    });
    var plot = document.createElement('div');
    plot.className = 'chart-plot';
    box.appendChild(plot);
    try {
      var opts = {
        width: widthOf(plot),
        height: spec.height || 280,
        scales: { x: scaleFor(spec, spec.x), y: scaleFor(spec, spec.y) },
        axes: [axisFor(spec.x, false), axisFor(spec.y, true)],
        series: [{ label: spec.x.label, value: xValue(spec.x) }].concat(spec.series.map(seriesFor)),
        bands: (spec.bands || []).map(function (b) { return { series: [b.upper, b.lower], fill: b.fill }; }),
        padding: [(spec.vlines || []).some(function (m) { return m.strong; }) ? 24 : 12, 30, null, null],
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        plugins: [markers(spec)],
      };
      var u = new uPlot(opts, spec.data, plot);
      spec.series.forEach(function (s, i) {
        if (s.legend === false) {
          var row = u.root.querySelectorAll('.u-legend .u-series')[i + 1];
          if (row) row.style.display = 'none';
        }
      });
      made.push({ u: u, plot: plot });
    } catch (e) {
      plot.textContent = 'This chart could not be drawn: ' + (e && e.message ? e.message : e);
      console.error('chart ' + spec.id + ': ' + (e && e.stack ? e.stack : e));
    }
  });
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      made.forEach(function (m) { m.u.setSize({ width: widthOf(m.plot), height: m.u.height }); });
    }, 100);
  });
  requestAnimationFrame(function () {
    document.documentElement.setAttribute('data-charts-ready', String(made.length));
    document.documentElement.setAttribute('data-draw-ms', performance.now().toFixed(1));
  });
})();
`;
