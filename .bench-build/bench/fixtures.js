"use strict";
/** Files, arrays and databases the in-process suite reads and writes, all in one temp dir. */
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
exports.INDEX_MASK = exports.INDEX_TABLE = exports.COUNT = void 0;
exports.randomIndices = randomIndices;
exports.createFixtures = createFixtures;
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const lmdb_1 = require("lmdb");
const mmvec_1 = require("mmvec");
/** 1M float64 = 8 MB. */
exports.COUNT = 1_000_000;
/** Random index streams are read round-robin from a table of this many entries. */
exports.INDEX_TABLE = 1 << 16;
exports.INDEX_MASK = exports.INDEX_TABLE - 1;
/** Deterministic xorshift32, so every run reads the same random indices. */
function randomIndices(n, below, seed = 0x9e3779b9) {
    const out = new Uint32Array(n);
    let x = seed >>> 0;
    for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        out[i] = x % below;
    }
    return out;
}
async function createFixtures() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-bench-'));
    const plain = new Float64Array(exports.COUNT);
    for (let i = 0; i < exports.COUNT; i++)
        plain[i] = i * 0.5 + 0.25;
    const vector = mmvec_1.MmapVector.open(path.join(dir, 'data.f64'), { mode: 'w+' });
    vector.pushArray(plain);
    const fsPath = path.join(dir, 'fs.f64');
    fs.writeFileSync(fsPath, new Uint8Array(plain.buffer));
    const fsFd = fs.openSync(fsPath, 'r+');
    // noSync: commits are not fsynced, like every other write measured here (none fsyncs).
    const lmdb = (0, lmdb_1.open)({ path: path.join(dir, 'lmdb'), keyEncoding: 'uint32', encoding: 'binary', noSync: true });
    const started = performance.now();
    await lmdb.transaction(() => {
        for (let i = 0; i < exports.COUNT; i++)
            lmdb.put(i, Buffer.from(plain.buffer, i * 8, 8));
    });
    const lmdbLoadMs = performance.now() - started;
    const check = lmdb.getBinary(exports.COUNT - 1);
    if (!check || check.readDoubleLE(0) !== plain[exports.COUNT - 1])
        throw new Error('lmdb preload did not round-trip');
    return {
        dir,
        vector,
        plain,
        fsPath,
        fsFd,
        lmdb,
        lmdbLoadMs,
        indices: randomIndices(exports.INDEX_TABLE, exports.COUNT),
        async close() {
            vector.close();
            fs.closeSync(fsFd);
            await lmdb.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
