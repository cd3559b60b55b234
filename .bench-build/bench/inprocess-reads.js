"use strict";
/**
 * Reads: random get(i), view()[i], sequential scans and 1,000-index gathers, each against
 * a plain Float64Array (the physical limit), fs.readSync and lmdb. Every task body is its
 * own function literal, so V8 keeps separate type feedback for each loop.
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
exports.randomGet = randomGet;
exports.randomView = randomView;
exports.sequentialScan = sequentialScan;
exports.gather = gather;
const fs = __importStar(require("node:fs"));
const fixtures_js_1 = require("./fixtures.js");
const timing_js_1 = require("./timing.js");
const types_js_1 = require("./types.js");
const ahead = (0, types_js_1.atLeast)(1, '> 1× (ahead)');
const BATCH = 10_000;
const SLOW_BATCH = 500;
function randomGet(fx) {
    const { vector, plain, indices, fsFd, lmdb } = fx;
    const cell = new Float64Array(1);
    const cellBytes = new Uint8Array(cell.buffer);
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    const [get, array, readSync, lmdbGet] = (0, timing_js_1.runGroup)([
        {
            name: 'MmapVector get(i)',
            batch: BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < BATCH; k++)
                    s += vector.get(indices[a++ & fixtures_js_1.INDEX_MASK]);
                return s;
            },
        },
        {
            name: 'Float64Array[i]',
            batch: BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < BATCH; k++)
                    s += plain[indices[b++ & fixtures_js_1.INDEX_MASK]];
                return s;
            },
        },
        {
            name: 'fs.readSync 8 B at offset',
            batch: SLOW_BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < SLOW_BATCH; k++) {
                    fs.readSync(fsFd, cellBytes, 0, 8, indices[c++ & fixtures_js_1.INDEX_MASK] * 8);
                    s += cell[0];
                }
                return s;
            },
        },
        {
            name: 'lmdb getBinary (8 B value)',
            batch: SLOW_BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < SLOW_BATCH; k++)
                    s += lmdb.getBinary(indices[d++ & fixtures_js_1.INDEX_MASK]).readDoubleLE(0);
                return s;
            },
        },
    ]);
    const maxNs = (ns) => ({ text: '≤ 40 ns/op', met: ns <= 40 });
    return [
        (0, types_js_1.compare)('random read, 1M float64', get, array, () => maxNs(get.nsPerOp)),
        (0, types_js_1.compare)('random read, 1M float64', get, readSync, ahead),
        (0, types_js_1.compare)('random read, 1M float64', get, lmdbGet, ahead),
    ];
}
function randomView(fx) {
    const { vector, plain, indices } = fx;
    const view = vector.view();
    let a = 0;
    let b = 0;
    const [mapped, array] = (0, timing_js_1.runGroup)([
        {
            name: 'view()[i]',
            batch: BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < BATCH; k++)
                    s += view[indices[a++ & fixtures_js_1.INDEX_MASK]];
                return s;
            },
        },
        {
            name: 'Float64Array[i]',
            batch: BATCH,
            fn: () => {
                let s = 0;
                for (let k = 0; k < BATCH; k++)
                    s += plain[indices[b++ & fixtures_js_1.INDEX_MASK]];
                return s;
            },
        },
    ]);
    return [(0, types_js_1.compare)('random read through view()', mapped, array, (0, types_js_1.atLeast)(0.9))];
}
function sequentialScan(fx) {
    const { vector, plain } = fx;
    const view = vector.view();
    const [mapped, array] = (0, timing_js_1.runGroup)([
        {
            name: 'sum over view()',
            batch: fixtures_js_1.COUNT,
            bytesPerOp: 8,
            fn: () => {
                let s = 0;
                for (let i = 0; i < view.length; i++)
                    s += view[i];
                return s;
            },
        },
        {
            name: 'sum over Float64Array',
            batch: fixtures_js_1.COUNT,
            bytesPerOp: 8,
            fn: () => {
                let s = 0;
                for (let i = 0; i < plain.length; i++)
                    s += plain[i];
                return s;
            },
        },
    ]);
    return [(0, types_js_1.compare)('sequential scan (sum of 1M), per element', mapped, array, (0, types_js_1.atLeast)(0.9))];
}
function gather(fx) {
    const { vector, plain, fsFd } = fx;
    const SETS = 64;
    const N = 1000;
    const sets = Array.from({ length: SETS }, (_, s) => Array.from((0, fixtures_js_1.randomIndices)(N, fixtures_js_1.COUNT, 0x1234567 + s)));
    const cell = new Float64Array(1);
    const cellBytes = new Uint8Array(cell.buffer);
    let a = 0;
    let b = 0;
    let c = 0;
    const [many, array, readSync] = (0, timing_js_1.runGroup)([
        {
            name: 'getMany(1,000 indices)',
            batch: 10,
            fn: () => {
                let s = 0;
                for (let k = 0; k < 10; k++)
                    s += vector.getMany(sets[a++ % SETS])[N - 1];
                return s;
            },
        },
        {
            name: 'gather 1,000 from Float64Array',
            batch: 10,
            fn: () => {
                let s = 0;
                for (let k = 0; k < 10; k++) {
                    const ix = sets[b++ % SETS];
                    const out = new Float64Array(N);
                    for (let j = 0; j < N; j++)
                        out[j] = plain[ix[j]];
                    s += out[N - 1];
                }
                return s;
            },
        },
        {
            name: '1,000 × fs.readSync 8 B',
            batch: 1,
            fn: () => {
                const ix = sets[c++ % SETS];
                const out = new Float64Array(N);
                for (let j = 0; j < N; j++) {
                    fs.readSync(fsFd, cellBytes, 0, 8, ix[j] * 8);
                    out[j] = cell[0];
                }
                return out[N - 1];
            },
        },
    ]);
    return [
        (0, types_js_1.compare)('gather 1,000 random indices (one op = 1,000 reads)', many, array),
        (0, types_js_1.compare)('gather 1,000 random indices (one op = 1,000 reads)', many, readSync, ahead),
    ];
}
