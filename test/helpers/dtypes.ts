/** Dtype types for suites written for the ten dtypes of version 0.1. */

import type { DType } from '../..';

/** The ten dtypes of version 0.1 (integers, float32, float64): the suites that cover only
 * them type their tables with this. The wider ones came with issue 11. */
export type ClassicDType = Exclude<DType, 'float16' | 'bfloat16' | 'float80' | `bytes${number}`>;
