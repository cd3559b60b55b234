"use strict";
/** Result shapes shared by the suites, the orchestrator and the report. */
Object.defineProperty(exports, "__esModule", { value: true });
exports.speed = speed;
exports.compare = compare;
exports.atLeast = atLeast;
exports.failedMeasurement = failedMeasurement;
exports.median = median;
/** Speed of a measurement in its natural unit (MB/s if it moves bytes, else ops/s). */
function speed(m) {
    return m.mbPerSec ?? m.opsPerSec;
}
function compare(group, subject, baseline, target) {
    const ratio = subject.failed || baseline.failed ? Number.NaN : speed(subject) / speed(baseline);
    return { group, subject, baseline, ratio, target: target?.(ratio) };
}
/** Target: ratio at least `min` (e.g. 0.9 × baseline). */
function atLeast(min, label) {
    return (ratio) => ({ text: label ?? `≥ ${min}×`, met: ratio >= min });
}
/** A measurement that could not be taken because `error` was thrown. */
function failedMeasurement(name, error) {
    const e = error;
    const text = [e?.code, e?.message ?? String(error)].filter(Boolean).join(': ');
    return { name, opsPerSec: Number.NaN, nsPerOp: Number.NaN, failed: text };
}
function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
