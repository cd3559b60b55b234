"use strict";
/**
 * Scale: opening a 10^9-element (8 GB sparse) vector, and reading its first and last
 * elements, against the same on the 8 MB file; then get(0) against get(10^9 − 1).
 *
 * If get() throws on the 8 GB vector, that is recorded as a failure and the same work
 * is measured again with getMany([i]) (which reads through the native side), so the
 * O(1) claims are still shown.
 */
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.bigOpen = bigOpen;
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const mmvec_1 = require("mmvec");
const fixtures_js_1 = require("./fixtures.js");
const timing_js_1 = require("./timing.js");
const types_js_1 = require("./types.js");
const BIG_BYTES = 8e9;
const BIG_LAST = BIG_BYTES / 8 - 1; // 999_999_999
const OPENS = 20;
const BATCH = 10_000;
/** "Costs the same": within 0.8–1.25× of each other. */
const same = (label) => (ratio) => ({ text: `${label}: 0.8–1.25×`, met: ratio >= 0.8 && ratio <= 1.25 });
const OPEN_GROUP = 'open (r) + read first and last + close, 8 GB vs 8 MB (one op)';
const GET_GROUP = 'read at the end vs the start of 10^9 elements';
const viaGet = (v, i) => v.get(i);
const viaGetMany = (v, i) => v.getMany([i])[0];
function openTasks(big, small, read, how) {
    const smallLast = fixtures_js_1.COUNT - 1;
    return (0, timing_js_1.runGroup)([
        {
            name: `open 8 GB + ${how(0)} + ${how(BIG_LAST)} + close`,
            batch: OPENS,
            fn: () => {
                let s = 0;
                for (let k = 0; k < OPENS; k++) {
                    const v = mmvec_1.MmapVector.open(big, { mode: 'r' });
                    s += read(v, 0) + read(v, BIG_LAST);
                    v.close();
                }
                return s;
            },
        },
        {
            name: `open 8 MB + ${how(0)} + ${how(smallLast)} + close`,
            batch: OPENS,
            fn: () => {
                let s = 0;
                for (let k = 0; k < OPENS; k++) {
                    const v = mmvec_1.MmapVector.open(small, { mode: 'r' });
                    s += read(v, 0) + read(v, smallLast);
                    v.close();
                }
                return s;
            },
        },
    ]);
}
function endTasks(vector, read, how) {
    return (0, timing_js_1.runGroup)([
        {
            name: `${how(BIG_LAST)} on 8 GB`,
            batch: BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < BATCH; k++)
                    s += read(vector, BIG_LAST - (k & 1));
                return s;
            },
        },
        {
            name: `${how(0)} on 8 GB`,
            batch: BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < BATCH; k++)
                    s += read(vector, k & 1);
                return s;
            },
        },
    ]);
}
function bigOpen(fx) {
    const big = path.join(fx.dir, 'big.f64');
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, BIG_BYTES);
    fs.closeSync(fd);
    const notes = [
        'Scale: the 8 GB file is sparse (ftruncate to 8e9 bytes). The read-at-end loops alternate between two neighbouring indices (0/1 and 999999998/999999999).',
    ];
    const comparisons = [];
    const rssBefore = process.memoryUsage().rss;
    const vector = mmvec_1.MmapVector.open(big, { mode: 'r' });
    try {
        if (vector.length !== BIG_LAST + 1)
            throw new Error(`8 GB vector has length ${vector.length}`);
        let getError;
        try {
            viaGet(vector, 0);
            viaGet(vector, BIG_LAST);
        }
        catch (error) {
            getError = error;
        }
        let read = viaGet;
        let how = (i) => `get(${i})`;
        if (getError !== undefined) {
            comparisons.push((0, types_js_1.compare)(GET_GROUP, (0, types_js_1.failedMeasurement)('get(999999999) on 8 GB', getError), (0, types_js_1.failedMeasurement)('get(0) on 8 GB', getError), same('size-independent get')));
            notes.push('Scale: get(i) threw on the 8 GB vector (the failed row), so the open and read-at-end rows read through getMany([i]) instead.');
            read = viaGetMany;
            how = (i) => `getMany([${i}])`;
        }
        const [openBig, openSmall] = openTasks(big, fx.fsPath, read, how);
        comparisons.push((0, types_js_1.compare)(OPEN_GROUP, openBig, openSmall, same('O(1) open')));
        const [last, first] = endTasks(vector, read, how);
        comparisons.push((0, types_js_1.compare)(GET_GROUP, last, first, same('size-independent read')));
    }
    finally {
        vector.close();
    }
    const rssGrowth = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    notes.push(`Scale: all the opens and reads of the 8 GB vector grew this process's RSS by ${rssGrowth.toFixed(1)} MiB in total.`);
    return { comparisons, notes };
}
