/** Two-sample statistics used by drift detection, each matching its scipy counterpart. */
export { ks2samp, type KsResult } from './ks.ts';
export { andersonKsamp, type AndersonResult } from './anderson.ts';
export { cramerVonMises2samp, type CvmResult } from './cramer-von-mises.ts';
export { wassersteinDistance, energyDistance, jensenShannonDistance, klDivergence, populationStabilityIndex } from './distances.ts';
export { chiSquare, twoProportionZTest, type TestResult } from './frequency-tests.ts';
export { chi2Sf, normCdf, kstwoSf, smirnovSf } from './special.ts';
export { quantilePsi, categoricalPsi, quantileSorted, type QuantilePsiOptions, type QuantilePsiResult } from './psi.ts';
export { tTestInd, mannWhitneyU, gTest, fisherExact } from './rank-tests.ts';
