"use strict";
/**
 * Suite 1, in-process: one Node process, one run. Usage: node inprocess.js <out.json>
 * (run by run.js; prints progress on stderr).
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
exports.runInProcess = runInProcess;
const fs = __importStar(require("node:fs"));
const fixtures_js_1 = require("./fixtures.js");
const inprocess_scale_js_1 = require("./inprocess-scale.js");
const inprocess_reads_js_1 = require("./inprocess-reads.js");
const inprocess_writes_js_1 = require("./inprocess-writes.js");
const timing_js_1 = require("./timing.js");
async function runInProcess() {
    const started = performance.now();
    const fx = await (0, fixtures_js_1.createFixtures)();
    const comparisons = [];
    const notes = [
        `Data: ${fixtures_js_1.COUNT.toLocaleString('en-US')} float64 (8 MB) in a temp file; random indices come from a fixed table of 65,536 pseudo-random positions, the same for subject and baselines (the index load is part of every figure).`,
        `lmdb: ${fixtures_js_1.COUNT.toLocaleString('en-US')} entries preloaded in ${(fx.lmdbLoadMs / 1000).toFixed(1)} s (keyEncoding uint32, 8-byte binary values), opened with noSync: true so commits are not fsynced (nothing else measured here fsyncs either). putSync is one write transaction per put.`,
        'Growing files (push, pushArray, and their fs/lmdb baselines) are cut back to zero between samples, outside the timed region, once they reach 8 MB (push) or 64 MiB (pushArray).',
    ];
    const step = async (name, run) => {
        const t = performance.now();
        process.stderr.write(`  in-process: ${name} … `);
        comparisons.push(...(await run()));
        process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    };
    try {
        await step('random get(i)', () => (0, inprocess_reads_js_1.randomGet)(fx));
        await step('view()[i]', () => (0, inprocess_reads_js_1.randomView)(fx));
        await step('sequential scan', () => (0, inprocess_reads_js_1.sequentialScan)(fx));
        await step('getMany(1,000)', () => (0, inprocess_reads_js_1.gather)(fx));
        await step('push(v)', () => (0, inprocess_writes_js_1.pushOne)(fx));
        await step('pushArray(8 MiB)', () => (0, inprocess_writes_js_1.pushArray)(fx));
        await step('set(i, v)', () => (0, inprocess_writes_js_1.randomSet)(fx));
        await step('8 GB open', () => {
            const scale = (0, inprocess_scale_js_1.bigOpen)(fx);
            notes.push(...scale.notes);
            return scale.comparisons;
        });
    }
    finally {
        await fx.close();
    }
    notes.push(`(checksum of all measured work, to keep it from being optimized away: ${timing_js_1.sink.toExponential(3)})`);
    return { suite: 'inprocess', title: 'Suite 1 — in-process (Node)', seconds: (performance.now() - started) / 1000, comparisons, notes };
}
if (require.main === module) {
    const out = process.argv[2];
    runInProcess().then((result) => {
        const json = JSON.stringify(result, null, 2);
        if (out)
            fs.writeFileSync(out, json);
        else
            process.stdout.write(`${json}\n`);
    }, (error) => {
        console.error(error);
        process.exit(1);
    });
}
