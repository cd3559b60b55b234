"use strict";
/**
 * Writes: push of one value, pushArray of 8 MiB, and random set(i, v), against plain
 * memory, fs.writeSync and lmdb putSync. Growing files are cut back to zero between
 * samples (untimed), so they stay small.
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
exports.pushOne = pushOne;
exports.pushArray = pushArray;
exports.randomSet = randomSet;
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const lmdb_1 = require("lmdb");
const mmvec_1 = require("mmvec");
const fixtures_js_1 = require("./fixtures.js");
const timing_js_1 = require("./timing.js");
const types_js_1 = require("./types.js");
const ahead = (0, types_js_1.atLeast)(1, '> 1× (ahead)');
/** A growing vector or file is cut back once it holds this many float64 (8 MB). */
const PUSH_CAP = 1 << 20;
const PUSH_BATCH = 1000;
async function pushOne(fx) {
    const vector = mmvec_1.MmapVector.open(path.join(fx.dir, 'push.f64'), { mode: 'w+' });
    const fd = fs.openSync(path.join(fx.dir, 'push.bin'), 'a');
    let fileBytes = 0;
    const eight = new Uint8Array(new Float64Array([1.5]).buffer);
    const db = (0, lmdb_1.open)({ path: path.join(fx.dir, 'lmdb-push'), keyEncoding: 'uint32', encoding: 'binary', noSync: true });
    const value = Buffer.from(eight);
    let key = 0;
    try {
        const [push, write, put] = (0, timing_js_1.runGroup)([
            {
                name: 'MmapVector push(v)',
                batch: PUSH_BATCH,
                fn: () => {
                    let n = 0;
                    for (let k = 0; k < PUSH_BATCH; k++)
                        n = vector.push(1.5);
                    return n;
                },
                afterEach: () => {
                    if (vector.length >= PUSH_CAP)
                        vector.clear();
                },
            },
            {
                name: 'fs.writeSync 8 B (O_APPEND)',
                batch: PUSH_BATCH,
                fn: () => {
                    for (let k = 0; k < PUSH_BATCH; k++)
                        fileBytes += fs.writeSync(fd, eight);
                    return fileBytes;
                },
                afterEach: () => {
                    if (fileBytes >= PUSH_CAP * 8) {
                        fs.ftruncateSync(fd, 0);
                        fileBytes = 0;
                    }
                },
            },
            {
                name: 'lmdb putSync new key (8 B value)',
                batch: 50,
                fn: () => {
                    for (let k = 0; k < 50; k++)
                        db.putSync(key++, value);
                    return key;
                },
                afterEach: () => {
                    if (key >= PUSH_CAP) {
                        db.clearSync();
                        key = 0;
                    }
                },
            },
        ]);
        return [
            (0, types_js_1.compare)('append one float64', push, write, ahead),
            (0, types_js_1.compare)('append one float64', push, put, ahead),
        ];
    }
    finally {
        vector.close();
        fs.closeSync(fd);
        await db.close();
    }
}
const CHUNK = 1 << 20; // float64 elements: 8 MiB
const CHUNK_CAP = 8; // chunks before the file is cut back (64 MiB)
function pushArray(fx) {
    const chunk = new Float64Array(CHUNK);
    for (let i = 0; i < CHUNK; i++)
        chunk[i] = i * 0.25;
    const bytes = new Uint8Array(chunk.buffer);
    const vector = mmvec_1.MmapVector.open(path.join(fx.dir, 'append.f64'), { mode: 'w+' });
    const fd = fs.openSync(path.join(fx.dir, 'append.bin'), 'a');
    let fileBytes = 0;
    try {
        const [mapped, write] = (0, timing_js_1.runGroup)([
            {
                name: 'pushArray(8 MiB Float64Array)',
                batch: 1,
                bytesPerOp: bytes.byteLength,
                fn: () => vector.pushArray(chunk),
                afterEach: () => {
                    if (vector.length >= CHUNK * CHUNK_CAP)
                        vector.clear();
                },
            },
            {
                name: 'fs.writeSync 8 MiB (O_APPEND)',
                batch: 1,
                bytesPerOp: bytes.byteLength,
                fn: () => {
                    let done = 0;
                    while (done < bytes.byteLength)
                        done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
                    fileBytes += done;
                    return fileBytes;
                },
                afterEach: () => {
                    if (fileBytes >= bytes.byteLength * CHUNK_CAP) {
                        fs.ftruncateSync(fd, 0);
                        fileBytes = 0;
                    }
                },
            },
        ]);
        return [(0, types_js_1.compare)('append 8 MiB', mapped, write, (0, types_js_1.atLeast)(0.8))];
    }
    finally {
        vector.close();
        fs.closeSync(fd);
    }
}
function randomSet(fx) {
    const { vector, plain, indices, fsFd, lmdb } = fx;
    const BATCH = 1000;
    const eight = new Uint8Array(new Float64Array([2.5]).buffer);
    const value = Buffer.from(eight);
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    const [set, array, write, put] = (0, timing_js_1.runGroup)([
        {
            name: 'MmapVector set(i, v)',
            batch: BATCH,
            fn: () => {
                for (let k = 0; k < BATCH; k++)
                    vector.set(indices[a++ & fixtures_js_1.INDEX_MASK], k * 0.5);
                return a;
            },
        },
        {
            name: 'Float64Array[i] = v',
            batch: BATCH,
            fn: () => {
                for (let k = 0; k < BATCH; k++)
                    plain[indices[b++ & fixtures_js_1.INDEX_MASK]] = k * 0.5;
                return b;
            },
        },
        {
            name: 'fs.writeSync 8 B at offset',
            batch: 200,
            fn: () => {
                for (let k = 0; k < 200; k++)
                    fs.writeSync(fsFd, eight, 0, 8, indices[c++ & fixtures_js_1.INDEX_MASK] * 8);
                return c;
            },
        },
        {
            name: 'lmdb putSync existing key (8 B value)',
            batch: 50,
            fn: () => {
                for (let k = 0; k < 50; k++)
                    lmdb.putSync(indices[d++ & fixtures_js_1.INDEX_MASK], value);
                return d;
            },
        },
    ]);
    return [
        (0, types_js_1.compare)('random write, 1M float64', set, array),
        (0, types_js_1.compare)('random write, 1M float64', set, write, ahead),
        (0, types_js_1.compare)('random write, 1M float64', set, put, ahead),
    ];
}
