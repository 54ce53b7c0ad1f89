/** Self-contained HTML reports: the soak run directory's report.html and the load report's page. */
export { readSoakRun, renderSoakReport, writeSoakReport, SOAK_REPORT_FILE, type SoakReportOptions, type SoakRunFiles } from './soak.js';
export { loadReportPathFor, renderLoadReport, writeLoadReport, type LoadReportOptions } from './load.js';
export { downsampleMinMax, DEFAULT_MAX_POINTS, type Downsampled } from './downsample.js';
